// /{org}/settings/service-tokens: list and create service tokens.
import {
  h, mount, loading, emptyState, button, table, uid, copyField,
} from '../dom.js';
import * as api from '../api.js';
import { formModal } from '../modal.js';
import { timeAgo, dateOnly } from '../format.js';
import { settingsLayout } from '../layout.js';

const enc = encodeURIComponent;
const EXPIRATIONS = [['', 'Never'], ['86400', '1 day'], ['604800', '7 days'], ['2592000', '30 days'], ['7776000', '90 days'], ['31536000', '1 year']];

export function tokenPath(org, id) {
  return `/${enc(org)}/settings/service-tokens/${enc(id)}`;
}

export function tokenName(t) {
  return t.name || t.display_name || t.id;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// "2 organization, 3 on 1 database".
export function accessSummary(accesses) {
  const list = accesses || [];
  if (!list.length) return 'No access';
  const orgCount = list.filter((a) => a.resource_type === 'Organization').length;
  const dbAccesses = list.filter((a) => a.resource_type !== 'Organization');
  const dbs = new Set(dbAccesses.map((a) => a.resource_id || a.resource_name));
  const parts = [];
  if (orgCount) parts.push(`${orgCount} organization`);
  if (dbAccesses.length) parts.push(`${dbAccesses.length} on ${plural(dbs.size, 'database')}`);
  return parts.join(', ');
}

export default async function tokensPage(ctx) {
  const { org } = ctx.params;
  ctx.setTitle('Service tokens');
  const content = settingsLayout(ctx, 'service-tokens');
  const newBtn = button('New service token', { variant: 'primary' });
  const list = h('div', null, loading());
  mount(content,
    h('div', { class: 'page-header page-header-row' },
      h('div', null,
        h('h1', { class: 'page-title' }, 'Service tokens'),
        h('p', { class: 'muted' },
          'Service tokens let scripts, CI and the pscale CLI call the API with exactly the accesses you grant.')),
      newBtn),
    list);

  async function load() {
    const tokens = await api.listAll(api.paths.tokens(org));
    if (!ctx.isCurrent()) return;
    if (!tokens.length) {
      mount(list, emptyState('No service tokens yet',
        'Create a service token, then give it organization or database permissions.'));
      return;
    }
    mount(list, table(['Name', 'ID', 'Accesses', 'Last used', 'Expires'], tokens.map((t) => {
      const names = (t.service_token_accesses || []).map((a) => a.access);
      return h('tr', null,
        h('td', null, h('a', { href: tokenPath(org, t.id), class: 'strong-link' }, tokenName(t))),
        h('td', { class: 'mono' }, t.id),
        h('td', { title: names.join(', ') || null }, accessSummary(t.service_token_accesses)),
        h('td', null, timeAgo(t.last_used_at, 'Never')),
        h('td', null, t.expires_at ? dateOnly(t.expires_at) : 'Never'));
    }), 'Service tokens'));
  }

  newBtn.addEventListener('click', () => openNewToken(ctx, org, () => {
    if (ctx.isCurrent()) load().catch(ctx.fail);
  }));

  await load();
}

function openNewToken(ctx, org, reload) {
  const ids = { name: uid('token-name'), ttl: uid('token-ttl') };
  const name = h('input', { id: ids.name, class: 'input', autocomplete: 'off', spellcheck: 'false' });
  const ttl = h('select', { id: ids.ttl, class: 'select' }, EXPIRATIONS.map(([v, t]) => h('option', { value: v }, t)));
  formModal({
    title: 'New service token',
    submitLabel: 'Create service token',
    fields: [
      h('div', { class: 'field' }, h('label', { for: ids.name, class: 'label' }, 'Name'), name,
        h('p', { class: 'hint' }, 'A name that says what uses the token, e.g. “ci-deploy”.')),
      h('div', { class: 'field' }, h('label', { for: ids.ttl, class: 'label' }, 'Expiration'), ttl),
    ],
    action: async (form, modal) => {
      const value = name.value.trim();
      if (!value) {
        modal.error.set('Enter a name for the service token.');
        name.focus();
        return;
      }
      const body = { name: value };
      if (ttl.value) body.ttl = Number(ttl.value);
      const created = await api.post(api.paths.tokens(org), body);
      reload();
      showCreated(ctx, org, modal, created);
    },
  });
}

// The same modal, now showing the new token's ID and secret (shown once).
function showCreated(ctx, org, modal, token) {
  const edit = button('Edit token permissions', { variant: 'primary' });
  edit.addEventListener('click', () => {
    modal.close();
    ctx.navigate(tokenPath(org, token.id));
  });
  const done = button('Done', { onclick: () => modal.close() });
  modal.footer.hidden = false;
  modal.setContent([
    h('p', null, 'Service token ', h('strong', null, tokenName(token)), ' was created. It has no permissions yet.'),
    copyField('ID', token.id, 'ID'),
    copyField('Token', token.token || '', 'token'),
    h('div', { class: 'warning', role: 'note' },
      'Copy the token now. There is no way to retrieve it once you leave this page.'),
  ], [done, edit]);
}
