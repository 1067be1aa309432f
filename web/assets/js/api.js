// Talks to opscaled: same-origin fetch with the session cookie, the CSRF header on
// state-changing requests, JSON bodies, and {"code","message"} errors.

export const session = {
  user: null,
  csrf: '',
  expiresAt: null,
  organizations: [],
};

export class ApiError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.handled = false; // true once the app already reacted (session expiry)
    Object.assign(this, extra);
  }
}

let onUnauthorized = () => {};
// fn() is called when a /v1 request answers 401 (session expired).
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

const SAFE = new Set(['GET', 'HEAD']);

export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (!SAFE.has(method) && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network', 'Could not reach the server. Check your connection and try again.');
  }
  let data = null;
  const text = res.status === 204 ? '' : await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (res.ok) return data;

  const message = (data && typeof data.message === 'string' && data.message)
    || `Request failed (HTTP ${res.status}).`;
  const err = new ApiError(res.status, (data && data.code) || 'error', message, {
    retryAfter: res.headers.get('Retry-After'),
  });
  if (res.status === 401 && path.startsWith('/v1/')) {
    err.handled = true;
    onUnauthorized();
  }
  throw err;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body === undefined ? {} : body);
export const patch = (path, body) => request('PATCH', path, body);
export const del = (path, body) => request('DELETE', path, body);

// Every item of a page-based list (per_page 100, following next_page).
export async function listAll(path, maxPages = 50) {
  const out = [];
  const sep = path.includes('?') ? '&' : '?';
  let page = 1;
  for (let i = 0; i < maxPages && page; i += 1) {
    const res = await get(`${path}${sep}page=${page}&per_page=100`);
    out.push(...((res && res.data) || []));
    page = res && res.next_page ? res.next_page : null;
  }
  return out;
}

// Path helpers: every segment is URL-encoded.
const enc = encodeURIComponent;
export const paths = {
  org: (org) => `/v1/organizations/${enc(org)}`,
  databases: (org) => `/v1/organizations/${enc(org)}/databases`,
  database: (org, db) => `/v1/organizations/${enc(org)}/databases/${enc(db)}`,
  branches: (org, db) => `${paths.database(org, db)}/branches`,
  branch: (org, db, br) => `${paths.branches(org, db)}/${enc(br)}`,
  passwords: (org, db, br) => `${paths.branch(org, db, br)}/passwords`,
  deployRequests: (org, db) => `${paths.database(org, db)}/deploy-requests`,
  deployRequest: (org, db, n) => `${paths.deployRequests(org, db)}/${enc(n)}`,
  tokens: (org) => `/v1/organizations/${enc(org)}/service-tokens`,
  token: (org, id) => `/v1/organizations/${enc(org)}/service-tokens/${enc(id)}`,
  catalog: (org, db) => `/v1/organizations/${enc(org)}/access-catalog${db ? `?database=${enc(db)}` : ''}`,
  audit: (org) => `/v1/organizations/${enc(org)}/audit-log`,
  members: (org) => `/v1/organizations/${enc(org)}/members`,
  oauthApps: (org) => `/v1/organizations/${enc(org)}/oauth-applications`,
  oauthApp: (org, id) => `/v1/organizations/${enc(org)}/oauth-applications/${enc(id)}`,
  oauthScopes: () => '/v1/oauth-scopes',
};

// ---- Session ----------------------------------------------------------------

const SIGNED_IN_KEY = 'opscale.signedIn';

function remember(flag) {
  try {
    if (flag) localStorage.setItem(SIGNED_IN_KEY, '1');
    else localStorage.removeItem(SIGNED_IN_KEY);
  } catch {
    // storage unavailable: only the "expired" hint is lost
  }
}

// True when this browser was signed in and did not sign out (so a 401 means "expired").
export function wasSignedIn() {
  try {
    return localStorage.getItem(SIGNED_IN_KEY) === '1';
  } catch {
    return false;
  }
}

function applySession(data) {
  session.user = data.user || null;
  session.csrf = data.csrf_token || '';
  session.expiresAt = data.expires_at || null;
  session.organizations = Array.isArray(data.organizations) ? data.organizations : [];
}

export function clearSession() {
  session.user = null;
  session.csrf = '';
  session.expiresAt = null;
  session.organizations = [];
}

// Loads the current session; false when not signed in (the server answers
// {"signed_in":false}; a 401 is accepted too).
export async function loadSession() {
  try {
    const data = await get('/auth/session');
    if (!data || data.signed_in === false || !data.user) {
      clearSession();
      return false;
    }
    applySession(data);
    remember(true);
    return true;
  } catch (err) {
    if (err.status === 401) {
      clearSession();
      return false;
    }
    throw err;
  }
}

export async function login(email, password) {
  const data = await request('POST', '/auth/login', { email, password });
  applySession(data);
  remember(true);
  return data;
}

export async function logout() {
  try {
    await request('POST', '/auth/logout');
  } finally {
    clearSession();
    remember(false);
  }
}

// Forget the session after the server said it expired (keeps the "was signed in" hint).
export function expireSession() {
  clearSession();
}

export function isSignedIn() {
  return Boolean(session.user);
}

export function orgRole(org) {
  const m = session.organizations.find((o) => o.name === org);
  return m ? m.role : null;
}
