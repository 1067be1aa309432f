// /oauth/authorize?client_id=…&redirect_uri=…&scope=…&state=…: the consent
// page of the authorization-code flow. The signed-in person sees which
// application asks for which scopes in which organization, and answers with a
// real form POST to /oauth/authorize; the server redirects the browser to the
// application with a code (or error=access_denied).
import { h, mount, errorArea, loading } from '../dom.js';
import * as api from '../api.js';

// Copied from the query string into the form, as the server reads them.
const FORWARDED = [
  'client_id', 'redirect_uri', 'scope', 'state', 'response_type', 'code_challenge', 'code_challenge_method',
];

export function brand() {
  return h('div', { class: 'login-brand' },
    h('img', { src: '/assets/favicon.svg', alt: '', width: '32', height: '32' }),
    h('span', null, 'opscale'));
}

// The centered card of the standalone pages; returns the card.
export function standaloneCard(root) {
  const card = h('div', { class: 'login-card standalone-card' });
  mount(root, h('main', { class: 'login standalone', id: 'main' }, card));
  return card;
}

export default async function oauthConsentPage(ctx) {
  ctx.setTitle('Authorize application');
  const card = standaloneCard(ctx.root);
  mount(card, brand(), loading());

  let info;
  try {
    info = await api.get(`/oauth/authorize/info${location.search}`);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    // 401 is a session that ended, or a client the server does not know.
    if (err.status === 401 && !(await stillSignedIn())) {
      ctx.sessionExpired();
      return;
    }
    showError(ctx, card, err.message || 'This authorization request is not valid.');
    return;
  }
  if (!ctx.isCurrent()) return;

  const app = info.application || {};
  const name = app.name || app.client_id || 'the application';
  const email = api.session.user ? api.session.user.email : '';
  ctx.setTitle(`Authorize ${name}`);

  const hidden = FORWARDED.map((key) => h('input', {
    type: 'hidden', name: key, value: ctx.query.get(key) || '',
  }));
  hidden.push(h('input', { type: 'hidden', name: 'csrf_token', value: api.session.csrf }));
  const approve = h('button', { type: 'submit', name: 'decision', value: 'approve', class: 'btn btn-primary' }, 'Authorize');
  const deny = h('button', { type: 'submit', name: 'decision', value: 'deny', class: 'btn btn-secondary' }, 'Deny');
  const form = h('form', { method: 'POST', action: '/oauth/authorize', class: 'consent-form' },
    hidden,
    h('div', { class: 'button-row consent-buttons' }, deny, approve));

  // The server's policy is "no-referrer", with which the browser sends
  // "Origin: null" on a form POST, and the server refuses that as cross-site.
  // "same-origin" still sends nothing to other origins (the redirect to the
  // application carries no Referer) but names this origin on the POST.
  useSameOriginReferrer();

  // One answer per page view (the buttons stay enabled so the clicked one is sent).
  let sent = false;
  form.addEventListener('submit', (e) => {
    if (sent) {
      e.preventDefault();
      return;
    }
    sent = true;
    if (e.submitter) e.submitter.setAttribute('aria-busy', 'true');
  });
  // Back from the application (page cache): the page may answer again.
  window.addEventListener('pageshow', (e) => {
    if (!e.persisted) return;
    sent = false;
    approve.removeAttribute('aria-busy');
    deny.removeAttribute('aria-busy');
  });

  const scopes = Array.isArray(info.scopes) ? info.scopes : [];
  // Focus starts on the question, not on a button a stray Enter would press.
  const heading = h('h1', { class: 'login-title', tabindex: '-1' }, `Authorize ${name}`);
  mount(card,
    brand(),
    heading,
    h('p', null,
      h('strong', null, name),
      app.domain ? ` (${app.domain})` : '',
      ' wants to access the organization ', h('strong', null, info.organization || ''),
      ' as ', h('strong', null, email), '.'),
    h('h2', { class: 'consent-subtitle', id: 'consent-scopes' }, 'It will be able to:'),
    h('ul', { class: 'consent-scopes', 'aria-labelledby': 'consent-scopes' },
      scopes.map((s) => h('li', { class: 'consent-scope' },
        h('code', { class: 'access-name' }, s.name),
        s.description ? h('span', { class: 'consent-scope-desc' }, s.description) : null))),
    h('p', { class: 'muted consent-redirect' },
      'You will be sent to ', h('span', { class: 'mono' }, info.redirect_uri || ''), '.'),
    form);
  heading.focus();
}

function useSameOriginReferrer() {
  let meta = document.head.querySelector('meta[name="referrer"]');
  if (!meta) {
    meta = h('meta', { name: 'referrer' });
    document.head.appendChild(meta);
  }
  meta.setAttribute('content', 'same-origin');
}

async function stillSignedIn() {
  try {
    return await api.loadSession();
  } catch {
    return true;
  }
}

function showError(ctx, card, message) {
  ctx.setTitle('Authorization failed');
  const area = errorArea();
  const orgs = api.session.organizations;
  const home = orgs.length ? `/${encodeURIComponent(orgs[0].name)}` : '/';
  mount(card,
    brand(),
    h('h1', { class: 'login-title' }, 'This application cannot be authorized'),
    area.el,
    h('p', { class: 'muted' }, 'Ask the application\u2019s developer to check its client ID, redirect URI and scopes.'),
    h('a', { href: home, class: 'btn btn-secondary' }, 'Back to dashboard'));
  area.set(message);
}
