// /{org}/audit-log: the organization's audit log with actor and action filters.
import {
  h, mount, loading, emptyState, button, table, uid, busy, reportError, badge,
} from '../dom.js';
import * as api from '../api.js';
import { timeAgo } from '../format.js';

const PAGE = 25;
const ACTIONS = [
  'organization.created', 'member.added',
  'database.created', 'database.updated', 'database.deleted',
  'branch.created', 'branch.deleted', 'branch.promoted', 'branch.demoted',
  'branch.safe_migrations_enabled', 'branch.safe_migrations_disabled',
  'database_branch_password.created', 'database_branch_password.updated',
  'database_branch_password.renewed', 'database_branch_password.deleted', 'database_branch_password.expired',
  'deploy_request.created', 'deploy_request.approved', 'deploy_request.commented', 'deploy_request.closed',
  'deploy_request.queued', 'deploy_request.started', 'deploy_request.deployed', 'deploy_request.failed',
  'service_token.created', 'service_token.deleted', 'service_token.granted_access', 'service_token.removed_access',
];
const TYPE_NAMES = {
  ServiceToken: 'Service token',
  DatabaseBranchPassword: 'Password',
  DeployRequest: 'Deploy request',
  Branch: 'Branch',
  Database: 'Database',
  Organization: 'Organization',
  User: 'User',
};

function typeName(t) {
  return TYPE_NAMES[t] || t || '';
}

function actorCell(e) {
  return h('td', null,
    h('span', { class: 'strong' }, e.actor_display_name || e.actor_id || 'System'),
    e.actor_type === 'ServiceToken' ? [' ', badge('token', 'info')] : null);
}

function targetCell(e) {
  const main = [typeName(e.auditable_type), e.auditable_display_name].filter(Boolean).join(' ');
  const target = e.target_display_name && e.target_display_name !== e.auditable_display_name
    ? h('span', { class: 'muted' }, ` in ${e.target_display_name}`) : null;
  return h('td', null, main || '—', target);
}

export default async function auditPage(ctx) {
  const { org } = ctx.params;
  ctx.setTitle('Audit log');
  const ids = { actor: uid('audit-actor'), action: uid('audit-action'), list: uid('audit-actions') };
  const actors = new Map(); // actor_id -> label
  const actorSelect = h('select', { id: ids.actor, class: 'select' }, h('option', { value: '' }, 'All actors'));
  const actionInput = h('input', {
    id: ids.action, class: 'input', list: ids.list, placeholder: 'e.g. service_token.created', autocomplete: 'off', spellcheck: 'false',
  });
  const apply = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Apply filters');
  const reset = button('Clear');
  const form = h('form', { class: 'filters', role: 'search' },
    h('div', { class: 'field' }, h('label', { for: ids.actor, class: 'label' }, 'Actor'), actorSelect),
    h('div', { class: 'field' }, h('label', { for: ids.action, class: 'label' }, 'Action'), actionInput,
      h('datalist', { id: ids.list }, ACTIONS.map((a) => h('option', { value: a })))),
    h('div', { class: 'filters-buttons' }, apply, reset));
  const results = h('div', null, loading());
  mount(ctx.root,
    h('div', { class: 'page-header' },
      h('h1', { class: 'page-title' }, 'Audit log'),
      h('p', { class: 'muted' }, `Who did what in ${org}, newest first.`)),
    form, results);

  function addActor(id, label) {
    if (!id || actors.has(id)) return;
    actors.set(id, label);
    actorSelect.appendChild(h('option', { value: id }, label));
  }

  const want = { actor: ctx.query.get('actor_id') || '', action: ctx.query.get('action') || '' };
  if (api.session.user) addActor(api.session.user.id, `${api.session.user.email} (you)`);
  if (want.actor) addActor(want.actor, want.actor);
  actorSelect.value = want.actor;
  actionInput.value = want.action;

  // Service tokens are actors too; listing them needs read_service_tokens, so a refusal
  // only means fewer suggestions.
  api.listAll(api.paths.tokens(org)).then((tokens) => {
    for (const t of tokens) addActor(t.id, `${t.name || t.id} (service token)`);
  }).catch(() => {});

  let rows = [];
  let cursor = null;
  let filters = { ...want };
  let seq = 0;

  async function fetchPage(after) {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (filters.actor) q.set('actor_id', filters.actor);
    if (filters.action) q.set('action', filters.action);
    if (after) q.set('starting_after', after);
    return api.get(`${api.paths.audit(org)}?${q}`);
  }

  function draw(hasNext) {
    if (!rows.length) {
      const filtered = filters.actor || filters.action;
      mount(results, emptyState(filtered ? 'No matching events' : 'No events yet',
        filtered ? 'Try other filters.' : 'Actions in this organization will appear here.'));
      return;
    }
    const more = hasNext ? button('Load more') : null;
    if (more) {
      more.addEventListener('click', () => busy(more, async () => {
        const my = seq;
        try {
          const res = await fetchPage(cursor);
          if (my !== seq || !ctx.isCurrent()) return;
          take(res);
        } catch (err) {
          reportError(err);
        }
      }));
    }
    mount(results,
      table(['Time', 'Actor', 'Action', 'Target'], rows.map((e) => h('tr', null,
        h('td', { class: 'nowrap' }, timeAgo(e.created_at, '—')),
        actorCell(e),
        h('td', null, h('code', { class: 'action-name' }, e.audit_action || e.action)),
        targetCell(e))), 'Audit log events'),
      more ? h('div', { class: 'load-more' }, more) : null);
  }

  function take(res) {
    const data = (res && res.data) || [];
    rows = rows.concat(data);
    cursor = res && res.cursor_end;
    for (const e of data) {
      if (e.actor_id) addActor(e.actor_id, `${e.actor_display_name || e.actor_id}${e.actor_type === 'ServiceToken' ? ' (service token)' : ''}`);
    }
    actorSelect.value = filters.actor;
    draw(Boolean(res && res.has_next && cursor));
  }

  async function reload() {
    const my = ++seq;
    rows = [];
    cursor = null;
    mount(results, loading());
    const res = await fetchPage(null);
    if (my !== seq || !ctx.isCurrent()) return;
    take(res);
  }

  function updateUrl() {
    const q = new URLSearchParams();
    if (filters.actor) q.set('actor_id', filters.actor);
    if (filters.action) q.set('action', filters.action);
    const s = q.toString();
    history.replaceState(null, '', `${location.pathname}${s ? `?${s}` : ''}`);
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    filters = { actor: actorSelect.value, action: actionInput.value.trim() };
    updateUrl();
    busy(apply, () => reload().catch((err) => {
      if (err.handled || !ctx.isCurrent()) return;
      mount(results, h('p', { class: 'empty-inline' }, 'Could not load events.'));
      reportError(err);
    }));
  });
  reset.addEventListener('click', () => {
    actorSelect.value = '';
    actionInput.value = '';
    form.requestSubmit();
  });

  await reload();
}
