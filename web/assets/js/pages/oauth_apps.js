// /{org}/settings/oauth-applications: the organization's OAuth applications.
// Admins create one (its client secret is shown once), edit its name,
// redirect URI and scopes, and delete it (which revokes its tokens).
import {
  h, mount, loading, emptyState, button, table, uid, copyField, srOnly, toastSuccess, reportError,
} from '../dom.js';
import * as api from '../api.js';
import { formModal, confirmModal } from '../modal.js';
import { menuButton } from '../menu.js';
import { dateOnly } from '../format.js';
import { settingsLayout } from '../layout.js';

function scopeList(scopes) {
  if (!Array.isArray(scopes)) return String(scopes || '').split(/[\s,]+/).filter(Boolean);
  return scopes;
}

// The scope catalog, fetched once per page view.
function scopeCatalog() {
  let pending = null;
  return () => {
    if (!pending) {
      pending = api.get(api.paths.oauthScopes())
        .then((res) => (res && Array.isArray(res.data) ? res.data : []))
        .catch((err) => { pending = null; throw err; });
    }
    return pending;
  };
}

export default async function oauthAppsPage(ctx) {
  const { org } = ctx.params;
  ctx.setTitle('OAuth applications');
  const content = settingsLayout(ctx, 'oauth-applications');
  const isAdmin = api.orgRole(org) === 'admin';
  const newBtn = isAdmin ? button('New OAuth application', { variant: 'primary' }) : null;
  const list = h('div', null, loading());
  mount(content,
    h('div', { class: 'page-header page-header-row' },
      h('div', null,
        h('h1', { class: 'page-title' }, 'OAuth applications'),
        h('p', { class: 'muted' },
          'OAuth applications act for the people who authorize them, limited to the scopes they were granted.')),
      newBtn),
    list);

  const catalog = scopeCatalog();
  const reload = () => { if (ctx.isCurrent()) load().catch(ctx.fail); };

  async function load() {
    const apps = await api.listAll(api.paths.oauthApps(org));
    if (!ctx.isCurrent()) return;
    if (!apps.length) {
      mount(list, emptyState('No OAuth applications yet',
        isAdmin
          ? 'Create an application to let another tool act for the people of this organization.'
          : 'Admins of this organization can create OAuth applications.'));
      return;
    }
    const headers = ['Name', 'Client ID', 'Scopes', 'Tokens', 'Created'];
    if (isAdmin) headers.push(srOnly('Actions'));
    mount(list, table(headers, apps.map((app) => {
      const scopes = scopeList(app.scopes);
      return h('tr', null,
        h('td', { class: 'app-name' },
          h('span', { class: 'strong' }, app.name),
          app.domain ? h('span', { class: 'muted cell-sub' }, app.domain) : null),
        h('td', { class: 'mono client-id' }, app.client_id),
        h('td', null, h('ul', { class: 'access-names access-names-inline', 'aria-label': `Scopes of ${app.name}` },
          scopes.map((s) => h('li', null, h('code', { class: 'access-name' }, s))))),
        h('td', { class: 'num' }, String(app.tokens ?? 0)),
        h('td', null, dateOnly(app.created_at, '—')),
        isAdmin
          ? h('td', { class: 'actions' }, menuButton(`Actions for application ${app.name}`, [
            { label: 'Edit', onSelect: () => openEdit(org, app, catalog, reload) },
            { label: 'Delete', danger: true, onSelect: () => confirmDelete(org, app, reload) },
          ]))
          : null);
    }), 'OAuth applications'));
  }

  if (newBtn) {
    newBtn.addEventListener('click', () => openNew(org, catalog, newBtn, reload));
  }

  await load();
}

