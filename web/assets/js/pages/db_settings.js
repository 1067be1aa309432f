// /{org}/{db}/settings: database settings and deletion.
import { h, mount, loading, button, uid, errorArea, busy } from '../dom.js';
import * as api from '../api.js';
import { openModal } from '../modal.js';
import { databaseLayout } from '../layout.js';

const enc = encodeURIComponent;

export default async function dbSettingsPage(ctx) {
  const { org, db } = ctx.params;
  ctx.setTitle(`Settings · ${db}`);
  const body = databaseLayout(ctx, 'settings');
  mount(body, loading());
  const database = await api.get(api.paths.database(org, db));
  if (!ctx.isCurrent()) return;

  const checkId = uid('require-approval');
  const descId = uid('require-approval-desc');
  const check = h('input', {
    id: checkId, type: 'checkbox', class: 'checkbox', checked: database.require_approval_for_deploy,
    'aria-describedby': descId,
  });
  const save = button('Save', { variant: 'primary' });
  const status = h('span', { class: 'saved', role: 'status' });
  const error = errorArea();
  const form = h('form', { class: 'card form' },
    h('h2', { class: 'card-title' }, 'Deploy requests'),
    error.el,
    h('div', { class: 'check' },
      check,
      h('div', null,
        h('label', { for: checkId, class: 'check-label' }, 'Require administrator approval for deploy requests'),
        h('p', { id: descId, class: 'hint' },
          'When on, a deploy request can be deployed only after an organization administrator (or a service token with approve_deploy_request) approves it.'))),
    h('div', { class: 'button-row' }, save, status));
  save.type = 'submit';
  check.addEventListener('change', () => { status.textContent = ''; });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (save.disabled) return;
    status.textContent = '';
    busy(save, async () => {
      error.set('');
      try {
        const updated = await api.patch(api.paths.database(org, db), { require_approval_for_deploy: check.checked });
        check.checked = Boolean(updated && updated.require_approval_for_deploy);
        status.textContent = 'Settings saved';
      } catch (err) {
        if (!err.handled) error.set(err.message || 'Could not save the settings.');
      }
    });
  });

  const del = button('Delete database', { variant: 'danger' });
  del.addEventListener('click', () => confirmDelete(ctx, org, db));

  mount(body,
    h('div', { class: 'section-header' }, h('h2', { class: 'section-title' }, 'Settings')),
    form,
    h('section', { class: 'card card-danger' },
      h('h2', { class: 'card-title' }, 'Delete database'),
      h('p', { class: 'muted' },
        'Deleting a database removes all of its branches, passwords and data. This cannot be undone.'),
      h('div', { class: 'button-row' }, del)));
}

// Deleting a database asks for its name.
function confirmDelete(ctx, org, db) {
  const modal = openModal({ title: `Delete database ${db}?` });
  const inputId = uid('confirm-db');
  const input = h('input', { id: inputId, class: 'input', autocomplete: 'off', spellcheck: 'false' });
  const cancel = button('Cancel', { onclick: () => modal.close() });
  const ok = button('Delete database', { variant: 'danger', disabled: true });
  input.addEventListener('input', () => { ok.disabled = input.value !== db; });
  ok.addEventListener('click', () => busy([ok, cancel], async () => {
    modal.error.set('');
    try {
      await api.del(api.paths.database(org, db));
      modal.close();
      ctx.navigate(`/${enc(org)}`);
    } catch (err) {
      if (err.handled) modal.close();
      else modal.error.set(err.message || 'Could not delete the database.');
    }
  }).finally(() => { ok.disabled = input.value !== db; }));
  modal.setContent([
    h('p', null, 'This permanently deletes the database, all of its branches and their data.'),
    h('div', { class: 'field' },
      h('label', { for: inputId, class: 'label' }, `Type ${db} to confirm`), input),
  ], [cancel, ok]);
}
