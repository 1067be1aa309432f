// DOM helpers: element builder, notifications, copy buttons.
// Text is always inserted as text nodes; nothing here parses HTML.

const BOOL_PROPS = new Set(['disabled', 'checked', 'readOnly', 'required', 'selected', 'hidden', 'multiple']);

// h('button', {class: 'btn', onclick: fn}, 'Save') -> <button class="btn">Save</button>
// Attribute values: functions for on* become listeners; `value`, `checked`, ... are set as
// properties; false/null/undefined attributes are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, val] of Object.entries(attrs)) {
      if (val === undefined || val === null || val === false) continue;
      if (key.startsWith('on') && typeof val === 'function') {
        el.addEventListener(key.slice(2), val);
      } else if (key === 'class') {
        el.className = Array.isArray(val) ? val.filter(Boolean).join(' ') : val;
      } else if (key === 'value') {
        el.value = val;
      } else if (BOOL_PROPS.has(key)) {
        el[key] = Boolean(val);
      } else if (key === 'dataset') {
        Object.assign(el.dataset, val);
      } else {
        el.setAttribute(key, val === true ? '' : String(val));
      }
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// Replaces el's children.
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let idCounter = 0;
export function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// Text only screen readers read (gives icon buttons a name without aria-label).
export function srOnly(text) {
  return h('span', { class: 'sr-only' }, text);
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'loading', 'aria-live': 'polite' }, text);
}

export function emptyState(title, hint, action) {
  return h('div', { class: 'empty' },
    h('p', { class: 'empty-title' }, title),
    hint ? h('p', { class: 'empty-hint' }, hint) : null,
    action || null);
}

export function badge(text, kind = 'neutral') {
  return h('span', { class: `badge badge-${kind}` }, text);
}

export function button(text, attrs = {}) {
  const { variant = 'secondary', size, ...rest } = attrs;
  return h('button', { type: 'button', class: ['btn', `btn-${variant}`, size && `btn-${size}`], ...rest }, text);
}

// A table with a header row, wrapped so it scrolls sideways on narrow screens.
export function table(headers, rows, caption) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table' },
      caption ? h('caption', { class: 'sr-only' }, caption) : null,
      h('thead', null, h('tr', null, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows)));
}

// <dl> of [term, value] pairs.
export function detailList(rows) {
  return h('dl', { class: 'details' },
    rows.map(([term, value]) => h('div', { class: 'details-row' }, h('dt', null, term), h('dd', null, value))));
}

// ---- Notifications -------------------------------------------------------

function toastRoot() {
  return document.getElementById('toasts');
}

// Removes every error toast (one alert at a time keeps the page unambiguous).
export function clearErrors() {
  for (const t of toastRoot().querySelectorAll('.toast-error')) t.remove();
}

// Removes every notification (the page they were about is gone).
export function clearToasts() {
  toastRoot().replaceChildren();
}

export function toastError(message) {
  clearErrors();
  const el = h('div', { class: 'toast toast-error', role: 'alert' },
    h('span', { class: 'toast-text' }, message),
    h('button', { type: 'button', class: 'toast-close', onclick: () => el.remove() },
      h('span', { 'aria-hidden': 'true' }, '×'), srOnly('Dismiss')));
  toastRoot().appendChild(el);
  return el;
}

export function toastSuccess(message) {
  for (const t of toastRoot().querySelectorAll('.toast-success')) t.remove();
  const el = h('div', { class: 'toast toast-success', role: 'status' },
    h('span', { class: 'toast-text' }, message));
  toastRoot().appendChild(el);
  setTimeout(() => el.remove(), 4000);
  return el;
}

// Shows an API error to the user. Errors that already led somewhere (an expired
// session redirects to sign-in) are not shown twice.
export function reportError(err) {
  if (!err || err.handled) return;
  toastError(err.message || 'Something went wrong.');
}

// Inline error area (role="alert") for forms and modals. set('') hides it.
export function errorArea() {
  const el = h('div', { class: 'form-error' });
  el.hidden = true;
  return {
    el,
    set(message) {
      if (message) {
        clearErrors();
        el.setAttribute('role', 'alert');
        el.textContent = message;
        el.hidden = false;
      } else {
        el.removeAttribute('role');
        el.textContent = '';
        el.hidden = true;
      }
    },
  };
}

// Runs fn with the button disabled (no double submits); returns fn's result.
export async function busy(btn, fn) {
  const buttons = Array.isArray(btn) ? btn : [btn];
  for (const b of buttons) { b.disabled = true; b.setAttribute('aria-busy', 'true'); }
  try {
    return await fn();
  } finally {
    for (const b of buttons) { b.disabled = false; b.removeAttribute('aria-busy'); }
  }
}

// ---- Copy to clipboard ----------------------------------------------------

async function writeClipboard(text, input) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection-based copy
  }
  if (input) {
    input.focus();
    input.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
  return false;
}

// A read-only field with a copy button whose accessible name is "Copy <what>".
export function copyField(label, value, what) {
  const id = uid('copy');
  const input = h('input', { id, type: 'text', class: 'input mono', value, readonly: true, spellcheck: 'false' });
  input.readOnly = true;
  const status = h('span', { class: 'copied', role: 'status' });
  const btn = h('button', { type: 'button', class: 'btn btn-secondary btn-sm' },
    'Copy', srOnly(` ${what}`));
  let timer = 0;
  btn.addEventListener('click', async () => {
    const ok = await writeClipboard(value, input);
    for (const other of document.querySelectorAll('.copied')) other.textContent = '';
    status.textContent = ok ? 'Copied' : 'Press Ctrl+C to copy';
    if (!ok) { input.focus(); input.select(); }
    clearTimeout(timer);
    timer = setTimeout(() => { status.textContent = ''; }, 3000);
  });
  input.addEventListener('focus', () => input.select());
  return h('div', { class: 'field' },
    h('label', { for: id, class: 'label' }, label),
    h('div', { class: 'copy-row' }, input, btn, status));
}
