// /{org}: the organization's databases.
import { h, mount, loading, emptyState, button, table, toastSuccess, uid } from '../dom.js';
import * as api from '../api.js';
import { formModal } from '../modal.js';
import { dateOnly } from '../format.js';

const enc = encodeURIComponent;

export default async function databasesPage(ctx) {
  const { org } = ctx.params;
  ctx.setTitle('Databases');
  const newBtn = button('New database', { variant: 'primary' });
  const list = h('div', { class: 'section' }, loading());
  mount(ctx.root,
    h('div', { class: 'page-header page-header-row' },
      h('div', null,
        h('h1', { class: 'page-title' }, 'Databases'),
        h('p', { class: 'muted' }, `Databases in ${org}.`)),
      newBtn),
    list);

  async function load() {
    const dbs = await api.listAll(api.paths.databases(org));
    if (!ctx.isCurrent()) return;
    if (!dbs.length) {
      mount(list, emptyState('No databases yet',
        'Create your first database to get a production branch, passwords and deploy requests.'));
      return;
    }
    mount(list, table(['Name', 'Created', 'Branches', 'State'], dbs.map((db) => h('tr', null,
      h('td', null, h('a', { href: `/${enc(org)}/${enc(db.name)}`, class: 'strong-link' }, db.name)),
      h('td', null, dateOnly(db.created_at)),
      h('td', { class: 'num' }, String(db.branches_count ?? '')),
      h('td', null, h('span', { class: `badge badge-${db.ready ? 'success' : 'warning'}` }, db.state || (db.ready ? 'ready' : 'pending'))),
    )), 'Databases'));
  }

  newBtn.addEventListener('click', () => {
    const id = uid('db-name');
    const name = h('input', { id, name: 'name', class: 'input', autocomplete: 'off', spellcheck: 'false' });
    formModal({
      title: 'New database',
      submitLabel: 'Create database',
      fields: [h('div', { class: 'field' },
        h('label', { for: id, class: 'label' }, 'Name'), name,
        h('p', { class: 'hint' }, 'Lowercase letters, digits and dashes.'))],
      action: async (form, modal) => {
        const value = name.value.trim();
        if (!value) {
          modal.error.set('Enter a name for the database.');
          name.focus();
          return;
        }
        const db = await api.post(api.paths.databases(org), { name: value });
        modal.close();
        toastSuccess(`Database ${db.name} created.`);
        if (ctx.isCurrent()) await load().catch(ctx.fail);
      },
    });
  });

  await load();
}
