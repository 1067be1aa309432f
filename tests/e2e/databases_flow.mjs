// A database's life in the dashboard, as a person does it: create a database,
// branch it, make a password and use it with the real mariadb client to change
// the branch's schema, open a deploy request, require approval in the
// database settings, be refused, comment, approve and deploy, then clean up
// (password, branch) and read the audit log, also on a narrow screen.
//
// Extra environment: MARIADB_CLIENT (the mariadb client binary).
// The password is a secret: it is masked in screenshots and never printed.
import { spawnSync } from 'node:child_process';
import { assert, env, run, screenshot, signIn, allowConsole } from './lib.mjs';

const mariadbClient = process.env.MARIADB_CLIENT || '/usr/bin/mariadb';
const org = env.org;
const enc = encodeURIComponent;

// Runs the mariadb client; the password never reaches the output of this spec.
function mariadb({ host, port, user, password, database }, sql) {
  const r = spawnSync(mariadbClient,
    ['--no-defaults', '-h', host, '-P', String(port), '-u', user, `-p${password}`, database, '-e', sql],
    { encoding: 'utf8', timeout: 30000 });
  const hide = (s) => (s || '').replaceAll(password, '***');
  return { code: r.status, out: hide(r.stdout), err: hide(r.stderr || (r.error && r.error.message)) };
}

// Waits until fn() is truthy (polling, for states the page reports later).
async function until(what, fn, { timeout = 30000, every = 250 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

// The page fits the window: only tables and code blocks scroll sideways.
async function assertNoHorizontalOverflow(page, where) {
  const m = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
  }));
  assert.ok(m.scroll <= m.inner + 1, `${where}: the document is ${m.scroll}px wide in a ${m.inner}px window`);
}

