// The live server's GET /v1/openapi.json, fetched without credentials, passes
// a real OpenAPI validator (@apidevtools/swagger-parser: the OpenAPI 3.0
// schema, every $ref resolved), declares both token schemes, and documents
// the accesses of each operation. Route parity with the server's route table
// is checked in src/api/openapi_test.cc. No browser.
import assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';

const url = process.env.OPSCALE_URL;
assert.ok(url, 'OPSCALE_URL is not set');

const res = await fetch(`${url}/v1/openapi.json`);
assert.equal(res.status, 200, 'the document needs no credentials');
assert.match(res.headers.get('content-type') || '', /application\/json/);
const doc = await res.json();

// validate() dereferences in place: give it a copy.
await SwaggerParser.validate(structuredClone(doc));
assert.equal(doc.openapi.slice(0, 2), '3.');

const schemes = doc.components.securitySchemes;
assert.deepEqual([schemes.ServiceToken.type, schemes.ServiceToken.in, schemes.ServiceToken.name],
  ['apiKey', 'header', 'Authorization']);
assert.deepEqual([schemes.Bearer.type, schemes.Bearer.scheme], ['http', 'bearer']);

const catalog = new Set(doc['x-opscale-access-catalog'].map((a) => a.name));
let operations = 0;
for (const [path, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    operations += 1;
    for (const a of op['x-opscale-accesses']) assert.ok(catalog.has(a), `${method} ${path}: unknown access ${a}`);
    assert.ok(op.responses, `${method} ${path} has responses`);
  }
}
assert.ok(operations > 50, `only ${operations} operations`);
// Two operations the service-tokens guide relies on, with their accesses.
assert.deepEqual(doc.paths['/v1/organizations/{org}/service-tokens'].post['x-opscale-accesses'], ['write_service_tokens']);
assert.ok(doc.paths['/v1/organizations/{org}/databases/{db}/branches/{branch}'].get['x-opscale-accesses'].includes('read_branch'));

// An authenticated request gets the same document.
const again = await fetch(`${url}/v1/openapi.json`, { headers: { Authorization: `Bearer ${process.env.OPSCALE_ADMIN_TOKEN}` } });
assert.deepEqual(await again.json(), doc);
console.log(`PASS openapi_validate (${operations} operations)`);
