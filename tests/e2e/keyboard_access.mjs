// The dashboard without a mouse, and what a member sees: modals trap focus
// and close with Escape (focus returns to the opener), the three-dots menu
// works from the keyboard, the organization switcher changes organization,
// a member is told which access they lack, and no page loads anything from
// outside this server.
//
// Extra environment: OPSCALE_MEMBER_EMAIL / OPSCALE_MEMBER_PASSWORD (a member
// of acme and the admin of a second organization, beta), OPSCALE_ADMIN_TOKEN.
import { assert, allowConsole, api, env, run, screenshot, signIn } from './lib.mjs';

const activeInDialog = (page) =>
  page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'));
const activeName = (page) =>
  page.evaluate(() => document.activeElement?.getAttribute('aria-label') ||
    document.activeElement?.textContent?.trim() || document.activeElement?.id || '');

await run(async (session) => {
  const { page } = session;
  const outside = [];
  session.context.on('request', (req) => {
    const u = req.url();
    if (!u.startsWith(env.url) && !u.startsWith('data:')) outside.push(u);
  });

  // A token to open from the list.
  const t = await api('POST', `/v1/organizations/${env.org}/service-tokens`, {
    auth: `Bearer ${process.env.OPSCALE_ADMIN_TOKEN}`, body: { name: 'kb-token' },
  });
  assert.equal(t.status, 200);

  await signIn(page);
  await page.waitForURL(`**/${env.org}`);
  await page.goto(`/${env.org}/settings/service-tokens`);
  const opener = page.getByRole('button', { name: 'New service token' });
  await opener.focus();
  await page.keyboard.press('Enter');
  const modal = page.getByRole('dialog', { name: 'New service token' });
  await modal.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id &&
    document.querySelector(`label[for="${document.activeElement.id}"]`)?.textContent), 'Name',
    'the first field has focus');
  for (let i = 0; i < 12; i += 1) {
    await page.keyboard.press('Tab');
    assert.ok(await activeInDialog(page), `Tab ${i + 1} stays in the modal`);
  }
  for (let i = 0; i < 5; i += 1) {
    await page.keyboard.press('Shift+Tab');
    assert.ok(await activeInDialog(page), `Shift+Tab ${i + 1} stays in the modal`);
  }
  await page.keyboard.press('Escape');
  await modal.waitFor({ state: 'hidden' });
  assert.equal(await activeName(page), 'New service token', 'focus returns to the opener');

  // Token page: the three-dots menu from the keyboard.
  await page.getByRole('link', { name: 'kb-token' }).click();
  await page.getByRole('button', { name: 'Add organization permissions' }).click();
  const orgModal = page.getByRole('dialog', { name: 'Organization access permissions' });
  await orgModal.getByLabel('read_organization', { exact: true }).check();
  await orgModal.getByRole('button', { name: 'Save permissions' }).click();
  await orgModal.waitFor({ state: 'hidden' });
  const dots = page.getByRole('button', { name: `Actions for organization ${env.org}` });
  await dots.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu');
  await menu.waitFor();
  await screenshot(page, 'menu-open');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'hidden' });

  // Sign out; the member signs in.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/login**');
  await signIn(page, { email: process.env.OPSCALE_MEMBER_EMAIL, password: process.env.OPSCALE_MEMBER_PASSWORD });
  await page.waitForURL(/\/(acme|beta)$/);

  // The organization switcher lists both and switches.
  const switcher = page.getByLabel('Organization', { exact: true });
  const options = await switcher.locator('option').allTextContents();
  assert.deepEqual(options.map((o) => o.trim()).sort(), ['acme', 'beta']);
  await switcher.selectOption('beta');
  await page.waitForURL('**/beta');
  await switcher.selectOption('acme');
  await page.waitForURL('**/acme');

  // A member may not read service tokens: the page says which access is missing.
  allowConsole(session, /Failed to load resource.*403/);
  await page.goto(`/${env.org}/settings/service-tokens`);
  await page.getByRole('alert').filter({ hasText: 'read_service_tokens' }).waitFor();
  await screenshot(page, 'member-no-token-access');

  // Narrow window: the top bar and the list stay usable.
  await page.setViewportSize({ width: 400, height: 800 });
  await page.goto(`/${env.org}`);
  await page.getByRole('button', { name: 'New database' }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 1, `no horizontal scrolling at 400px (overflow ${overflow}px)`);
  await screenshot(page, 'narrow-databases');

  assert.deepEqual(outside, [], 'nothing is loaded from outside this server');
});
