// OAuth from the dashboard: the admin creates an OAuth application in
// Settings > OAuth applications (client secret shown once), authorizes it on
// the consent page (a real form POST; the browser follows the redirect to a
// small callback server started here), the code is exchanged for a token that
// works within its scopes only; a second request is denied (after signing in
// again through /login?next=…); the CLI's device login is approved and denied
// on the device page; the application is edited and deleted from its
// three-dots menu, and its token stops working. A member has no access to
// the page.
import http from 'node:http';
import { assert, allowConsole, api, env, run, screenshot, signIn } from './lib.mjs';

const appName = 'Deploy bot';
const renamed = 'Deploy bot (renamed)';
const cliClientId = 'pscale_app_opscale_cli';
const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

// The application's side: records the query of every /callback request.
const callbacks = [];
const callbackServer = http.createServer((req, res) => {
  if (req.url.startsWith('/callback')) callbacks.push(req.url);
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('ok');
});
await new Promise((resolve) => { callbackServer.listen(0, '127.0.0.1', resolve); });
const callbackBase = `http://127.0.0.1:${callbackServer.address().port}`;
const redirectUri = `${callbackBase}/callback`;

function stopCallbackServer() {
  callbackServer.closeAllConnections();
  callbackServer.close();
}

// A form-encoded POST from the application (never printed: it holds secrets).
async function postForm(path, fields) {
  const res = await fetch(env.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

function consentPath(clientId, state) {
  const q = [
    ['client_id', clientId], ['redirect_uri', redirectUri], ['scope', 'read_databases read_branches'],
    ['state', state], ['response_type', 'code'],
  ].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `/oauth/authorize?${q}`;
}

// The query of the newest callback, once it arrived.
async function lastCallback(count) {
  for (let i = 0; i < 50 && callbacks.length < count; i += 1) await sleep(100);
  assert.equal(callbacks.length, count, 'the callback server was called');
  return new URL(callbacks[count - 1], callbackBase).searchParams;
}

const atCallback = (u) => u.origin === callbackBase && u.pathname === '/callback';

async function openAppsPage(page) {
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('heading', { name: 'Service tokens' }).waitFor();
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'OAuth applications' }).click();
  await page.waitForURL(`**/${env.org}/settings/oauth-applications`);
  await page.getByRole('heading', { name: 'OAuth applications', exact: true }).waitFor();
}

await run(async (session) => {
  try {
    await flow(session);
  } finally {
    stopCallbackServer();
  }
});

