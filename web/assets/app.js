// opscale dashboard: boot, History-API router and the signed-in layout.
import { h, mount, clearToasts, errorArea } from './js/dom.js';
import * as api from './js/api.js';
import { closeAllModals } from './js/modal.js';
import { renderTopbar } from './js/layout.js';
import loginPage from './js/pages/login.js';
import databasesPage from './js/pages/databases.js';
import branchesPage from './js/pages/branches.js';
import branchPage from './js/pages/branch.js';
import passwordsPage from './js/pages/passwords.js';
import deployRequestsPage from './js/pages/deploy_requests.js';
import deployRequestPage from './js/pages/deploy_request.js';
import dbSettingsPage from './js/pages/db_settings.js';
import tokensPage from './js/pages/tokens.js';
import tokenPage from './js/pages/token.js';
import auditPage from './js/pages/audit.js';
import membersPage from './js/pages/members.js';
import oauthAppsPage from './js/pages/oauth_apps.js';
import oauthConsentPage from './js/pages/oauth_consent.js';
import oauthDevicePage from './js/pages/oauth_device.js';
import { notFound, noAccess } from './js/pages/not_found.js';
import { apiReferencePage, accessReferencePage } from './js/pages/docs.js';

// Literal segments come before parameters of the same length. `standalone`
// pages (no top bar) are the server's own pages under /oauth/: the server sends
// them with their own security policy, so they are always loaded as documents.
const ROUTES = [
  { pattern: '/login', page: loginPage, public: true },
  { pattern: '/oauth/authorize', page: oauthConsentPage, standalone: true },
  { pattern: '/oauth/device', page: oauthDevicePage, standalone: true },
  { pattern: '/', page: home },
  { pattern: '/docs', page: apiReferencePage, section: 'docs' },
  { pattern: '/docs/access', page: accessReferencePage, section: 'docs' },
  { pattern: '/:org/settings', redirect: (p) => `/${enc(p.org)}/settings/service-tokens` },
  { pattern: '/:org/settings/service-tokens', page: tokensPage, section: 'settings' },
  { pattern: '/:org/settings/service-tokens/:id', page: tokenPage, section: 'settings' },
  { pattern: '/:org/settings/members', page: membersPage, section: 'settings' },
  { pattern: '/:org/settings/oauth-applications', page: oauthAppsPage, section: 'settings' },
  { pattern: '/:org/audit-log', page: auditPage, section: 'audit' },
  { pattern: '/:org', page: databasesPage, section: 'databases' },
  { pattern: '/:org/:db/passwords', page: passwordsPage, section: 'databases' },
  { pattern: '/:org/:db/deploy-requests', page: deployRequestsPage, section: 'databases' },
  { pattern: '/:org/:db/deploy-requests/:number', page: deployRequestPage, section: 'databases' },
  { pattern: '/:org/:db/settings', page: dbSettingsPage, section: 'databases' },
  { pattern: '/:org/:db', page: branchesPage, section: 'databases' },
  { pattern: '/:org/:db/:branch', page: branchPage, section: 'databases' },
];

const enc = encodeURIComponent;
const RESERVED = ['/v1/', '/auth/', '/oauth/', '/assets/', '/healthz'];
// Server paths that render a dashboard page (sign-in may return to them).
const STANDALONE = ['/oauth/authorize', '/oauth/device'];
// The path and query this document was loaded with.
const documentPath = location.pathname + location.search;

function match(path) {
  let segs;
  try {
    segs = path === '/' ? [] : path.slice(1).split('/').map(decodeURIComponent);
  } catch {
    return null;
  }
  if (segs.some((s) => s === '')) return null;
  for (const route of ROUTES) {
    const parts = route.pattern === '/' ? [] : route.pattern.slice(1).split('/');
    if (parts.length !== segs.length) continue;
    const params = {};
    let ok = true;
    parts.forEach((part, i) => {
      if (part.startsWith(':')) params[part.slice(1)] = segs[i];
      else if (part !== segs[i]) ok = false;
    });
    if (ok) return { route, params };
  }
  return null;
}

let renderSeq = 0;
let loginFlash = '';

export function navigate(to, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  render();
}

function currentPath() {
  return location.pathname + location.search;
}

// A same-origin dashboard path to return to after sign-in, or ''.
function safeNext(next) {
  if (!next || !next.startsWith('/')) return '';
  let url;
  try {
    url = new URL(next, location.origin);
  } catch {
    return '';
  }
  if (url.origin !== location.origin || url.pathname === '/login') return '';
  if (RESERVED.some((p) => url.pathname.startsWith(p)) && !STANDALONE.includes(url.pathname)) return '';
  return url.pathname + url.search;
}

function homePath() {
  const orgs = api.session.organizations;
  return orgs.length ? `/${enc(orgs[0].name)}` : '/';
}

function home(ctx) {
  if (api.session.organizations.length) {
    ctx.navigate(homePath(), { replace: true });
    return;
  }
  ctx.setTitle('No organizations');
  mount(ctx.root, h('div', { class: 'empty' },
    h('h1', { class: 'empty-title' }, 'No organizations'),
    h('p', { class: 'empty-hint' },
      'Your account is not a member of any organization yet. Ask an administrator to add you, or create one with “opscaled org create”.')));
}

