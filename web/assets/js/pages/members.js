// /{org}/settings/members: the organization's members; admins add people
// (the new user's first password and an API token are shown once).
import {
  h, mount, loading, emptyState, button, table, uid, copyField, badge,
} from '../dom.js';
import * as api from '../api.js';
import { formModal } from '../modal.js';
import { dateOnly } from '../format.js';
import { settingsLayout } from '../layout.js';

const ROLES = [['member', 'Member'], ['admin', 'Admin']];

function roleBadge(role) {
  return badge(role, role === 'admin' ? 'info' : 'neutral');
}

export default async function membersPage(ctx) {
  const { org } = ctx.params;
  ctx.setTitle('Members');
  const content = settingsLayout(ctx, 'members');
  const isAdmin = api.orgRole(org) === 'admin';
  const addBtn = isAdmin ? button('Add member', { variant: 'primary' }) : null;
  const list = h('div', null, loading());
  mount(content,
    h('div', { class: 'page-header page-header-row' },
      h('div', null,
        h('h1', { class: 'page-title' }, 'Members'),
        h('p', { class: 'muted' }, isAdmin
          ? 'People who can sign in to this organization. Admins manage members and service tokens.'
          : 'People who can sign in to this organization. Only admins can add members.')),
      addBtn),
    list);

  const me = api.session.user ? api.session.user.email : '';

  async function load() {
    const members = await api.listAll(api.paths.members(org));
    if (!ctx.isCurrent()) return;
    if (!members.length) {
      mount(list, emptyState('No members'));
      return;
    }
    mount(list, table(['Email', 'Role', 'Added'], members.map((m) => {
      const user = m.user || {};
      const name = user.display_name && user.display_name !== user.email ? user.display_name : '';
      return h('tr', null,
        h('td', null,
          h('span', { class: 'strong' }, user.email || m.id),
          user.email === me ? [' ', badge('you')] : null,
          name ? h('span', { class: 'muted member-name' }, name) : null),
        h('td', null, roleBadge(m.role)),
        h('td', null, dateOnly(m.created_at, '—')));
    }), 'Members'));
  }

  if (addBtn) {
    addBtn.addEventListener('click', () => openAddMember(org, () => {
      if (ctx.isCurrent()) load().catch(ctx.fail);
    }));
  }

  await load();
}

function openAddMember(org, reload) {
  const ids = { email: uid('member-email'), role: uid('member-role') };
  const email = h('input', {
    id: ids.email, type: 'email', class: 'input', autocomplete: 'off', spellcheck: 'false',
  });
  const role = h('select', { id: ids.role, class: 'select' },
    ROLES.map(([v, t]) => h('option', { value: v }, t)));
  role.value = 'member';
  formModal({
    title: 'Add member',
    submitLabel: 'Add member',
    fields: [
      h('div', { class: 'field' }, h('label', { for: ids.email, class: 'label' }, 'Email'), email,
        h('p', { class: 'hint' }, 'A new user is created if nobody has this email yet.')),
      h('div', { class: 'field' }, h('label', { for: ids.role, class: 'label' }, 'Role'), role,
        h('p', { class: 'hint' }, 'Admins can add members and manage service tokens.')),
    ],
    action: async (form, modal) => {
      const value = email.value.trim();
      if (!value) {
        modal.error.set('Enter the email address of the person to add.');
        email.focus();
        return;
      }
      const added = await api.post(api.paths.members(org), { email: value, role: role.value });
      reload();
      showAdded(org, modal, added);
    },
  });
}

// The same modal, now showing the new member's credentials (shown once).
function showAdded(org, modal, member) {
  const user = member.user || {};
  const done = button('Done', { variant: 'primary', onclick: () => modal.close() });
  const hasPassword = typeof member.password === 'string' && member.password !== '';
  modal.footer.hidden = false;
  modal.setContent([
    h('p', null, h('strong', null, user.email || ''), ' was added to ', h('strong', null, org),
      ' as ', member.role === 'admin' ? 'an admin' : 'a member', '.'),
    hasPassword
      ? copyField('Password', member.password, 'password')
      : h('p', { class: 'note' },
        'This user already has an account; they sign in with their existing password.'),
    copyField('API token', member.api_token || '', 'API token'),
    h('div', { class: 'warning', role: 'note' },
      hasPassword
        ? 'Copy the password and the API token now and give them to this person. They will not be shown again.'
        : 'Copy the API token now and give it to this person. It will not be shown again.'),
  ], [done]);
}
