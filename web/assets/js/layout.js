// Shared page chrome: the top bar, the database header with tabs, the settings side nav.
import { h, mount, uid } from './dom.js';
import { session } from './api.js';

const enc = encodeURIComponent;

function navLink(href, text, current) {
  return h('a', { href, class: ['nav-link', current && 'is-current'], 'aria-current': current ? 'page' : null }, text);
}

// Renders the top bar into `app` and returns the (empty) <main> for the page.
export function renderTopbar(app, { org, section, onSignOut, onSwitchOrg }) {
  const orgs = session.organizations.map((o) => o.name);
  const current = org || orgs[0] || '';
  if (current && !orgs.includes(current)) orgs.unshift(current);

  const selectId = uid('org-select');
  const select = h('select', { id: selectId, class: 'select select-sm org-select' },
    orgs.map((name) => h('option', { value: name, selected: name === current }, name)));
  select.value = current;
  select.addEventListener('change', () => onSwitchOrg(select.value));

  const base = current ? `/${enc(current)}` : '/';
  const signOut = h('button', { type: 'button', class: 'btn btn-ghost btn-sm' }, 'Sign out');
  signOut.addEventListener('click', () => {
    signOut.disabled = true;
    onSignOut();
  });

  const header = h('header', { class: 'topbar' },
    h('div', { class: 'topbar-inner' },
      h('a', { href: base, class: 'brand' },
        h('img', { src: '/assets/favicon.svg', alt: '', width: '22', height: '22' }), 'opscale'),
      h('div', { class: 'org-switcher' },
        h('label', { for: selectId, class: 'sr-only' }, 'Organization'),
        select),
      h('nav', { class: 'topnav', 'aria-label': 'Main' },
        navLink(base, 'Databases', section === 'databases'),
        navLink(current ? `${base}/settings/service-tokens` : '/', 'Settings', section === 'settings'),
        navLink(current ? `${base}/audit-log` : '/', 'Audit log', section === 'audit'),
        navLink('/docs', 'API docs', section === 'docs')),
      h('div', { class: 'topbar-user' },
        h('span', { class: 'user-email', title: session.user ? session.user.display_name || '' : '' },
          session.user ? session.user.email : ''),
        signOut)));
  const main = h('main', { class: 'container', id: 'main' });
  mount(app, h('a', { href: '#main', class: 'skip-link' }, 'Skip to content'), header, main);
  return main;
}

const DB_TABS = [
  ['branches', 'Branches', ''],
  ['passwords', 'Passwords', '/passwords'],
  ['deploy-requests', 'Deploy requests', '/deploy-requests'],
  ['settings', 'Settings', '/settings'],
];

// Database page chrome; returns the element the tab fills.
export function databaseLayout(ctx, tab) {
  const { org, db } = ctx.params;
  const base = `/${enc(org)}/${enc(db)}`;
  const body = h('div', { class: 'tab-body' });
  mount(ctx.root,
    h('div', { class: 'page-header' },
      h('p', { class: 'breadcrumb' }, h('a', { href: `/${enc(org)}` }, org), ' / '),
      h('h1', { class: 'page-title' }, db)),
    h('nav', { class: 'tabs', 'aria-label': 'Database' },
      DB_TABS.map(([key, text, suffix]) => navLink(base + suffix, text, key === tab))),
    body);
  return body;
}

// Organization settings chrome (side nav); returns the content element. A page
// that fails to load shows the error there, so the side nav stays usable.
export function settingsLayout(ctx, item) {
  const base = `/${enc(ctx.params.org)}/settings`;
  const body = h('div', { class: 'settings-body' });
  ctx.failRoot = body;
  mount(ctx.root,
    h('div', { class: 'settings' },
      h('nav', { class: 'sidenav', 'aria-label': 'Settings' },
        h('p', { class: 'sidenav-title' }, 'Settings'),
        navLink(`${base}/service-tokens`, 'Service tokens', item === 'service-tokens'),
        navLink(`${base}/members`, 'Members', item === 'members'),
        navLink(`${base}/oauth-applications`, 'OAuth applications', item === 'oauth-applications')),
      body));
  return body;
}