function errorState(root, message, ctx) {
  ctx.setTitle('Something went wrong');
  const area = errorArea();
  mount(root, h('div', { class: 'page-error' }, h('h1', null, 'Something went wrong'), area.el));
  area.set(message);
}

async function render() {
  const seq = ++renderSeq;
  closeAllModals();
  // Notifications belong to the page they were shown on.
  clearToasts();
  let path = location.pathname;
  if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '');
  const app = document.getElementById('app');
  const m = match(path);
  const query = new URLSearchParams(location.search);

  if (m && m.route.public) {
    if (api.isSignedIn()) {
      navigate(safeNext(query.get('next')) || homePath(), { replace: true });
      return;
    }
    document.title = 'Sign in · opscale';
    const flash = loginFlash;
    loginFlash = '';
    m.route.page({
      root: app, query, flash,
      onSignedIn: () => navigate(safeNext(query.get('next')) || homePath(), { replace: true }),
    });
    return;
  }
  if (!api.isSignedIn()) {
    navigate(path === '/' ? '/login' : `/login?next=${enc(currentPath())}`, { replace: true });
    return;
  }
  if (m && m.route.redirect) {
    navigate(m.route.redirect(m.params), { replace: true });
    return;
  }
  if (m && m.route.standalone) {
    renderStandalone(m.route, app, query, seq);
    return;
  }

  const params = m ? m.params : {};
  const main = renderTopbar(app, {
    org: params.org,
    section: m ? m.route.section : null,
    onSignOut: signOut,
    onSwitchOrg: (org) => navigate(`/${enc(org)}`),
  });
  const ctx = {
    params,
    query,
    root: main,
    org: params.org,
    navigate,
    isCurrent: () => seq === renderSeq,
    setTitle: (t) => { document.title = [t, params.org, 'opscale'].filter(Boolean).join(' · '); },
    // Shows a load failure in place of the page.
    fail(err) {
      if (seq !== renderSeq || (err && err.handled)) return;
      // A layout may keep its navigation around the failure (ctx.failRoot).
      const target = ctx.failRoot && ctx.failRoot.isConnected ? ctx.failRoot : main;
      if (err && err.status === 404) notFound(target, err.message, ctx);
      else if (err && err.status === 403) noAccess(target, err.message, ctx);
      else errorState(target, (err && err.message) || 'Something went wrong.', ctx);
    },
  };
  if (!m) {
    notFound(main, null, ctx);
    return;
  }
  try {
    await m.route.page(ctx);
  } catch (err) {
    ctx.fail(err);
  }
}

// A page without the top bar (OAuth consent, device approval). Reached from
// another dashboard page (after sign-in), it is loaded from the server instead:
// the server's policy for it may allow its form to reach the application.
async function renderStandalone(route, app, query, seq) {
  if (currentPath() !== documentPath) {
    location.replace(currentPath());
    return;
  }
  const ctx = {
    root: app,
    query,
    navigate,
    isCurrent: () => seq === renderSeq,
    setTitle: (t) => { document.title = [t, 'opscale'].filter(Boolean).join(' · '); },
    sessionExpired: onSessionExpired,
  };
  try {
    await route.page(ctx);
  } catch (err) {
    if (seq !== renderSeq || (err && err.handled)) return;
    const main = h('main', { class: 'standalone' });
    mount(app, main);
    errorState(main, (err && err.message) || 'Something went wrong.', ctx);
  }
}

async function signOut() {
  try {
    await api.logout();
  } catch {
    // The cookie is gone or the server is down; either way the browser forgets the session.
  }
  navigate('/login', { replace: true });
}

function onSessionExpired() {
  if (location.pathname === '/login') return;
  api.expireSession();
  loginFlash = 'Your session has expired. Sign in again.';
  navigate(`/login?next=${enc(currentPath())}`, { replace: true });
}

// Same-origin links are handled by the router.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  if (RESERVED.some((p) => url.pathname.startsWith(p))) return;
  e.preventDefault();
  // The fragment is kept: the docs pages scroll to it (/docs/access#access-read_branch).
  if (url.pathname + url.search + url.hash !== currentPath() + location.hash) navigate(url.pathname + url.search + url.hash);
  else render();
});

window.addEventListener('popstate', () => render());

async function boot() {
  api.setUnauthorizedHandler(onSessionExpired);
  let signedIn = false;
  try {
    signedIn = await api.loadSession();
  } catch (err) {
    const app = document.getElementById('app');
    const retry = h('button', { type: 'button', class: 'btn btn-primary', onclick: () => location.reload() }, 'Retry');
    const area = errorArea();
    mount(app, h('main', { class: 'container page-error' }, h('h1', null, 'opscale is unreachable'), area.el, retry));
    area.set(err.message);
    return;
  }
  if (!signedIn && location.pathname !== '/login' && api.wasSignedIn()) {
    loginFlash = 'Your session has expired. Sign in again.';
  }
  render();
}

boot();
