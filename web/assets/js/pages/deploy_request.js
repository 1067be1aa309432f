// /{org}/{db}/deploy-requests/{number}: one deploy request, its diff and reviews.
import {
  h, mount, loading, emptyState, button, badge, uid, errorArea, busy, toastSuccess, detailList,
} from '../dom.js';
import * as api from '../api.js';
import { timeAgo, dateAndTime } from '../format.js';
import { databaseLayout } from '../layout.js';
import { stateBadge, approvalBadge } from './deploy_requests.js';

const enc = encodeURIComponent;
const DEPLOYABLE = new Set(['ready', 'complete_error']);

function reviewItem(r) {
  const approved = r.state === 'approved';
  return h('li', { class: 'review' },
    h('div', { class: 'review-head' },
      h('strong', null, (r.actor && r.actor.display_name) || 'Someone'),
      ' ',
      approved ? badge('Approved', 'success') : badge('Commented', 'neutral'),
      h('span', { class: 'muted' }, ' · ', timeAgo(r.created_at))),
    r.body ? h('p', { class: 'review-body' }, r.body) : null);
}

export default async function deployRequestPage(ctx) {
  const { org, db, number } = ctx.params;
  ctx.setTitle(`Deploy request #${number} · ${db}`);
  const body = databaseLayout(ctx, 'deploy-requests');
  mount(body, loading());
  const base = api.paths.deployRequest(org, db, number);
  if (!/^[1-9][0-9]*$/.test(number)) {
    const err = new Error(`Deploy request ${number} not found`);
    err.status = 404;
    throw err;
  }
  const [database, diff] = await Promise.all([
    api.get(api.paths.database(org, db)),
    api.get(`${base}/diff`),
  ]);
  const diffText = ((diff && diff.data) || []).map((t) => t.raw).join('\n\n');
  const comment = h('textarea', { id: uid('dr-comment'), class: 'textarea', rows: '4' });
  const actionError = errorArea();

  async function refresh() {
    const [dr, reviews] = await Promise.all([api.get(base), api.listAll(`${base}/reviews`)]);
    if (!ctx.isCurrent()) return;
    draw(dr, reviews);
  }

  function draw(dr, reviews) {
    const open = dr.state === 'open';
    const buttons = [];
    const act = (btn, fn, success) => busy(buttons, async () => {
      actionError.set('');
      try {
        await fn();
        toastSuccess(success);
        await refresh();
      } catch (err) {
        if (!err.handled) actionError.set(err.message || 'Something went wrong.');
      }
    });
    const approve = open ? button('Approve', { variant: 'primary' }) : null;
    const commentBtn = button('Comment');
    const deploy = open && DEPLOYABLE.has(dr.deployment_state) ? button('Deploy', { variant: 'success' }) : null;
    const close = open ? button('Close deploy request', { variant: 'danger-ghost' }) : null;
    buttons.push(...[approve, commentBtn, deploy, close].filter(Boolean));

    if (approve) {
      approve.addEventListener('click', () => act(approve, async () => {
        await api.post(`${base}/reviews`, { state: 'approved', body: comment.value.trim() });
        comment.value = '';
      }, 'Deploy request approved.'));
    }
    commentBtn.addEventListener('click', () => {
      if (!comment.value.trim()) {
        actionError.set('Write a comment first.');
        comment.focus();
        return;
      }
      act(commentBtn, async () => {
        await api.post(`${base}/reviews`, { state: 'commented', body: comment.value.trim() });
        comment.value = '';
      }, 'Comment added.');
    });
    if (deploy) deploy.addEventListener('click', () => act(deploy, () => api.post(`${base}/deploy`, {}), 'Deploy request deployed.'));
    if (close) close.addEventListener('click', () => act(close, () => api.patch(base, { state: 'closed' }), 'Deploy request closed.'));

    let note = null;
    if (open && dr.deployment_state === 'no_changes') note = 'There are no schema changes to deploy.';
    else if (open && database.require_approval_for_deploy && !dr.approved) {
      note = 'This database requires an administrator’s approval before a deploy request can be deployed.';
    }

    mount(body,
      h('div', { class: 'section-header' },
        h('div', null,
          h('h2', { class: 'section-title' }, `Deploy request #${dr.number}`),
          h('p', { class: 'mono dr-branches' }, dr.branch, ' → ', dr.into_branch)),
        h('div', { class: 'badges' }, stateBadge(dr), approvalBadge(dr))),
      detailList([
        ['State', dr.state],
        ['Deployment', dr.deployment_state || '—'],
        ['Opened by', (dr.actor && dr.actor.display_name) || '—'],
        ['Created', dateAndTime(dr.created_at)],
        dr.deployed_at ? ['Deployed', dateAndTime(dr.deployed_at)] : null,
        dr.closed_at && !dr.deployed_at ? ['Closed', dateAndTime(dr.closed_at)] : null,
        dr.deployment && dr.deployment.error ? ['Error', h('span', { class: 'text-danger' }, dr.deployment.error)] : null,
      ].filter(Boolean)),
      h('h3', { class: 'subsection-title' }, 'Schema changes'),
      diffText ? h('pre', { class: 'code diff' }, diffText) : emptyState('No schema changes', `${dr.branch} and ${dr.into_branch} have the same schema.`),
      h('h3', { class: 'subsection-title' }, 'Reviews'),
      reviews.length ? h('ul', { class: 'reviews' }, reviews.map(reviewItem)) : h('p', { class: 'muted' }, 'No reviews yet.'),
      h('div', { class: 'review-form' },
        h('label', { for: comment.id, class: 'label' }, 'Comment'),
        comment,
        actionError.el,
        note ? h('p', { class: 'notice' }, note) : null,
        h('div', { class: 'button-row' }, buttons)));
  }

  await refresh();
}
