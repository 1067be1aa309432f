// /{org}/settings/service-tokens/{id}: one service token and its permissions.
import {
  h, mount, loading, button, toastSuccess, detailList,
} from '../dom.js';
import * as api from '../api.js';
import { confirmModal } from '../modal.js';
import { menuButton } from '../menu.js';
import { timeAgo, dateAndTime, dateOnly } from '../format.js';
import { settingsLayout } from '../layout.js';
import { tokenName } from './tokens.js';
import { openOrgAccessModal, openDbAccessModal } from './token_access.js';

const enc = encodeURIComponent;

function accessList(accesses) {
  return h('ul', { class: 'access-names' }, accesses.map((a) => h('li', null,
    h('code', { class: 'access-name' }, a.access),
    a.description ? h('span', { class: 'muted' }, ` ${a.description}`) : null)));
}

function grantRow(title, kindLabel, accesses, menu) {
  return h('div', { class: 'grant-row' },
    h('div', { class: 'grant-main' },
      h('p', { class: 'grant-title' }, h('span', { class: 'grant-kind' }, kindLabel), ' ', h('strong', null, title)),
      accessList(accesses)),
    menu);
}

export default async function tokenPage(ctx) {
  const { org, id } = ctx.params;
  ctx.setTitle('Service token');
  const content = settingsLayout(ctx, 'service-tokens');
  mount(content, loading());
  const base = api.paths.token(org, id);

  async function load() {
    const [token, grants] = await Promise.all([api.get(base), api.get(`${base}/grants`)]);
    if (!ctx.isCurrent()) return;
    draw(token, (grants && grants.data) || []);
  }

  const reload = (changed) => {
    if (changed) toastSuccess('Permissions saved.');
    if (ctx.isCurrent()) load().catch(ctx.fail);
  };

  function removeAccess(what, database, accesses) {
    confirmModal({
      title: 'Remove access',
      message: `Remove all of this token’s permissions on ${what}?`,
      confirmLabel: 'Remove access',
      action: () => api.del(`${base}/access`, { ...(database ? { database } : {}), access: accesses }),
      onDone: () => { toastSuccess('Access removed.'); reload(false); },
    });
  }

  function draw(token, grants) {
    const name = tokenName(token);
    ctx.setTitle(name);
    const orgGrant = grants.find((g) => g.resource_type === 'Organization');
    const dbGrants = grants.filter((g) => g.resource_type === 'Database');
    const orgHeld = new Set(orgGrant ? orgGrant.accesses.map((a) => a.access) : []);
    const dbHeld = new Map(dbGrants.map((g) => [g.resource_name, new Set(g.accesses.map((a) => a.access))]));

    const editOrg = () => openOrgAccessModal({ org, tokenId: token.id, held: orgHeld, onSaved: reload });
    const editDb = (db) => openDbAccessModal({ org, tokenId: token.id, grants: dbHeld, fixedDb: db, onSaved: reload });

    const addOrg = button('Add organization permissions', { onclick: editOrg });
    const addDb = button('Add database access', { onclick: () => editDb(null) });
    const deleteBtn = button('Delete service token', { variant: 'danger' });
    deleteBtn.addEventListener('click', () => confirmModal({
      title: `Delete service token ${name}?`,
      message: 'Deleting a service token will sever any database connections that use it.',
      confirmLabel: 'Delete',
      action: () => api.del(base),
      onDone: () => {
        // Navigating clears notifications; this one is about the next page's list.
        ctx.navigate(`/${enc(org)}/settings/service-tokens`);
        toastSuccess(`Service token ${name} deleted.`);
      },
    }));

    const orgName = orgGrant ? orgGrant.resource_name || org : org;
    mount(content,
      h('div', { class: 'page-header' },
        h('p', { class: 'breadcrumb' },
          h('a', { href: `/${enc(org)}/settings/service-tokens` }, 'All service tokens'), ' / '),
        h('h1', { class: 'page-title' }, name)),
      detailList([
        ['ID', h('span', { class: 'mono' }, token.id)],
        ['Created', dateAndTime(token.created_at)],
        ['Created by', token.actor_display_name || '—'],
        ['Last used', timeAgo(token.last_used_at, 'Never')],
        ['Expires', token.expires_at ? dateOnly(token.expires_at) : 'Never'],
      ]),

      h('section', { class: 'section' },
        h('div', { class: 'section-header' },
          h('h2', { class: 'section-title' }, 'Organization access'), addOrg),
        orgGrant && orgGrant.accesses.length
          ? h('div', { class: 'grant-list' }, grantRow(orgName, 'Organization', orgGrant.accesses,
            menuButton(`Actions for organization ${orgName}`, [
              { label: 'Edit permissions', onSelect: editOrg },
              { label: 'Remove access', danger: true, onSelect: () => removeAccess(`the organization ${orgName}`, '', [...orgHeld]) },
            ])))
          : h('p', { class: 'empty-inline' }, 'This token has no organization-level permissions.')),

      h('section', { class: 'section' },
        h('div', { class: 'section-header' },
          h('h2', { class: 'section-title' }, 'Database access'), addDb),
        dbGrants.length
          ? h('div', { class: 'grant-list' }, dbGrants.map((g) => grantRow(g.resource_name, 'Database', g.accesses,
            menuButton(`Actions for database ${g.resource_name}`, [
              { label: 'Edit permissions', onSelect: () => editDb(g.resource_name) },
              { label: 'Remove access', danger: true, onSelect: () => removeAccess(`the database ${g.resource_name}`, g.resource_name, [...dbHeld.get(g.resource_name)]) },
            ]))))
          : h('p', { class: 'empty-inline' }, 'This token has no database permissions.')),

      h('section', { class: 'card card-danger' },
        h('h2', { class: 'card-title' }, 'Danger zone'),
        h('p', { class: 'muted' }, 'Applications using this token lose access immediately.'),
        h('div', { class: 'button-row' }, deleteBtn)));
  }

  await load();
}
