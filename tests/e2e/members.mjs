// Members: the admin opens Settings > Members, adds a person, reads their
// first password and API token from the modal (shown once), and the token
// works against the API. Adding the same person again shows the server's
// message. The new member signs in with that password: no "Add member"
// button, and the service tokens page says which access they lack.
import { assert, allowConsole, api, env, run, screenshot, signIn } from './lib.mjs';

const newEmail = 'new.person@example.com';

await run(async (session) => {
  const { page } = session;
  await signIn(page);
  await page.waitForURL(`**/${env.org}`);

  // "Settings" > "Members": the admin is listed as admin.
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('heading', { name: 'Service tokens' }).waitFor();
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Members' }).click();
  await page.waitForURL(`**/${env.org}/settings/members`);
  await page.getByRole('heading', { name: 'Members', exact: true }).waitFor();
  const adminRow = page.getByRole('row').filter({ hasText: env.email });
  await adminRow.waitFor();
  assert.equal((await adminRow.getByRole('cell').nth(1).textContent()).trim(), 'admin');
  assert.equal(await page.getByRole('row').count(), 2, 'header and one member');
  await screenshot(page, 'members-admin-only');

  // "Add member" -> email, role -> "Add member".
  await page.getByRole('button', { name: 'Add member' }).click();
  const modal = page.getByRole('dialog', { name: 'Add member' });
  await modal.waitFor();
  await modal.getByLabel('Email').fill(newEmail);
  assert.equal(await modal.getByLabel('Role').inputValue(), 'member', 'member is the default role');
  await modal.getByLabel('Role').selectOption('member');
  await screenshot(page, 'add-member-modal');
  await modal.getByRole('button', { name: 'Add member' }).click();

  // The same modal shows the password and the API token, once.
  const passwordField = modal.getByLabel('Password', { exact: true });
  const tokenField = modal.getByLabel('API token', { exact: true });
  await tokenField.waitFor();
  assert.equal(await modal.getByLabel('Email').count(), 0, 'the form is replaced');
  const password = await passwordField.inputValue();
  const token = await tokenField.inputValue();
  assert.ok(password.length >= 12, 'a password is shown');
  assert.ok(token.length >= 20, 'an API token is shown');
  assert.ok(await passwordField.evaluate((el) => el.readOnly), 'the password field is read-only');
  assert.ok(await tokenField.evaluate((el) => el.readOnly), 'the token field is read-only');
  assert.ok(await modal.getByText('will not be shown again', { exact: false }).isVisible());
  await screenshot(page, 'member-added', { mask: [passwordField, tokenField] });

  // The copy buttons put the exact values on the clipboard.
  await modal.getByRole('button', { name: 'Copy password' }).click();
  assert.ok((await page.evaluate(() => navigator.clipboard.readText())) === password, 'copied password');
  await modal.getByRole('button', { name: 'Copy API token' }).click();
  assert.ok((await page.evaluate(() => navigator.clipboard.readText())) === token, 'copied token');

  // "Done": the list now has the new member.
  await modal.getByRole('button', { name: 'Done' }).click();
  await modal.waitFor({ state: 'hidden' });
  const newRow = page.getByRole('row').filter({ hasText: newEmail });
  await newRow.waitFor();
  assert.equal((await newRow.getByRole('cell').nth(1).textContent()).trim(), 'member');
  await screenshot(page, 'members-two');

  // The API token works.
  const listed = await api('GET', `/v1/organizations/${env.org}/members`, { auth: `Bearer ${token}` });
  assert.equal(listed.status, 200, 'the new member token lists members');
  assert.deepEqual(listed.json.data.map((m) => m.user.email).sort(), [env.email, newEmail].sort());

  // Adding the same person again: the server's 409 message, in the modal.
  allowConsole(session, /Failed to load resource.*409/);
  await page.getByRole('button', { name: 'Add member' }).click();
  const again = page.getByRole('dialog', { name: 'Add member' });
  await again.getByLabel('Email').fill(newEmail);
  await again.getByRole('button', { name: 'Add member' }).click();
  const conflict = again.getByRole('alert');
  await conflict.filter({ hasText: 'already a member' }).waitFor();
  assert.match(await conflict.textContent(), new RegExp(`${newEmail.replaceAll('.', '\\.')} is already a member of ${env.org}`));
  await screenshot(page, 'add-member-conflict');
  await page.keyboard.press('Escape');
  await again.waitFor({ state: 'hidden' });

  // The new member signs in with the shown password.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/login**');
  await signIn(page, { email: newEmail, password });
  await page.waitForURL(`**/${env.org}`);
  await page.goto(`/${env.org}/settings/members`);
  await page.getByRole('row').filter({ hasText: newEmail }).waitFor();
  await page.getByRole('row').filter({ hasText: env.email }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Add member' }).count(), 0, 'members cannot add members');
  await screenshot(page, 'members-as-member');

  // Settings > Service tokens: "You don't have access", naming the access.
  allowConsole(session, /Failed to load resource.*403/);
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Service tokens' }).click();
  await page.getByRole('heading', { name: 'You don\'t have access' }).waitFor();
  await page.getByRole('alert').filter({ hasText: 'read_service_tokens' }).waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Something went wrong' }).count(), 0);
  await screenshot(page, 'member-no-token-access');

  // The side nav stays: back to Members.
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Members' }).click();
  await page.getByRole('heading', { name: 'Members', exact: true }).waitFor();
  await page.getByRole('row').filter({ hasText: newEmail }).waitFor();
});
