// /{org}/{db}: the database's branches.
import { h, mount, loading, emptyState, button, table, toastSuccess, badge, uid } from '../dom.js';
import * as api from '../api.js';
import { formModal, confirmModal } from '../modal.js';
import { dateOnly } from '../format.js';
import { databaseLayout } from '../layout.js';

const enc = encodeURIComponent;

export default async function branchesPage(ctx) {
  const { org, db } = ctx.params;
  ctx.setTitle(db);
  const body = databaseLayout(ctx, 'branches');

  // Enabled once the branches are loaded (the modal offers them as the base).
  const newBtn = button('New branch', { variant: 'primary', disabled: true });
  const list = h('div', null, loading());
  mount(body,
    h('div', { class: 'section-header' },
      h('h2', { class: 'section-title' }, 'Branches'),
      newBtn),
    list);
  let database = {};
  let branches = [];

  async function load() {
    [database, branches] = await Promise.all([
      api.get(api.paths.database(org, db)),
      api.listAll(api.paths.branches(org, db)),
    ]);
    if (!ctx.isCurrent()) return;
    newBtn.disabled = false;
    if (!branches.length) {
      mount(list, emptyState('No branches', 'Create a branch to start making schema changes.'));
      return;
    }
    mount(list, table(['Name', 'Production', 'Parent', 'Created', ''], branches.map((b) => {
      const isDefault = b.name === database.default_branch;
      return h('tr', null,
        h('td', null,
          h('a', { href: `/${enc(org)}/${enc(db)}/${enc(b.name)}`, class: 'strong-link' }, b.name),
          isDefault ? [' ', badge('default', 'info')] : null),
        h('td', null, b.production ? badge('Yes', 'success') : badge('No')),
        h('td', null, b.parent_branch || '—'),
        h('td', null, dateOnly(b.created_at)),
        h('td', { class: 'actions' }, isDefault ? null
          : button('Delete', { variant: 'danger-ghost', size: 'sm', onclick: () => remove(b) })));
    }), 'Branches'));
  }

  function remove(b) {
    confirmModal({
      title: `Delete branch ${b.name}?`,
      message: `This permanently deletes the branch ${b.name}, its schema and its data. Passwords for it stop working and open connections are closed.`,
      confirmLabel: 'Delete branch',
      action: () => api.del(api.paths.branch(org, db, b.name)),
      onDone: () => {
        toastSuccess(`Branch ${b.name} deleted.`);
        if (ctx.isCurrent()) load().catch(ctx.fail);
      },
    });
  }

  newBtn.addEventListener('click', () => {
    const nameId = uid('branch-name');
    const baseId = uid('branch-base');
    const name = h('input', { id: nameId, class: 'input', autocomplete: 'off', spellcheck: 'false' });
    const base = h('select', { id: baseId, class: 'select' },
      branches.map((b) => h('option', { value: b.name, selected: b.name === database.default_branch }, b.name)));
    if (database.default_branch) base.value = database.default_branch;
    formModal({
      title: 'New branch',
      submitLabel: 'Create branch',
      fields: [
        h('div', { class: 'field' }, h('label', { for: nameId, class: 'label' }, 'Name'), name),
        h('div', { class: 'field' }, h('label', { for: baseId, class: 'label' }, 'Base branch'), base,
          h('p', { class: 'hint' }, 'The new branch starts with a copy of this branch’s schema.')),
      ],
      action: async (form, modal) => {
        if (!name.value.trim()) {
          modal.error.set('Enter a name for the branch.');
          name.focus();
          return;
        }
        const created = await api.post(api.paths.branches(org, db),
          { name: name.value.trim(), parent_branch: base.value });
        modal.close();
        toastSuccess(`Branch ${created.name} created.`);
        if (ctx.isCurrent()) await load().catch(ctx.fail);
      },
    });
  });

  await load();
}
