// The "Not found" page for unknown routes and missing resources, and the
// "You don't have access" page for requests the server refused (403).
import { h, mount, errorArea } from '../dom.js';

function homeLink(ctx) {
  const home = ctx && ctx.org ? `/${encodeURIComponent(ctx.org)}` : '/';
  return h('a', { href: home, class: 'btn btn-secondary' }, 'Back to dashboard');
}

export function notFound(root, message, ctx) {
  if (ctx) ctx.setTitle('Not found');
  mount(root, h('div', { class: 'not-found' },
    h('p', { class: 'not-found-code' }, '404'),
    h('h1', null, 'Not found'),
    h('p', { class: 'muted' }, message || 'The page you are looking for does not exist, or you do not have access to it.'),
    homeLink(ctx)));
}

// The server's message names the access that is missing; it is shown as an
// alert so screen readers announce it.
export function noAccess(root, message, ctx) {
  if (ctx) ctx.setTitle('You don\'t have access');
  const area = errorArea();
  mount(root, h('div', { class: 'page-error no-access' },
    h('p', { class: 'not-found-code' }, '403'),
    h('h1', null, 'You don\'t have access'),
    area.el,
    h('p', { class: 'muted' }, 'Ask an administrator of this organization for the access named above.'),
    homeLink(ctx)));
  area.set(message || 'You do not have access to this page.');
}
