// Browser-side attacks on the dashboard session: a page on another origin
// tries to create a service token with the victim's cookie (an auto-submitted
// form and a credentialed fetch), and a guessing attacker is throttled at the
// sign-in form even when the right password finally comes.
//
// Extra environment: OPSCALE_MEMBER_EMAIL / OPSCALE_MEMBER_PASSWORD, a second
// account whose sign-in gets throttled.
import { createServer } from 'node:http';
import { assert, allowConsole, api, env, newPage, run, screenshot, signIn } from './lib.mjs';

const adminAuth = `Bearer ${process.env.OPSCALE_ADMIN_TOKEN}`;

async function tokenNames() {
  const r = await api('GET', `/v1/organizations/${env.org}/service-tokens`, { auth: adminAuth });
  assert.equal(r.status, 200);
  return r.json.data.map((t) => t.name);
}

// A hostile site on another origin (localhost instead of 127.0.0.1).
function evilSite(target) {
  const page = `<!doctype html><html><body>
<form id="f" method="POST" enctype="text/plain" action="${target}/v1/organizations/${env.org}/service-tokens">
<input name='{"name":"evil-form","x":"' value='"}'></form>
<script>
fetch(${JSON.stringify(`${target}/v1/organizations/${env.org}/service-tokens`)}, {
  method: 'POST', credentials: 'include', mode: 'no-cors',
  headers: {'Content-Type': 'text/plain'}, body: '{"name":"evil-fetch"}'
}).finally(() => { document.title = 'fetched'; document.getElementById('f').submit(); });
</script></body></html>`;
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(page);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

await run(async (session) => {
  const { page } = session;
  await signIn(page);
  await page.waitForURL(`**/${env.org}`);
  const before = await tokenNames();

  // The victim, signed in, opens the attacker's page in another tab.
  const evil = await evilSite(env.url);
  const evilUrl = `http://localhost:${evil.address().port}/`;
  allowConsole(session, /localhost:\d+|Failed to load resource.*40[13]/);
  const tab = await newPage(session);
  await tab.goto(evilUrl);
  await tab.waitForURL(`${env.url}/v1/**`, { timeout: 10000 });  // the form posted
  const answer = await tab.textContent('body');
  assert.match(answer, /"code":"(unauthorized|forbidden)"/, 'the cross-site POST is refused');
  await screenshot(tab, 'cross-site-post-refused');
  await tab.close();
  evil.close();
  assert.deepEqual(await tokenNames(), before, 'no token was created by the other site');

  // The same request from the dashboard itself works (the cookie is fine).
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('button', { name: 'New service token' }).click();
  const modal = page.getByRole('dialog', { name: 'New service token' });
  await modal.getByLabel('Name').fill('from-dashboard');
  await modal.getByRole('button', { name: 'Create service token' }).click();
  await modal.getByLabel('ID', { exact: true }).waitFor();
  assert.ok((await tokenNames()).includes('from-dashboard'));
  await page.keyboard.press('Escape');

  // Sign out; a guessing attacker is throttled at the sign-in form.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/login**');
  allowConsole(session, /Failed to load resource.*(401|429)/);
  const alert = page.getByRole('alert');
  for (let i = 0; i < 5; i += 1) {
    await signIn(page, { email: process.env.OPSCALE_MEMBER_EMAIL, password: `guess-${i}` });
    await alert.filter({ hasText: 'Wrong email or password.' }).waitFor();
  }
  await signIn(page, { email: process.env.OPSCALE_MEMBER_EMAIL, password: process.env.OPSCALE_MEMBER_PASSWORD });
  await alert.filter({ hasText: 'Too many failed sign-in attempts' }).waitFor();
  assert.ok(page.url().includes('/login'), 'still signed out');
  await screenshot(page, 'sign-in-throttled');
});
