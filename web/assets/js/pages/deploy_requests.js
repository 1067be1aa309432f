// /{org}/{db}/deploy-requests: the database's deploy requests.
import {
  h, mount, loading, emptyState, button, table, badge, uid, reportError,
} from '../dom.js';
import * as api from '../api.js';
import { formModal } from '../modal.js';
import { timeAgo } from '../format.js';
import { databaseLayout } from '../layout.js';

const enc = encodeURIComponent;

// Badge for a deploy request's state ("open", "closed", "deployed").
export function stateBadge(dr) {
  if (dr.deployment_state === 'complete') return badge('Deployed', 'success');
  if (dr.deployment_state === 'complete_error') return badge('Deploy failed', 'danger');
  if (dr.state === 'closed') return badge('Closed', 'neutral');
  if (dr.deployment_state === 'in_progress' || dr.deployment_state === 'queued') return badge('Deploying', 'warning');
  return badge('Open', 'info');
}

export function approvalBadge(dr) {
  return dr.approved ? badge('Approved', 'success') : badge('Not approved', 'neutral');
}

export default async function deployRequestsPage(ctx) {
  const { org, db } = ctx.params;
  ctx.setTitle(`Deploy requests · ${db}`);
  const body = databaseLayout(ctx, 'deploy-requests');
  // Enabled once the database is loaded (its default branch is the modal's target).
  const newBtn = button('New deploy request', { variant: 'primary', disabled: true });
  const list = h('div', null, loading());
  mount(body,
    h('div', { class: 'section-header' },
      h('h2', { class: 'section-title' }, 'Deploy requests'),
      newBtn),
    list);

  const [database, drs] = await Promise.all([
    api.get(api.paths.database(org, db)),
    api.listAll(api.paths.deployRequests(org, db)),
  ]);
  if (!ctx.isCurrent()) return;
  if (database.require_approval_for_deploy) {
    list.before(h('p', { class: 'notice' },
      'Deploy requests into this database need an approving review from an administrator before they can be deployed.'));
  }
  if (!drs.length) {
    mount(list, emptyState('No deploy requests yet',
      'Make schema changes on a development branch, then open a deploy request to merge them into production.'));
  } else {
    mount(list, table(['Number', 'Branches', 'State', 'Approval', 'Created'], drs.map((dr) => h('tr', null,
      h('td', null, h('a', { href: `/${enc(org)}/${enc(db)}/deploy-requests/${dr.number}`, class: 'strong-link' }, `#${dr.number}`)),
      h('td', { class: 'mono' }, dr.branch, h('span', { class: 'arrow' }, ' → '), dr.into_branch),
      h('td', null, stateBadge(dr)),
      h('td', null, approvalBadge(dr)),
      h('td', null, timeAgo(dr.created_at), dr.actor ? h('span', { class: 'muted' }, ` by ${dr.actor.display_name}`) : null),
    )), 'Deploy requests'));
  }

  newBtn.addEventListener('click', async () => {
    newBtn.disabled = true;
    let branches;
    try {
      branches = await api.listAll(api.paths.branches(org, db));
    } catch (err) {
      reportError(err);
      return;
    } finally {
      newBtn.disabled = false;
    }
    if (!ctx.isCurrent()) return;
    const ids = { from: uid('dr-branch'), into: uid('dr-into') };
    const dev = branches.filter((b) => b.name !== database.default_branch);
    const from = h('select', { id: ids.from, class: 'select' },
      (dev.length ? dev : branches).map((b) => h('option', { value: b.name }, b.name)));
    const into = h('select', { id: ids.into, class: 'select' },
      branches.map((b) => h('option', { value: b.name, selected: b.name === database.default_branch }, b.name)));
    into.value = database.default_branch;
    formModal({
      title: 'New deploy request',
      submitLabel: 'Create deploy request',
      fields: [
        h('div', { class: 'field' }, h('label', { for: ids.from, class: 'label' }, 'Branch'), from,
          h('p', { class: 'hint' }, 'The branch with the schema changes.')),
        h('div', { class: 'field' }, h('label', { for: ids.into, class: 'label' }, 'Deploy to'), into),
      ],
      action: async (form, modal) => {
        if (from.value === into.value) {
          modal.error.set('Choose two different branches.');
          return;
        }
        const dr = await api.post(api.paths.deployRequests(org, db), { branch: from.value, into_branch: into.value });
        modal.close();
        ctx.navigate(`/${enc(org)}/${enc(db)}/deploy-requests/${dr.number}`);
      },
    });
  });
  newBtn.disabled = false;
}