async function flow(session) {
  const { page } = session;
  await signIn(page);
  await page.waitForURL(`**/${env.org}`);

  // Settings > OAuth applications: none yet.
  await openAppsPage(page);
  await page.getByText('No OAuth applications yet').waitFor();
  await screenshot(page, 'oauth-apps-empty');

  // "New OAuth application": name, redirect URI, three scopes.
  await page.getByRole('button', { name: 'New OAuth application' }).click();
  const modal = page.getByRole('dialog', { name: 'New OAuth application' });
  await modal.waitFor();
  await modal.getByLabel('Name', { exact: true }).fill(appName);

  // A redirect URI the server refuses: its message, in the modal.
  allowConsole(session, /Failed to load resource.*422/);
  await modal.getByLabel('Redirect URI', { exact: true }).fill('ftp://example.com/callback');
  await modal.getByLabel('read_user', { exact: true }).check();
  await modal.getByRole('button', { name: 'Create application' }).click();
  await modal.getByRole('alert').filter({ hasText: 'redirect_uri' }).waitFor();
  assert.match(await modal.getByRole('alert').textContent(), /absolute http:\/\/ or https:\/\/ URL/);
  await screenshot(page, 'new-oauth-app-refused');

  await modal.getByLabel('Redirect URI', { exact: true }).fill(redirectUri);
  const readDatabases = modal.getByLabel('read_databases', { exact: true });
  const describedBy = await readDatabases.getAttribute('aria-describedby');
  assert.ok(describedBy, 'the scope checkbox has a description');
  assert.equal(await modal.locator(`[id="${describedBy}"]`).textContent(), 'List and read databases');
  for (const scope of ['read_databases', 'read_branches']) {
    await modal.getByLabel(scope, { exact: true }).check();
  }
  await screenshot(page, 'new-oauth-app-modal');
  await modal.getByRole('button', { name: 'Create application' }).click();

  // The same modal shows the client ID and the client secret, once.
  const idField = modal.getByLabel('Client ID', { exact: true });
  const secretField = modal.getByLabel('Client secret', { exact: true });
  await secretField.waitFor();
  assert.equal(await modal.getByLabel('Name', { exact: true }).count(), 0, 'the form is replaced');
  const clientId = await idField.inputValue();
  const clientSecret = await secretField.inputValue();
  assert.match(clientId, /^pscale_app_[a-z0-9]{32}$/);
  assert.ok(/^pscale_app_secret_\S{20,}$/.test(clientSecret), 'a client secret is shown');
  assert.ok(await idField.evaluate((el) => el.readOnly), 'the client ID field is read-only');
  assert.ok(await secretField.evaluate((el) => el.readOnly), 'the client secret field is read-only');
  assert.ok(await modal.getByText('cannot be shown again', { exact: false }).isVisible());
  await screenshot(page, 'oauth-app-created', { mask: [secretField] });
  await modal.getByRole('button', { name: 'Copy client ID' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), clientId);
  await modal.getByRole('button', { name: 'Copy client secret' }).click();
  assert.ok((await page.evaluate(() => navigator.clipboard.readText())) === clientSecret, 'copied secret');

  // "Done": the application is listed.
  await modal.getByRole('button', { name: 'Done' }).click();
  await modal.waitFor({ state: 'hidden' });
  const row = page.getByRole('row').filter({ hasText: appName });
  await row.waitFor();
  const cells = row.getByRole('cell');
  assert.equal((await cells.nth(1).textContent()).trim(), clientId);
  for (const scope of ['read_databases', 'read_branches', 'read_user']) {
    await cells.nth(2).getByText(scope, { exact: true }).waitFor();
  }
  assert.equal((await cells.nth(3).textContent()).trim(), '0', 'no tokens yet');
  await screenshot(page, 'oauth-apps-listed');

  // The consent page: application, organization, person and scopes.
  await page.goto(consentPath(clientId, 'xyz123'));
  await page.getByRole('heading', { name: `Authorize ${appName}` }).waitFor();
  await page.getByText(`${appName} (127.0.0.1) wants to access the organization ${env.org} as ${env.email}.`).waitFor();
  const scopeList = page.getByRole('list', { name: 'It will be able to:' });
  await scopeList.getByText('read_databases', { exact: true }).waitFor();
  await scopeList.getByText('List and read databases').waitFor();
  await scopeList.getByText('read_branches', { exact: true }).waitFor();
  assert.equal(await scopeList.getByRole('listitem').count(), 2, 'only the requested scopes');
  await page.getByText(`You will be sent to ${redirectUri}.`).waitFor();
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0, 'no top bar');
  const form = page.locator('form[action="/oauth/authorize"][method="POST" i]');
  assert.equal(await form.locator('input[type="hidden"][name="state"]').inputValue(), 'xyz123');
  assert.equal(await form.locator('input[type="hidden"][name="client_id"]').inputValue(), clientId);
  assert.ok((await form.locator('input[type="hidden"][name="csrf_token"]').inputValue()).length > 0, 'csrf_token');
  await screenshot(page, 'consent');

  // "Authorize": the browser lands on the application with a code.
  await page.getByRole('button', { name: 'Authorize' }).click();
  await page.waitForURL(atCallback);
  assert.equal((await page.textContent('body')).trim(), 'ok');
  const approved = await lastCallback(1);
  assert.equal(approved.get('state'), 'xyz123');
  const code = approved.get('code');
  assert.ok(code && code.length >= 20, 'a code came back');

  // The application exchanges the code; the token works within its scopes.
  const exchanged = await postForm('/oauth/token', {
    grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, client_secret: clientSecret,
  });
  assert.equal(exchanged.status, 200, `token exchange: ${exchanged.json && exchanged.json.error}`);
  const accessToken = exchanged.json.access_token;
  assert.ok(typeof accessToken === 'string' && accessToken.length > 20, 'an access token');
  assert.equal(exchanged.json.token_type, 'Bearer');
  assert.equal(exchanged.json.scope, 'read_databases read_branches');
  const bearer = `Bearer ${accessToken}`;
  const listed = await api('GET', `/v1/organizations/${env.org}/databases`, { auth: bearer });
  assert.equal(listed.status, 200, 'the OAuth token lists databases');
  const refused = await api('POST', `/v1/organizations/${env.org}/databases`, { auth: bearer, body: { name: 'from-oauth' } });
  assert.equal(refused.status, 403, 'creating a database is outside the scopes');
  assert.match(refused.json.message, /scope/);

  // Signed out, the consent URL goes through sign-in and back, query intact.
  await page.goto(`/${env.org}`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/login');
  const denyPath = consentPath(clientId, 'deny456');
  await page.goto(denyPath);
  await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.has('next'));
  assert.equal(new URL(page.url()).searchParams.get('next'), denyPath, 'next keeps the query string');
  await page.getByLabel('Email').fill(env.email);
  await page.getByLabel('Password').fill(env.password);
  await screenshot(page, 'consent-sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: `Authorize ${appName}` }).waitFor();
  assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, denyPath);

  // "Deny": the application hears access_denied with its state.
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.waitForURL(atCallback);
  const denied = await lastCallback(2);
  assert.equal(denied.get('error'), 'access_denied');
  assert.equal(denied.get('state'), 'deny456');
  assert.equal(denied.get('code'), null, 'no code when denied');
  assert.ok(callbacks[1].includes('error=access_denied&state=deny456'), 'the denial URL');
  await screenshot(page, 'callback-denied');

  // Signed in, /login?next=<consent> opens the consent page, and it still works.
  await page.goto(`/login?next=${encodeURIComponent(consentPath(clientId, 'again789'))}`);
  await page.getByRole('heading', { name: `Authorize ${appName}` }).waitFor();
  await page.getByRole('button', { name: 'Authorize' }).click();
  await page.waitForURL(atCallback);
  const again = await lastCallback(3);
  assert.equal(again.get('state'), 'again789');
  assert.ok(again.get('code'), 'a code came back');

  // A code works once; presented again, the token it gave is revoked.
  const exchange2 = {
    grant_type: 'authorization_code', code: again.get('code'), redirect_uri: redirectUri,
    client_id: clientId, client_secret: clientSecret,
  };
  const second = await postForm('/oauth/token', exchange2);
  assert.equal(second.status, 200, `second exchange: ${second.json && second.json.error}`);
  const replayed = await postForm('/oauth/token', exchange2);
  assert.equal(replayed.status, 400, 'a code works once');
  assert.equal(replayed.json.error, 'invalid_grant');
  const secondUse = await api('GET', `/v1/organizations/${env.org}/databases`, { auth: `Bearer ${second.json.access_token}` });
  assert.equal(secondUse.status, 401, 'the replayed code\'s token is revoked');

  // A request the server refuses: its message, and no form.
  allowConsole(session, /Failed to load resource.*(400|401)/);
  await page.goto(consentPath('pscale_app_unknown', 'bad'));
  await page.getByRole('alert').filter({ hasText: 'unknown client_id' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Authorize' }).count(), 0, 'no form');
  await screenshot(page, 'consent-error');

  // The CLI's device login, approved on the device page.
  const started = await postForm('/oauth/authorize_device', { client_id: cliClientId, scope: 'read_databases' });
  assert.equal(started.status, 200, 'device login started');
  const device = started.json;
  await page.goto(device.verification_uri_complete);
  await page.getByRole('heading', { name: 'Device login' }).waitFor();
  await page.getByText(`The opscale CLI is asking to sign in to your account (${env.email}). Check that the code matches the one in your terminal.`).waitFor();
  assert.equal(await page.getByLabel('Code', { exact: true }).inputValue(), device.user_code);
  await screenshot(page, 'device-login');
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('status').filter({ hasText: 'Device approved. You can return to your terminal.' }).waitFor();
  await screenshot(page, 'device-approved');
  let polled = null;
  for (let i = 0; i < 10; i += 1) {
    polled = await postForm('/oauth/token', {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code, client_id: cliClientId,
    });
    if (polled.status === 200 || !['authorization_pending', 'slow_down'].includes(polled.json.error)) break;
    await sleep(1200);
  }
  assert.equal(polled.status, 200, `device token: ${polled.json && polled.json.error}`);
  assert.ok(typeof polled.json.access_token === 'string' && polled.json.access_token.length > 20, 'a device token');
  const cliList = await api('GET', `/v1/organizations/${env.org}/databases`, { auth: `Bearer ${polled.json.access_token}` });
  assert.equal(cliList.status, 200, 'the device token lists databases');

  // A second device login, denied.
  const started2 = await postForm('/oauth/authorize_device', { client_id: cliClientId, scope: 'read_databases' });
  await page.goto(started2.json.verification_uri_complete);
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.getByRole('status').filter({ hasText: 'Device login denied.' }).waitFor();
  const deniedPoll = await postForm('/oauth/token', {
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: started2.json.device_code, client_id: cliClientId,
  });
  assert.equal(deniedPoll.status, 400);
  assert.equal(deniedPoll.json.error, 'access_denied');

  // A code that is not pending: the server's message.
  allowConsole(session, /Failed to load resource.*404/);
  await page.goto('/oauth/device?user_code=BBBB-CCCC');
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('alert').filter({ hasText: 'not a pending device login' }).waitFor();
  await screenshot(page, 'device-unknown-code');

  // Edit from the three-dots menu: pre-filled, renamed.
  await page.goto(`/${env.org}`);
  await openAppsPage(page);
  await row.waitFor();
  assert.equal((await cells.nth(3).textContent()).trim(), '1', 'one token');
  await page.getByRole('button', { name: `Actions for application ${appName}` }).click();
  await page.getByRole('menuitem', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit OAuth application' });
  await edit.waitFor();
  assert.equal(await edit.getByLabel('Name', { exact: true }).inputValue(), appName);
  assert.equal(await edit.getByLabel('Redirect URI', { exact: true }).inputValue(), redirectUri);
  for (const scope of ['read_databases', 'read_branches', 'read_user']) {
    assert.ok(await edit.getByLabel(scope, { exact: true }).isChecked(), `${scope} is checked`);
  }
  assert.equal(await edit.getByLabel('write_databases', { exact: true }).isChecked(), false);
  await edit.getByLabel('Name', { exact: true }).fill(renamed);
  await screenshot(page, 'edit-oauth-app');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await edit.waitFor({ state: 'hidden' });
  const renamedRow = page.getByRole('row').filter({ hasText: renamed });
  await renamedRow.waitFor();
  assert.equal((await renamedRow.getByRole('cell').nth(1).textContent()).trim(), clientId);
  await screenshot(page, 'oauth-app-renamed');

  // Delete from the menu: confirmed, gone, and its token no longer works.
  await page.getByRole('button', { name: `Actions for application ${renamed}` }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete OAuth application' });
  await confirm.getByText('Deleting it revokes every token it holds.', { exact: false }).waitFor();
  await screenshot(page, 'delete-oauth-app');
  const before = await api('GET', `/v1/organizations/${env.org}/databases`, { auth: bearer });
  assert.equal(before.status, 200, 'the first token still works before the deletion');
  await confirm.getByRole('button', { name: 'Delete application' }).click();
  await confirm.waitFor({ state: 'hidden' });
  await page.getByText('No OAuth applications yet').waitFor();
  assert.equal(await page.getByRole('row').filter({ hasText: renamed }).count(), 0);
  await screenshot(page, 'oauth-app-deleted');
  const revoked = await api('GET', `/v1/organizations/${env.org}/databases`, { auth: bearer });
  assert.equal(revoked.status, 401, 'the deleted application\'s token is revoked');

  // A member may not read the organization's OAuth applications.
  if (process.env.OPSCALE_MEMBER_EMAIL) {
    allowConsole(session, /Failed to load resource.*403/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await signIn(page, { email: process.env.OPSCALE_MEMBER_EMAIL, password: process.env.OPSCALE_MEMBER_PASSWORD });
    await page.waitForURL(`**/${env.org}`);
    await page.goto(`/${env.org}/settings/oauth-applications`);
    await page.getByRole('heading', { name: 'You don\'t have access' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'read_oauth_applications' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'New OAuth application' }).count(), 0);
    await screenshot(page, 'member-no-access');
  }
}
