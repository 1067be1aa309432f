// The service tokens guide's dashboard steps, as a person does them:
// create a token, copy its ID and secret from the modal, add organization and
// database permissions through the modals, use the token with the CLI, edit
// its permissions from the three-dots menu, delete it, and see the CLI fail.
import { assert, cli, env, api, run, screenshot, signIn, allowConsole } from './lib.mjs';

await run(async (session) => {
  const { page } = session;
  await signIn(page);
  await page.waitForURL(`**/${env.org}`);
  await screenshot(page, 'databases');

  // "Settings" > "Service tokens"
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('heading', { name: 'Service tokens' }).waitFor();
  await screenshot(page, 'service-tokens-empty');

  // "New service token" -> name -> "Create service token"
  await page.getByRole('button', { name: 'New service token' }).click();
  const modal = page.getByRole('dialog', { name: 'New service token' });
  await modal.getByLabel('Name').fill('ci-deployer');
  await screenshot(page, 'new-token-modal');
  await modal.getByRole('button', { name: 'Create service token' }).click();

  // The modal now shows the ID and the token where the Name field was.
  const idField = modal.getByLabel('ID', { exact: true });
  const tokenField = modal.getByLabel('Token', { exact: true });
  await tokenField.waitFor();
  assert.equal(await modal.getByLabel('Name').count(), 0, 'the Name field is replaced');
  const id = await idField.inputValue();
  const token = await tokenField.inputValue();
  assert.match(id, /^[a-z0-9]{12}$/);
  assert.ok(/^pscale_tkn_[A-Za-z0-9]{50}$/.test(token), 'the token field holds a service token');
  assert.ok(await modal.getByText('There is no way to retrieve it once you leave this page', { exact: false }).isVisible());
  await screenshot(page, 'token-created', { mask: [tokenField] });

  // Copy buttons put the exact values on the clipboard.
  await modal.getByRole('button', { name: 'Copy ID' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), id);
  await modal.getByRole('button', { name: 'Copy token' }).click();
  assert.ok((await page.evaluate(() => navigator.clipboard.readText())) === token, 'copied token');

  // Without permissions the token authenticates but may do nothing.
  const header = `${id}:${token}`;
  const none = await api('GET', `/v1/organizations/${env.org}/databases/shop`, { auth: header });
  assert.equal(none.status, 404, 'no access: the database is invisible');

  // "Edit token permissions" -> the token's page.
  await modal.getByRole('button', { name: 'Edit token permissions' }).click();
  await page.waitForURL(`**/${env.org}/settings/service-tokens/${id}`);
  await page.getByRole('heading', { name: 'Organization access' }).waitFor();
  await page.getByRole('heading', { name: 'Database access' }).waitFor();
  await screenshot(page, 'token-page-empty');

  // Organization access -> "Add organization permissions" -> check -> save.
  await page.getByRole('button', { name: 'Add organization permissions' }).click();
  const orgModal = page.getByRole('dialog', { name: 'Organization access permissions' });
  await orgModal.getByLabel('read_organization', { exact: true }).check();
  await orgModal.getByLabel('read_databases', { exact: true }).check();
  await screenshot(page, 'org-permissions-modal');
  await orgModal.getByRole('button', { name: 'Save permissions' }).click();
  await orgModal.waitFor({ state: 'hidden' });

  // Database access -> "Add database access" -> select db -> check -> save.
  await page.getByRole('button', { name: 'Add database access' }).click();
  const dbModal = page.getByRole('dialog', { name: 'Database access permissions' });
  await dbModal.getByLabel('Database', { exact: true }).selectOption('shop');
  await dbModal.getByLabel('create_branch', { exact: true }).check();
  await dbModal.getByLabel('read_branch', { exact: true }).check();
  await dbModal.getByLabel('read_database', { exact: true }).check();
  await screenshot(page, 'db-permissions-modal');
  await dbModal.getByRole('button', { name: 'Save permissions' }).click();
  await dbModal.waitFor({ state: 'hidden' });
  await page.getByText('create_branch', { exact: true }).first().waitFor();
  await screenshot(page, 'token-page-granted');

  // What the page shows is what the server holds.
  const held = await api('GET', `/v1/organizations/${env.org}/service-tokens/${id}/access`, { auth: header });
  assert.equal(held.status, 403, 'the token itself may not read tokens');
  const orgs = await api('GET', '/v1/organizations', { auth: header });
  assert.equal(orgs.status, 200);
  assert.deepEqual(orgs.json.data.map((o) => o.name), [env.org]);

  // The guide's CLI step, with the flags, then with the environment variables.
  const flags = ['--org', env.org, '--service-token-id', id, '--service-token', token];
  let r = cli(['branch', 'create', 'shop', 'from-ci', ...flags]);
  assert.equal(r.code, 0, `branch create failed: ${r.err.replaceAll(token, '***')}`);
  const tokenEnv = { PLANETSCALE_SERVICE_TOKEN: token, PLANETSCALE_SERVICE_TOKEN_ID: id };
  r = cli(['branch', 'list', 'shop', '--org', env.org, '--format', 'json'], tokenEnv);
  assert.equal(r.code, 0, r.err);
  assert.ok(JSON.parse(r.out).some((b) => b.name === 'from-ci'));

  // Modify: the three dots next to the database -> "Edit permissions",
  // pre-checked; drop create_branch.
  await page.getByRole('button', { name: 'Actions for database shop' }).click();
  await page.getByRole('menuitem', { name: 'Edit permissions' }).click();
  const edit = page.getByRole('dialog', { name: 'Database access permissions' });
  assert.ok(await edit.getByLabel('create_branch', { exact: true }).isChecked(), 'pre-checked');
  assert.ok(await edit.getByLabel('read_branch', { exact: true }).isChecked(), 'pre-checked');
  assert.ok(!(await edit.getByLabel('delete_branch', { exact: true }).isChecked()));
  await edit.getByLabel('create_branch', { exact: true }).uncheck();
  await screenshot(page, 'edit-db-permissions');
  await edit.getByRole('button', { name: 'Save permissions' }).click();
  await edit.waitFor({ state: 'hidden' });

  r = cli(['branch', 'create', 'shop', 'second', ...flags]);
  assert.notEqual(r.code, 0, 'create_branch was removed');
  assert.match(r.err, /create_branch/);

  // The organization row's menu opens the organization modal, pre-checked.
  await page.getByRole('button', { name: `Actions for organization ${env.org}` }).click();
  await page.getByRole('menuitem', { name: 'Edit permissions' }).click();
  const orgEdit = page.getByRole('dialog', { name: 'Organization access permissions' });
  assert.ok(await orgEdit.getByLabel('read_databases', { exact: true }).isChecked());
  assert.ok(!(await orgEdit.getByLabel('write_service_tokens', { exact: true }).isChecked()));
  await page.keyboard.press('Escape');
  await orgEdit.waitFor({ state: 'hidden' });

  // "Delete service token" -> confirm -> the CLI is refused.
  await page.getByRole('button', { name: 'Delete service token' }).click();
  const confirm = page.getByRole('dialog');
  await confirm.getByText('sever any database connections', { exact: false }).waitFor();
  await screenshot(page, 'delete-confirm');
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.waitForURL(`**/${env.org}/settings/service-tokens`);
  await page.getByRole('heading', { name: 'Service tokens' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'ci-deployer' }).count(), 0);
  await screenshot(page, 'service-tokens-after-delete');

  r = cli(['branch', 'list', 'shop', '--org', env.org], tokenEnv);
  assert.notEqual(r.code, 0, 'a deleted token is refused');
  const gone = await api('GET', '/v1/organizations', { auth: header });
  assert.equal(gone.status, 401);
  void allowConsole;
});
