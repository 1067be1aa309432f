// /{org}/{db}/passwords: branch passwords.
import {
  h, mount, loading, emptyState, button, table, toastSuccess, badge, uid, copyField,
} from '../dom.js';
import * as api from '../api.js';
import { formModal, confirmModal } from '../modal.js';
import { dateOnly, timeAgo } from '../format.js';
import { databaseLayout } from '../layout.js';

const ROLES = ['reader', 'writer', 'readwriter', 'admin'];
const EXPIRATIONS = [['', 'Never'], ['3600', '1 hour'], ['86400', '1 day'], ['604800', '1 week'], ['2592000', '30 days']];

export default async function passwordsPage(ctx) {
  const { org, db } = ctx.params;
  ctx.setTitle(`Passwords · ${db}`);
  const body = databaseLayout(ctx, 'passwords');
  mount(body, loading());
  const [database, branches] = await Promise.all([
    api.get(api.paths.database(org, db)),
    api.listAll(api.paths.branches(org, db)),
  ]);
  if (!ctx.isCurrent()) return;

  const wanted = ctx.query.get('branch');
  let branch = branches.some((b) => b.name === wanted) ? wanted : database.default_branch;
  const selectId = uid('pw-branch');
  const branchSelect = h('select', { id: selectId, class: 'select select-sm' },
    branches.map((b) => h('option', { value: b.name, selected: b.name === branch }, b.name)));
  branchSelect.value = branch;
  const newBtn = button('New password', { variant: 'primary' });
  const list = h('div', null, loading());
  mount(body,
    h('div', { class: 'section-header' },
      h('h2', { class: 'section-title' }, 'Passwords'),
      h('div', { class: 'toolbar' },
        h('div', { class: 'inline-field' }, h('label', { for: selectId, class: 'label-inline' }, 'Branch'), branchSelect),
        newBtn)),
    h('p', { class: 'muted' }, 'Passwords let applications connect to a branch with a MySQL client.'),
    list);

  branchSelect.addEventListener('change', () => {
    branch = branchSelect.value;
    const url = new URL(location.href);
    url.searchParams.set('branch', branch);
    history.replaceState(null, '', url.pathname + url.search);
    mount(list, loading());
    load().catch(ctx.fail);
  });

  let loadSeq = 0;
  async function load() {
    const seq = ++loadSeq;
    const current = branch;
    const passwords = await api.listAll(api.paths.passwords(org, db, current));
    if (!ctx.isCurrent() || seq !== loadSeq) return;
    if (!passwords.length) {
      mount(list, emptyState('No passwords yet', `Create a password to connect to ${current}.`));
      return;
    }
    mount(list, table(['Name', 'Username', 'Role', 'Created', 'Last used', ''], passwords.map((p) => h('tr', null,
      h('td', null, h('span', { class: 'strong' }, p.name), p.expired ? [' ', badge('expired', 'danger')] : null),
      h('td', { class: 'mono' }, p.username),
      h('td', null, badge(p.role, 'neutral')),
      h('td', null, dateOnly(p.created_at)),
      h('td', null, timeAgo(p.last_used_at)),
      h('td', { class: 'actions' },
        button('Delete', { variant: 'danger-ghost', size: 'sm', onclick: () => remove(current, p) })),
    )), `Passwords for ${current}`));
  }

  function remove(br, p) {
    confirmModal({
      title: `Delete password ${p.name}?`,
      message: 'Applications using this password will no longer be able to connect, and open connections are closed.',
      confirmLabel: 'Delete password',
      action: () => api.del(`${api.paths.passwords(org, db, br)}/${encodeURIComponent(p.id)}`),
      onDone: () => {
        toastSuccess(`Password ${p.name} deleted.`);
        if (ctx.isCurrent()) load().catch(ctx.fail);
      },
    });
  }

  newBtn.addEventListener('click', () => openNewPassword());

  function openNewPassword() {
    const br = branch;
    const ids = { name: uid('pw-name'), role: uid('pw-role'), ttl: uid('pw-ttl') };
    const name = h('input', { id: ids.name, class: 'input', autocomplete: 'off', spellcheck: 'false' });
    const role = h('select', { id: ids.role, class: 'select' },
      ROLES.map((r) => h('option', { value: r, selected: r === 'reader' }, r)));
    const ttl = h('select', { id: ids.ttl, class: 'select' },
      EXPIRATIONS.map(([v, t]) => h('option', { value: v }, t)));
    let created = false;
    const modal = formModal({
      title: 'New password',
      submitLabel: 'Create password',
      onClose: () => { if (created && ctx.isCurrent()) load().catch(ctx.fail); },
      fields: [
        h('p', { class: 'muted' }, 'Branch ', h('strong', null, br)),
        h('div', { class: 'field' }, h('label', { for: ids.name, class: 'label' }, 'Name'), name),
        h('div', { class: 'field' }, h('label', { for: ids.role, class: 'label' }, 'Role'), role,
          h('p', { class: 'hint' }, 'reader: SELECT only · writer: INSERT, UPDATE, DELETE · readwriter: both · admin: also DDL.')),
        h('div', { class: 'field' }, h('label', { for: ids.ttl, class: 'label' }, 'Expiration'), ttl),
      ],
      action: async (form, m) => {
        if (!name.value.trim()) {
          m.error.set('Enter a name for the password.');
          name.focus();
          return;
        }
        const payload = { name: name.value.trim(), role: role.value };
        if (ttl.value) payload.ttl = Number(ttl.value);
        const pw = await api.post(api.paths.passwords(org, db, br), payload);
        created = true;
        showCreated(m, pw, br);
      },
    });
    return modal;
  }

  function showCreated(modal, pw, br) {
    const done = h('button', { type: 'button', class: 'btn btn-primary', onclick: () => modal.close() }, 'Done');
    modal.footer.hidden = false;
    modal.setContent([
      h('p', null, 'Password ', h('strong', null, pw.name), ' created for branch ', h('strong', null, br), '.'),
      copyField('Username', pw.username || '', 'username'),
      copyField('Password', pw.plain_text || '', 'password'),
      copyField('Host', pw.access_host_url || '', 'host'),
      h('p', { class: 'hint' },
        pw.port ? ['Port ', h('span', { class: 'mono' }, String(pw.port))] : null,
        pw.port && pw.database ? ' · ' : null,
        pw.database ? ['Database ', h('span', { class: 'mono' }, pw.database)] : null),
      h('div', { class: 'warning', role: 'note' },
        'Copy the password now. There is no way to retrieve it once you leave this page.'),
    ], [done]);
  }

  await load();
}
