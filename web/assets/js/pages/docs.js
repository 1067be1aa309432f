// /docs: the API reference, and /docs/access: the access reference. Both are
// rendered from GET /v1/openapi.json, which opscaled generates from its route
// table and the access catalog (docs/api.md), so they cannot drift from the code.
import { h, mount, loading, badge, table } from '../dom.js';
import * as api from '../api.js';

const METHODS = ['get', 'post', 'patch', 'put', 'delete'];

let cached = null;  // the document does not change while the server runs
async function openapi() {
  if (!cached) cached = await api.get('/v1/openapi.json');
  return cached;
}

// Every operation as {method, path, op}, in the document's order.
function operations(doc) {
  const out = [];
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const method of METHODS) if (item[method]) out.push({ method, path, op: item[method] });
  }
  return out;
}

const opAnchor = (op) => `op-${op.operationId}`;
const accessAnchor = (name) => `access-${name}`;

function docsNav(current) {
  const link = (href, text, key) => h('a', {
    href, class: ['nav-link', current === key && 'is-current'], 'aria-current': current === key ? 'page' : null,
  }, text);
  return h('nav', { class: 'tabs', 'aria-label': 'Documentation' },
    link('/docs', 'API reference', 'api'),
    link('/docs/access', 'Access reference', 'access'),
    h('a', { href: '/v1/openapi.json', class: 'nav-link' }, 'openapi.json'));
}

function methodBadge(method) {
  return h('span', { class: ['http-method', `http-${method}`] }, method.toUpperCase());
}

function schemaName(schema) {
  if (!schema) return '';
  if (schema.$ref) return schema.$ref.split('/').pop();
  const data = schema.properties && schema.properties.data;
  if (data && data.items && data.items.$ref) return `list of ${data.items.$ref.split('/').pop()}`;
  return schema.type || '';
}

function jsonSchema(content) {
  return content && content['application/json'] && content['application/json'].schema;
}

function operationCard({ method, path, op }) {
  const params = op.parameters || [];
  const accesses = op['x-opscale-accesses'] || [];
  const responses = Object.entries(op.responses || {});
  const success = responses.find(([code]) => code < '400');
  const errors = responses.filter(([code]) => code >= '400').map(([code]) => code);
  const body = op.requestBody ? schemaName(jsonSchema(op.requestBody.content)) : '';
  return h('article', { class: 'card doc-op', id: opAnchor(op), 'data-operation': op.operationId },
    h('h3', { class: 'doc-op-title' }, methodBadge(method), h('code', { class: 'doc-path' }, path)),
    h('p', null, op.summary),
    h('p', { class: 'muted doc-op-id' }, 'operationId ', h('code', null, op.operationId)),
    accesses.length
      ? h('p', { class: 'doc-accesses' }, 'Service-token accesses (any one): ',
        accesses.map((a, i) => [i ? ', ' : '', h('a', { href: `/docs/access#${accessAnchor(a)}` }, h('code', null, a))]))
      : null,
    op['x-opscale-access-note'] ? h('p', { class: 'muted' }, op['x-opscale-access-note']) : null,
    op.security && op.security.length === 0 ? h('p', { class: 'muted' }, 'No credentials needed.') : null,
    params.length
      ? table(['Parameter', 'In', 'Type', 'Description'], params.map((p) => h('tr', null,
        h('td', null, h('code', null, p.name)), h('td', null, p.in),
        h('td', null, (p.schema && p.schema.type) || ''), h('td', null, p.description || ''))), 'Parameters')
      : null,
    body ? h('p', null, 'Request body: ', h('code', null, body)) : null,
    success ? h('p', null, 'Response: ', h('code', null, success[0]), ' ',
      schemaName(jsonSchema(success[1].content)) || success[1].description) : null,
    h('p', { class: 'muted' }, `Errors: ${errors.join(', ')}, as {"code", "message"}.`));
}

function scrollToHash() {
  if (!location.hash) return;
  const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target) {
    target.scrollIntoView();
    target.classList.add('is-target');
  }
}

export async function apiReferencePage(ctx) {
  ctx.setTitle('API reference');
  mount(ctx.root, loading());
  const doc = await openapi();
  if (!ctx.isCurrent()) return;
  const ops = operations(doc);
  const tags = [...new Set(ops.map((o) => o.op.tags[0]))];
  const schemes = (doc.components && doc.components.securitySchemes) || {};
  mount(ctx.root,
    h('div', { class: 'page-header' },
      h('h1', { class: 'page-title' }, 'API reference'),
      h('p', { class: 'muted' }, `${ops.length} operations of opscaled's HTTP API, generated from the server's route table.`)),
    docsNav('api'),
    h('section', { class: 'section' },
      h('h2', { class: 'section-title' }, 'Authentication'),
      h('ul', { class: 'doc-list' }, Object.entries(schemes).map(([name, s]) =>
        h('li', null, h('strong', null, name), ': ', s.description || '')))),
    h('nav', { class: 'section doc-toc', 'aria-label': 'Sections' },
      tags.map((t) => h('a', { href: `/docs#tag-${t.replace(/\W+/g, '-')}`, class: 'badge' }, t))),
    tags.map((t) => h('section', { class: 'section', id: `tag-${t.replace(/\W+/g, '-')}` },
      h('h2', { class: 'section-title' }, t),
      ops.filter((o) => o.op.tags[0] === t).map(operationCard))));
  scrollToHash();
}

export async function accessReferencePage(ctx) {
  ctx.setTitle('Access reference');
  mount(ctx.root, loading());
  const doc = await openapi();
  if (!ctx.isCurrent()) return;
  const ops = operations(doc);
  const catalog = doc['x-opscale-access-catalog'] || [];
  const levels = [['organization', 'Organization accesses'], ['database', 'Database accesses']];
  mount(ctx.root,
    h('div', { class: 'page-header' },
      h('h1', { class: 'page-title' }, 'Access reference'),
      h('p', { class: 'muted' },
        'Every access a service token can hold. Organization accesses apply to the organization; database ',
        'accesses are granted on one database. An endpoint that lists several accesses needs any one of them.')),
    docsNav('access'),
    levels.map(([level, title]) => h('section', { class: 'section', id: `level-${level}` },
      h('h2', { class: 'section-title' }, title),
      table(['Access', 'Meaning', 'Endpoints that accept it'],
        catalog.filter((a) => a.level === level).map((a) => {
          const users = ops.filter((o) => (o.op['x-opscale-accesses'] || []).includes(a.name));
          return h('tr', { id: accessAnchor(a.name), 'data-access': a.name },
            h('td', null, h('code', null, a.name), h('div', null, badge(a.group))),
            h('td', null, a.description),
            h('td', null, users.length
              ? h('ul', { class: 'doc-endpoints' }, users.map((o) => h('li', null,
                h('a', { href: `/docs#${opAnchor(o.op)}` }, methodBadge(o.method), ' ', h('code', null, o.path)))))
              : h('span', { class: 'muted' }, 'No endpoint yet (accepted for compatibility)')));
        }), title))));
  scrollToHash();
}
