// /{org}/{db}/{branch}: one branch, its details and schema.
import { h, mount, loading, emptyState, badge, detailList } from '../dom.js';
import * as api from '../api.js';
import { dateAndTime } from '../format.js';
import { databaseLayout } from '../layout.js';

const enc = encodeURIComponent;

export default async function branchPage(ctx) {
  const { org, db, branch } = ctx.params;
  ctx.setTitle(`${branch} · ${db}`);
  const body = databaseLayout(ctx, 'branches');
  mount(body, loading());
  const [b, schema] = await Promise.all([
    api.get(api.paths.branch(org, db, branch)),
    api.get(`${api.paths.branch(org, db, branch)}/schema`),
  ]);
  if (!ctx.isCurrent()) return;
  const tables = (schema && schema.data) || [];
  mount(body,
    h('div', { class: 'section-header' },
      h('h2', { class: 'section-title' }, 'Branch ', h('span', { class: 'mono' }, b.name))),
    detailList([
      ['Production', b.production ? badge('Yes', 'success') : badge('No')],
      ['Parent', b.parent_branch ? h('a', { href: `/${enc(org)}/${enc(db)}/${enc(b.parent_branch)}` }, b.parent_branch) : '—'],
      ['State', badge(b.state || (b.ready ? 'ready' : 'pending'), b.ready ? 'success' : 'warning')],
      ['Safe migrations', b.safe_migrations ? 'Enabled' : 'Disabled'],
      ['Created', dateAndTime(b.created_at)],
      ['Created by', (b.actor && b.actor.display_name) || '—'],
    ]),
    h('h3', { class: 'subsection-title' }, 'Schema'),
    tables.length
      ? tables.map((t) => h('div', { class: 'schema-table' },
        h('p', { class: 'schema-name mono' }, t.name),
        h('pre', { class: 'code' }, t.raw)))
      : emptyState('No tables', 'This branch has no tables yet.'));
}
