// The two permission dialogs of the service token page: organization-level accesses,
// and database-level accesses on one database. Only grantable accesses are offered;
// saving sends the difference (POST .../access for added, DELETE .../access for removed).
import { h, mount, loading, uid, button, busy } from '../dom.js';
import * as api from '../api.js';
import { openModal } from '../modal.js';

// Checkboxes for `entries`, grouped by their catalog group, checked when in `held`.
function checkboxGroups(entries, held) {
  const groups = new Map();
  for (const e of entries) {
    if (!groups.has(e.group)) groups.set(e.group, []);
    groups.get(e.group).push(e);
  }
  const boxes = [];
  const nodes = [...groups].map(([group, list]) => h('fieldset', { class: 'access-group' },
    h('legend', null, group || 'Other'),
    list.map((e) => {
      const id = uid('access');
      const descId = `${id}-desc`;
      const box = h('input', {
        id, type: 'checkbox', class: 'checkbox', value: e.name, checked: held.has(e.name),
        'aria-describedby': e.description ? descId : null,
      });
      boxes.push(box);
      return h('div', { class: 'check' },
        box,
        h('div', null,
          h('label', { for: id, class: 'check-label mono' }, e.name),
          e.description ? h('p', { id: descId, class: 'hint' }, e.description) : null));
    })));
  return { nodes, boxes };
}

// Held accesses the signed-in user cannot change (not offered as checkboxes).
function lockedNote(held, shown) {
  const locked = [...held].filter((a) => !shown.has(a));
  if (!locked.length) return null;
  return h('p', { class: 'hint' }, `Also granted, and not changeable by you: ${locked.join(', ')}.`);
}

async function saveDiff(org, tokenId, database, held, shown, boxes) {
  const checked = new Set(boxes.filter((b) => b.checked).map((b) => b.value));
  const add = [...checked].filter((a) => !held.has(a));
  const remove = [...held].filter((a) => shown.has(a) && !checked.has(a));
  const base = `${api.paths.token(org, tokenId)}/access`;
  const scope = database ? { database } : {};
  if (add.length) await api.post(base, { ...scope, access: add });
  if (remove.length) await api.del(base, { ...scope, access: remove });
  return add.length + remove.length;
}

function modalShell(title, onSave) {
  const modal = openModal({ title, wide: true });
  const cancel = button('Cancel', { onclick: () => modal.close() });
  const save = button('Save permissions', { variant: 'primary', disabled: true });
  save.addEventListener('click', () => busy([save, cancel], async () => {
    modal.error.set('');
    try {
      await onSave(modal);
    } catch (err) {
      if (err.handled) modal.close();
      else modal.error.set(err.message || 'Could not save the permissions.');
    }
  }));
  mount(modal.footer, cancel, save);
  return { modal, save };
}

// Organization-level permissions. `held`: Set of access names the token has at org level.
export function openOrgAccessModal({ org, tokenId, held, onSaved }) {
  let boxes = [];
  let shown = new Set();
  const { modal, save } = modalShell('Organization access permissions', async (m) => {
    const changed = await saveDiff(org, tokenId, '', held, shown, boxes);
    m.close();
    onSaved(changed);
  });
  const area = h('div', { class: 'access-list' }, loading());
  mount(modal.body, h('p', { class: 'muted' }, `Permissions on the organization ${org}. `,
    h('a', { href: '/docs/access#level-organization', class: 'access-reference-link' }, 'What each access allows')), area);
  api.get(api.paths.catalog(org)).then((res) => {
    if (modal.closed) return;
    const entries = ((res && res.data) || []).filter((e) => e.level === 'organization' && e.grantable === true);
    shown = new Set(entries.map((e) => e.name));
    if (!entries.length) {
      mount(area, h('p', { class: 'empty-hint' }, 'You cannot grant any organization-level permissions.'), lockedNote(held, shown));
      return;
    }
    const groups = checkboxGroups(entries, held);
    boxes = groups.boxes;
    mount(area, groups.nodes, lockedNote(held, shown));
    save.disabled = false;
    modal.focusFirst();
  }).catch((err) => {
    if (err.handled) { modal.close(); return; }
    if (!modal.closed) { mount(area); modal.error.set(err.message); }
  });
  return modal;
}

// Database-level permissions. `grants`: Map database name -> Set of access names.
// `fixedDb`: edit that database only (the select is disabled).
export function openDbAccessModal({ org, tokenId, grants, fixedDb, onSaved }) {
  let boxes = [];
  let shown = new Set();
  let seq = 0;
  const { modal, save } = modalShell('Database access permissions', async (m) => {
    const db = select.value;
    if (!db) return;
    const changed = await saveDiff(org, tokenId, db, grants.get(db) || new Set(), shown, boxes);
    m.close();
    onSaved(changed);
  });
  const selectId = uid('access-db');
  const select = h('select', { id: selectId, class: 'select', disabled: true });
  const area = h('div', { class: 'access-list' }, loading());
  mount(modal.body,
    h('div', { class: 'field' }, h('label', { for: selectId, class: 'label' }, 'Database'), select),
    h('p', { class: 'muted' },
      h('a', { href: '/docs/access#level-database', class: 'access-reference-link' }, 'What each access allows')),
    area);

  async function showCatalog() {
    const my = ++seq;
    const db = select.value;
    save.disabled = true;
    boxes = [];
    mount(area, loading());
    modal.error.set('');
    try {
      const res = await api.get(api.paths.catalog(org, db));
      if (my !== seq || modal.closed) return;
      const held = grants.get(db) || new Set();
      const entries = ((res && res.data) || []).filter((e) => e.level === 'database' && e.grantable === true);
      shown = new Set(entries.map((e) => e.name));
      if (!entries.length) {
        mount(area, h('p', { class: 'empty-hint' }, `You cannot grant any permissions on ${db}.`), lockedNote(held, shown));
        return;
      }
      const groups = checkboxGroups(entries, held);
      boxes = groups.boxes;
      mount(area, groups.nodes, lockedNote(held, shown));
      save.disabled = false;
    } catch (err) {
      if (err.handled) { modal.close(); return; }
      if (my === seq && !modal.closed) { mount(area); modal.error.set(err.message); }
    }
  }

  async function init() {
    let names;
    if (fixedDb) {
      names = [fixedDb];
    } else {
      names = (await api.listAll(api.paths.databases(org))).map((d) => d.name);
      if (modal.closed) return;
    }
    if (!names.length) {
      mount(area, h('p', { class: 'empty-hint' }, 'There are no databases in this organization yet.'));
      return;
    }
    mount(select, names.map((n) => h('option', { value: n }, n)));
    select.value = fixedDb || names.find((n) => !grants.has(n)) || names[0];
    select.disabled = Boolean(fixedDb);
    if (!fixedDb) select.focus();
    await showCatalog();
    if (fixedDb && !modal.closed) modal.focusFirst();
  }

  select.addEventListener('change', () => { showCatalog(); });
  init().catch((err) => {
    if (err.handled) { modal.close(); return; }
    if (!modal.closed) { mount(area); modal.error.set(err.message); }
  });
  return modal;
}