await run(async (session) => {
  const { page } = session;
  const mainNav = page.getByRole('navigation', { name: 'Main' });
  const dbTabs = page.getByRole('navigation', { name: 'Database' });
  const dbTab = async (name) => {
    await dbTabs.getByRole('link', { name, exact: true }).click();
    await dbTabs.getByRole('link', { name, exact: true }).and(page.locator('[aria-current="page"]')).waitFor();
  };

  await signIn(page);
  await page.waitForURL(`**/${org}`);

  // 1. Databases: empty, then "New database" -> shop.
  await page.getByRole('heading', { name: 'Databases', exact: true }).waitFor();
  await page.getByText('No databases yet', { exact: true }).waitFor();
  await screenshot(page, 'databases-empty');
  await page.getByRole('button', { name: 'New database' }).click();
  const newDb = page.getByRole('dialog', { name: 'New database' });
  await newDb.getByLabel('Name', { exact: true }).fill('shop');
  await screenshot(page, 'new-database-modal');
  await newDb.getByRole('button', { name: 'Create database' }).click();
  await newDb.waitFor({ state: 'detached' });
  const dbTable = page.getByRole('table', { name: 'Databases' });
  await dbTable.getByRole('link', { name: 'shop', exact: true }).click();
  await page.waitForURL(`**/${org}/shop`);
  await page.getByRole('heading', { name: 'shop', exact: true, level: 1 }).waitFor();

  // 2. Branches: main, then "New branch" add-orders from main.
  const branchTable = page.getByRole('table', { name: 'Branches' });
  await branchTable.getByRole('link', { name: 'main', exact: true }).waitFor();
  await page.getByRole('button', { name: 'New branch' }).click();
  const newBranch = page.getByRole('dialog', { name: 'New branch' });
  await newBranch.getByLabel('Name', { exact: true }).fill('add-orders');
  await newBranch.getByLabel('Base branch', { exact: true }).selectOption('main');
  await newBranch.getByRole('button', { name: 'Create branch' }).click();
  await newBranch.waitFor({ state: 'detached' });
  const featureRow = branchTable.getByRole('row').filter({ has: page.getByRole('link', { name: 'add-orders', exact: true }) });
  await featureRow.waitFor();
  assert.match(await featureRow.innerText(), /main/, 'add-orders has main as its parent');
  await screenshot(page, 'branches');

  // 3. Passwords: an admin password for add-orders, used with the mariadb client.
  await dbTab('Passwords');
  await page.getByRole('heading', { name: 'Passwords', exact: true }).waitFor();
  await page.getByLabel('Branch', { exact: true }).selectOption('add-orders');
  await page.getByText('Create a password to connect to add-orders.', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'New password' }).click();
  const pwModal = page.getByRole('dialog', { name: 'New password' });
  await pwModal.getByText('Branch add-orders', { exact: true }).waitFor();
  await pwModal.getByLabel('Name', { exact: true }).fill('dev');
  await pwModal.getByLabel('Role', { exact: true }).selectOption('admin');
  await screenshot(page, 'new-password-modal');
  await pwModal.getByRole('button', { name: 'Create password' }).click();

  const userField = pwModal.getByLabel('Username', { exact: true });
  const pwField = pwModal.getByLabel('Password', { exact: true });
  const hostField = pwModal.getByLabel('Host', { exact: true });
  let conn;
  try {
    await pwField.waitFor();
    const hint = await pwModal.getByText(/^Port \d+/).innerText();
    const m = /^Port (\d+) · Database (\S+)$/.exec(hint.trim());
    assert.ok(m, `the host hint names the port and the database: "${hint}"`);
    conn = {
      host: await hostField.inputValue(),
      port: Number(m[1]),
      database: m[2],
      user: await userField.inputValue(),
      password: await pwField.inputValue(),
    };
    assert.ok(conn.host, 'the modal shows a host');
    assert.ok(conn.user, 'the modal shows a username');
    assert.ok(/^pscale_pw_[A-Za-z0-9]+$/.test(conn.password), 'the modal shows a pscale_pw_ password');
    assert.ok(!conn.user.includes(conn.password), 'the username is not the password');
    assert.ok(await pwModal.getByText('There is no way to retrieve it once you leave this page', { exact: false }).isVisible());
    await screenshot(page, 'password-created', { mask: [pwField] });
    await pwModal.getByRole('button', { name: 'Done' }).click();
    await pwModal.waitFor({ state: 'detached' });
  } catch (err) {
    // No failure screenshot may show the secret: close the modal first.
    if (await pwModal.count()) await page.keyboard.press('Escape').catch(() => {});
    if (conn && conn.password) err.message = err.message.replaceAll(conn.password, '***');
    throw err;
  }
  // Shown once: the list has the password's name and username, never the secret.
  const pwRow = page.getByRole('table', { name: 'Passwords for add-orders' }).getByRole('row').filter({ hasText: 'dev' });
  await pwRow.waitFor();
  assert.ok((await pwRow.innerText()).includes(conn.user), 'the list shows the username');
  assert.ok(!(await page.locator('body').innerText()).includes(conn.password), 'the secret is not on the page any more');

  let r = mariadb(conn, 'CREATE TABLE orders (id INT PRIMARY KEY, total INT, KEY idx_total (total))');
  assert.equal(r.code, 0, `mariadb CREATE TABLE failed: ${r.err}`);
  r = mariadb(conn, 'SHOW TABLES');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\borders\b/);

  // 4. Deploy requests: add-orders -> main, with its DDL.
  await dbTab('Deploy requests');
  await page.getByText('No deploy requests yet', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'New deploy request' }).click();
  const newDr = page.getByRole('dialog', { name: 'New deploy request' });
  await newDr.getByLabel('Branch', { exact: true }).selectOption('add-orders');
  await newDr.getByLabel('Deploy to', { exact: true }).selectOption('main');
  await newDr.getByRole('button', { name: 'Create deploy request' }).click();
  await page.waitForURL(`**/${org}/shop/deploy-requests/1`);
  await page.getByRole('heading', { name: 'Deploy request #1' }).waitFor();
  const diff = page.locator('pre').filter({ hasText: 'CREATE TABLE `orders`' });
  await diff.waitFor();
  assert.match(await diff.innerText(), /KEY `idx_total`/);
  await screenshot(page, 'deploy-request');

  // 5. Database settings: require approval.
  await dbTab('Settings');
  const requireApproval = page.getByLabel('Require administrator approval for deploy requests');
  assert.ok(!(await requireApproval.isChecked()), 'approval is not required by default');
  await requireApproval.check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();
  await screenshot(page, 'database-settings');

  // 6. Deploy request #1: refused before approval; comment; approve; deploy.
  await dbTab('Deploy requests');
  await page.getByText('need an approving review from an administrator', { exact: false }).waitFor();
  await page.getByRole('table', { name: 'Deploy requests' }).getByRole('link', { name: '#1', exact: true }).click();
  await page.waitForURL(`**/${org}/shop/deploy-requests/1`);
  await page.getByText('requires an administrator’s approval', { exact: false }).waitFor();
  allowConsole(session, /Failed to load resource.*403/);
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  const refusal = page.getByRole('alert').filter({ hasText: 'requires an approving review' });
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /deploy request 1 requires an approving review from an administrator/);
  await screenshot(page, 'deploy-refused');

  const comment = 'Adds the orders table; looks good to me.';
  await page.getByLabel('Comment', { exact: true }).fill(comment);
  await page.getByRole('button', { name: 'Comment', exact: true }).click();
  const reviews = page.getByRole('list').filter({ has: page.getByRole('listitem') });
  await reviews.getByRole('listitem').filter({ hasText: comment }).waitFor();
  assert.equal(await page.getByLabel('Comment', { exact: true }).inputValue(), '', 'the comment box is cleared');
  assert.equal(await refusal.count(), 0, 'the refusal is gone after the next action');

  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await reviews.getByRole('listitem').filter({ hasText: 'Approved' }).waitFor();
  await page.locator('.badges').getByText('Approved', { exact: true }).waitFor();
  assert.equal(await page.getByText('Not approved', { exact: true }).count(), 0);

  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  const deployment = page.locator('.details-row').filter({ has: page.getByText('Deployment', { exact: true }) }).locator('dd');
  await until('deploy request #1 to be deployed', async () => {
    const state = (await deployment.innerText().catch(() => '')).trim();
    if (state === 'complete') return true;
    assert.ok(state !== 'complete_error', 'the deploy failed');
    if (state === 'queued' || state === 'in_progress') {
      await new Promise((res) => setTimeout(res, 500));
      await page.reload();
    }
    return false;
  }, { timeout: 60000 });
  await page.locator('.badges').getByText('Deployed', { exact: true }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Deploy', exact: true }).count(), 0, 'nothing left to deploy');
  await screenshot(page, 'deployed');

  // The production branch now has the table.
  await dbTab('Branches');
  await page.getByRole('table', { name: 'Branches' }).getByRole('link', { name: 'main', exact: true }).click();
  await page.waitForURL(`**/${org}/shop/main`);
  await page.locator('pre').filter({ hasText: 'CREATE TABLE `orders`' }).waitFor();

  // 7. Passwords: delete dev; the client is refused.
  await dbTab('Passwords');
  await page.getByLabel('Branch', { exact: true }).selectOption('add-orders');
  const devRow = page.getByRole('table', { name: 'Passwords for add-orders' }).getByRole('row').filter({ hasText: 'dev' });
  await devRow.getByRole('button', { name: 'Delete' }).click();
  const delPw = page.getByRole('dialog', { name: 'Delete password dev?' });
  await delPw.getByRole('button', { name: 'Delete password' }).click();
  await delPw.waitFor({ state: 'detached' });
  await page.getByText('Create a password to connect to add-orders.', { exact: true }).waitFor();
  r = mariadb(conn, 'SELECT 1');
  assert.notEqual(r.code, 0, 'a deleted password no longer logs in');
  assert.match(r.err, /Access denied/);

  // 8. Branches: delete add-orders.
  await dbTab('Branches');
  const delRow = page.getByRole('table', { name: 'Branches' }).getByRole('row')
    .filter({ has: page.getByRole('link', { name: 'add-orders', exact: true }) });
  await delRow.getByRole('button', { name: 'Delete' }).click();
  const delBranch = page.getByRole('dialog', { name: 'Delete branch add-orders?' });
  await delBranch.getByRole('button', { name: 'Delete branch' }).click();
  await delBranch.waitFor({ state: 'detached' });
  await delRow.waitFor({ state: 'detached' });
  await page.getByRole('table', { name: 'Branches' }).getByRole('link', { name: 'main', exact: true }).waitFor();
  await screenshot(page, 'branch-deleted');

  // 9. Audit log: everything above, then only the approvals.
  await mainNav.getByRole('link', { name: 'Audit log', exact: true }).click();
  await page.waitForURL(`**/${org}/audit-log`);
  const events = page.getByRole('table', { name: 'Audit log events' });
  await events.waitFor();
  const actions = async () => {
    const rows = events.locator('tbody').getByRole('row');
    const out = [];
    for (let i = 0; i < await rows.count(); i += 1) out.push((await rows.nth(i).getByRole('cell').nth(2).innerText()).trim());
    return out;
  };
  const all = await actions();
  for (const a of ['database.created', 'branch.created', 'database_branch_password.created',
    'deploy_request.created', 'database.updated', 'deploy_request.commented', 'deploy_request.approved',
    'deploy_request.deployed', 'database_branch_password.deleted', 'branch.deleted']) {
    assert.ok(all.includes(a), `the audit log shows ${a} (has ${all.join(', ')})`);
  }
  await screenshot(page, 'audit-log');

  await page.getByLabel('Action', { exact: true }).fill('deploy_request.approved');
  await Promise.all([
    page.waitForResponse((res) => res.url().includes('/audit-log?') && res.url().includes('action=deploy_request.approved')),
    page.getByRole('button', { name: 'Apply filters' }).click(),
  ]);
  await events.waitFor();
  const shown = await actions();
  assert.ok(shown.length >= 1, 'the approval is listed');
  assert.ok(shown.every((a) => a === 'deploy_request.approved'), `only approvals are shown: ${shown.join(', ')}`);
  assert.match(page.url(), /action=deploy_request\.approved/);
  await screenshot(page, 'audit-log-approved');

  // 10. A narrow window: the pages fit, tables scroll inside their box.
  await page.setViewportSize({ width: 400, height: 800 });
  await page.goto(`/${enc(org)}/shop`);
  await page.getByRole('table', { name: 'Branches' }).getByRole('link', { name: 'main', exact: true }).waitFor();
  await assertNoHorizontalOverflow(page, 'database page');
  await screenshot(page, 'narrow-database');
  await page.goto(`/${enc(org)}/shop/deploy-requests/1`);
  await page.locator('pre').filter({ hasText: 'CREATE TABLE `orders`' }).waitFor();
  await assertNoHorizontalOverflow(page, 'deploy request page');
  await screenshot(page, 'narrow-deploy-request');
  await mainNav.getByRole('link', { name: 'Audit log', exact: true }).click();
  await page.waitForURL(`**/${org}/audit-log`);
  await events.waitFor();
  await assertNoHorizontalOverflow(page, 'audit log');
  await screenshot(page, 'narrow-audit-log');
});
