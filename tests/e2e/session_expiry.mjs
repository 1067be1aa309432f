// A dashboard session ends at its expiry (the server runs with a short
// --session-ttl): the next action lands on the sign-in page with a clear
// message, and signing in again returns to the page the person was on.
import { assert, allowConsole, env, run, screenshot, signIn } from './lib.mjs';

const ttlMs = Number(process.env.OPSCALE_SESSION_TTL_S || '3') * 1000;

await run(async (session) => {
  const { page } = session;
  await signIn(page);
  await page.waitForURL(`**/${env.org}`);
  const signedInAt = Date.now();
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('heading', { name: 'Service tokens' }).waitFor();

  // Wait out the session, then act.
  await page.waitForTimeout(Math.max(0, ttlMs - (Date.now() - signedInAt)) + 500);
  allowConsole(session, /Failed to load resource.*401/);
  await page.getByRole('link', { name: 'Audit log', exact: true }).click();
  await page.waitForURL('**/login**');
  await page.getByRole('alert').filter({ hasText: 'Your session has expired. Sign in again.' }).waitFor();
  await screenshot(page, 'session-expired');

  // A reload of a dashboard page also says so, rather than a bare sign-in.
  await page.goto(`/${env.org}/settings/service-tokens`);
  await page.waitForURL('**/login**');
  await page.getByRole('alert').filter({ hasText: 'session has expired' }).waitFor();

  await page.getByLabel('Email').fill(env.email);
  await page.getByLabel('Password').fill(env.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**/${env.org}/settings/service-tokens`);
  await page.getByRole('heading', { name: 'Service tokens' }).waitFor();
  assert.ok(true);
});
