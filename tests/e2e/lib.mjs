// Shared helpers of the dashboard's browser tests: launch Debian's Chromium
// with playwright-core, sign in, take screenshots (test artifacts), run the
// real CLI, and fail on any console error the page did not expect.
//
// A spec is run by tests/integration/dashboard_test.cc against a real
// opscaled, with these environment variables:
//   OPSCALE_URL, OPSCALE_ORG, OPSCALE_EMAIL, OPSCALE_PASSWORD, OPSCALE_CLI,
//   OPSCALE_ARTIFACTS (screenshots), CHROMIUM (default /usr/bin/chromium)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename } from 'node:path';
import { chromium } from 'playwright-core';

export { assert };

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}

export const env = {
  url: need('OPSCALE_URL'),
  org: process.env.OPSCALE_ORG || 'acme',
  email: need('OPSCALE_EMAIL'),
  password: need('OPSCALE_PASSWORD'),
  cli: process.env.OPSCALE_CLI || '',
  artifacts: process.env.OPSCALE_ARTIFACTS || 'e2e-artifacts',
};

const specName = basename(process.argv[1] || 'spec', '.mjs');

// Flags for a closed network: no background fetches to Google's hosts.
const kChromiumArgs = [
  '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-default-apps',
];

export async function launch({ viewport = { width: 1280, height: 800 } } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: kChromiumArgs,
  });
  const context = await browser.newContext({ viewport, baseURL: env.url });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.url });
  const session = { browser, context, problems: [], allowed: [] };
  session.page = await newPage(session);
  return session;
}

// A new tab whose console errors and uncaught exceptions are recorded.
export async function newPage(session) {
  const page = await session.context.newPage();
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    const where = msg.location()?.url || '';
    const text = `${msg.type()}: ${msg.text()} (${where})`;
    if (session.allowed.some((re) => re.test(text))) return;
    session.problems.push(text);
  });
  page.on('pageerror', (err) => session.problems.push(`uncaught: ${err.message}`));
  return page;
}

// Console messages matching `re` are expected from here on (for example the
// browser's own "Failed to load resource" line for a refused request).
export function allowConsole(session, re) {
  session.allowed.push(re);
}

let shotNumber = 0;
// A full-page PNG in OPSCALE_ARTIFACTS. `mask` locators (secrets on screen)
// are painted over, so no artifact holds a token.
export async function screenshot(page, name, { mask = [] } = {}) {
  mkdirSync(env.artifacts, { recursive: true });
  shotNumber += 1;
  const file = `${env.artifacts}/${specName}-${String(shotNumber).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path: file, fullPage: true, mask });
  return file;
}

export async function signIn(page, { email = env.email, password = env.password } = {}) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// Runs the real CLI; never prints secrets (callers assert on the result).
export function cli(args, extraEnv = {}) {
  assert.ok(env.cli, 'OPSCALE_CLI is not set');
  const r = spawnSync(env.cli, args, {
    encoding: 'utf8',
    timeout: 60000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PLANETSCALE_API_URL: env.url, ...extraEnv },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// A JSON API call with a credential header (service token or bearer).
export async function api(method, path, { auth, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (auth) headers.Authorization = auth;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(env.url + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

// Runs one spec: on failure, a screenshot of every open page and exit 1.
// Afterwards, any unexpected console error fails the spec too.
export async function run(fn) {
  const session = await launch();
  let failed = false;
  try {
    await fn(session);
  } catch (err) {
    failed = true;
    console.error(`FAIL ${specName}: ${err.stack || err}`);
    for (const [i, p] of session.context.pages().entries()) {
      try { console.error(`  page ${i}: ${p.url()} -> ${await screenshot(p, `failure-${i}`)}`); } catch { /* closed */ }
    }
  }
  if (!failed && session.problems.length) {
    failed = true;
    console.error(`FAIL ${specName}: console errors:\n  ${session.problems.join('\n  ')}`);
  }
  await session.browser.close();
  if (failed) process.exit(1);
  console.log(`PASS ${specName}`);
}