// Name, redirect URI and scope checkboxes; `app` pre-fills them.
function appFields(scopes, app) {
  const ids = { name: uid('app-name'), redirect: uid('app-redirect'), scopes: uid('app-scopes') };
  const held = new Set(app ? scopeList(app.scopes) : []);
  const name = h('input', {
    id: ids.name, class: 'input', autocomplete: 'off', spellcheck: 'false', maxlength: '64',
    value: app ? app.name : '',
  });
  const redirect = h('input', {
    id: ids.redirect, type: 'url', class: 'input mono', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'https://example.com/oauth/callback', value: app ? app.redirect_uri : '',
  });
  const boxes = [];
  const checks = scopes.map((s) => {
    const id = uid('scope');
    const descId = `${id}-desc`;
    const box = h('input', {
      id, type: 'checkbox', class: 'checkbox', value: s.name, checked: held.has(s.name),
      'aria-describedby': s.description ? descId : null,
    });
    boxes.push(box);
    return h('div', { class: 'check' },
      box,
      h('div', null,
        h('label', { for: id, class: 'check-label mono' }, s.name),
        s.description ? h('p', { id: descId, class: 'hint' }, s.description) : null));
  });
  const fields = [
    h('div', { class: 'field' }, h('label', { for: ids.name, class: 'label' }, 'Name'), name,
      h('p', { class: 'hint' }, 'Shown to people when the application asks for access.')),
    h('div', { class: 'field' }, h('label', { for: ids.redirect, class: 'label' }, 'Redirect URI'), redirect,
      h('p', { class: 'hint' }, 'Where people are sent back after they authorize or deny the application.')),
    h('fieldset', { class: 'access-group scope-group' },
      h('legend', null, 'Scopes'),
      h('p', { class: 'hint' }, 'The most an authorization of this application can allow.'),
      h('div', { class: 'scope-grid' }, checks)),
  ];
  return {
    fields,
    name,
    redirect,
    // The body, or an error message for the first missing field (focused).
    read() {
      const body = {
        name: name.value.trim(),
        redirect_uri: redirect.value.trim(),
        scopes: boxes.filter((b) => b.checked).map((b) => b.value),
      };
      if (!body.name) { name.focus(); return { error: 'Enter a name for the application.' }; }
      if (!body.redirect_uri) { redirect.focus(); return { error: 'Enter the redirect URI of the application.' }; }
      if (!body.scopes.length) {
        if (boxes[0]) boxes[0].focus();
        return { error: 'Choose at least one scope.' };
      }
      return { body };
    },
  };
}

async function loadScopes(catalog, trigger) {
  trigger.disabled = true;
  trigger.setAttribute('aria-busy', 'true');
  try {
    return await catalog();
  } finally {
    trigger.disabled = false;
    trigger.removeAttribute('aria-busy');
  }
}

async function openNew(org, catalog, trigger, reload) {
  let scopes;
  try {
    scopes = await loadScopes(catalog, trigger);
  } catch (err) {
    reportError(err);
    return;
  }
  const form = appFields(scopes, null);
  let created = false;
  formModal({
    title: 'New OAuth application',
    submitLabel: 'Create application',
    wide: true,
    fields: form.fields,
    onClose: () => { if (created) reload(); },
    action: async (_form, modal) => {
      const { body, error } = form.read();
      if (error) {
        modal.error.set(error);
        return;
      }
      const app = await api.post(api.paths.oauthApps(org), body);
      created = true;
      showCreated(modal, app);
    },
  });
}

// The same modal, now showing the client ID and the client secret (shown once).
function showCreated(modal, app) {
  const done = button('Done', { variant: 'primary', onclick: () => modal.close() });
  modal.footer.hidden = false;
  modal.setContent([
    h('p', null, 'OAuth application ', h('strong', null, app.name), ' was created.'),
    copyField('Client ID', app.client_id || '', 'client ID'),
    copyField('Client secret', app.client_secret || '', 'client secret'),
    h('div', { class: 'warning', role: 'note' },
      'Copy the client secret now and store it with the application. It cannot be shown again.'),
  ], [done]);
}

async function openEdit(org, app, catalog, reload) {
  let scopes;
  try {
    scopes = await catalog();
  } catch (err) {
    reportError(err);
    return;
  }
  const form = appFields(scopes, app);
  formModal({
    title: 'Edit OAuth application',
    submitLabel: 'Save changes',
    wide: true,
    fields: form.fields,
    action: async (_form, modal) => {
      const { body, error } = form.read();
      if (error) {
        modal.error.set(error);
        return;
      }
      const saved = await api.patch(api.paths.oauthApp(org, app.id), body);
      modal.close();
      reload();
      toastSuccess(`Saved ${saved && saved.name ? saved.name : body.name}.`);
    },
  });
}

function confirmDelete(org, app, reload) {
  confirmModal({
    title: 'Delete OAuth application',
    message: [
      'The application ', h('strong', null, app.name),
      ' can no longer ask for access. Deleting it revokes every token it holds.',
    ],
    confirmLabel: 'Delete application',
    action: () => api.del(api.paths.oauthApp(org, app.id)),
    onDone: () => {
      reload();
      toastSuccess(`Deleted ${app.name}.`);
    },
  });
}
