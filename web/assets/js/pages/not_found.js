// The "Not found" page for unknown routes and missing resources.
import { h, mount } from '../dom.js';

export function notFound(root, message, ctx) {
  if (ctx) ctx.setTitle('Not found');
  const home = ctx && ctx.org ? `/${encodeURIComponent(ctx.org)}` : '/';
  mount(root, h('div', { class: 'not-found' },
    h('p', { class: 'not-found-code' }, '404'),
    h('h1', null, 'Not found'),
    h('p', { class: 'muted' }, message || 'The page you are looking for does not exist, or you do not have access to it.'),
    h('a', { href: home, class: 'btn btn-secondary' }, 'Back to dashboard')));
}
