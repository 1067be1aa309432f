// The dashboard's docs: "API docs" opens the API reference rendered from
// /v1/openapi.json; an endpoint links to the access it needs on the access
// reference, which lists the endpoints back; the permission modals of a
// service token link to the access reference.
import { assert, api, env, run, screenshot, signIn } from './lib.mjs';

await run(async (session) => {
  const { page } = session;
  await signIn(page);
  await page.waitForURL(`**/${env.org}`);

  // Top bar "API docs" -> the API reference.
  await page.getByRole('link', { name: 'API docs' }).click();
  await page.waitForURL('**/docs');
  await page.getByRole('heading', { name: 'API reference', exact: true }).waitFor();
  const getBranch = page.locator('[data-operation="get_branch"]');
  await getBranch.waitFor();
  assert.match(await getBranch.textContent(), /\/v1\/organizations\/\{org\}\/databases\/\{db\}\/branches\/\{branch\}/);
  assert.ok(await page.getByRole('heading', { name: 'Service tokens', exact: true }).isVisible());
  assert.ok(await page.getByText('Authorization: ID:TOKEN', { exact: false }).first().isVisible());
  await screenshot(page, 'api-reference');

  // Its access "read_branch" -> the access reference, at that access.
  await getBranch.getByRole('link', { name: 'read_branch' }).click();
  await page.waitForURL('**/docs/access#access-read_branch');
  await page.getByRole('heading', { name: 'Access reference', exact: true }).waitFor();
  const row = page.locator('tr[data-access="read_branch"]');
  await row.waitFor();
  assert.match(await row.textContent(), /GET\s*\/v1\/organizations\/\{org\}\/databases\/\{db\}\/branches\/\{branch\}/);
  assert.ok(await page.getByRole('heading', { name: 'Organization accesses' }).isVisible());
  assert.ok(await page.getByRole('heading', { name: 'Database accesses' }).isVisible());
  const orgRow = page.locator('tr[data-access="write_service_tokens"]');
  assert.match(await orgRow.textContent(), /POST\s*\/v1\/organizations\/\{org\}\/service-tokens/);
  await screenshot(page, 'access-reference');

  // And back: the endpoint link returns to the operation on the API reference.
  await row.getByRole('link').first().click();
  await page.waitForURL(/\/docs#op-/);
  await page.getByRole('heading', { name: 'API reference', exact: true }).waitFor();

  // A service token's "Add organization permissions" modal links to the reference.
  const created = await api('POST', `/v1/organizations/${env.org}/service-tokens`, {
    auth: `Bearer ${process.env.OPSCALE_ADMIN_TOKEN}`, body: { name: 'docs-link' },
  });
  assert.equal(created.status, 200);
  await page.goto(`/${env.org}/settings/service-tokens/${created.json.id}`);
  await page.getByRole('button', { name: 'Add organization permissions' }).click();
  const orgModal = page.getByRole('dialog', { name: 'Organization access permissions' });
  await orgModal.getByLabel('read_organization', { exact: true }).waitFor();
  await orgModal.getByRole('link', { name: 'What each access allows' }).click();
  await page.waitForURL('**/docs/access#level-organization');
  await page.locator('tr[data-access="read_organization"]').waitFor();
  assert.equal(await orgModal.count(), 0, 'the modal closed');

  // The database modal links to the database accesses.
  await page.goBack();
  await page.getByRole('button', { name: 'Add database access' }).click();
  const dbModal = page.getByRole('dialog', { name: 'Database access permissions' });
  await dbModal.getByRole('link', { name: 'What each access allows' }).click();
  await page.waitForURL('**/docs/access#level-database');
  await page.locator('tr[data-access="connect_branch"]').waitFor();
  await screenshot(page, 'access-reference-from-modal');
});
