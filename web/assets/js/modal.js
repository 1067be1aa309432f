// Modal dialogs (focus trap, Escape, focus return) and a confirmation dialog.
import { h, uid, srOnly, errorArea, busy, mount } from './dom.js';

const FOCUSABLE = [
  'a[href]', 'button:not([disabled])', 'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])', 'textarea:not([disabled])', '[tabindex]:not([tabindex="-1"])',
].join(',');

function focusables(root) {
  return [...root.querySelectorAll(FOCUSABLE)].filter((el) => !el.closest('[hidden]') && el.getClientRects().length > 0);
}

const stack = [];

// Escape closes the top-most modal wherever focus is.
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape' || e.defaultPrevented || !stack.length) return;
  e.preventDefault();
  stack[stack.length - 1].close();
});

export function closeAllModals() {
  while (stack.length) stack[stack.length - 1].close();
}

// Opens a modal. Returns {dialog, body, footer, error, close, setContent, focusFirst}.
// `onClose` runs after the modal is removed.
export function openModal({ title, onClose, wide = false }) {
  const opener = document.activeElement;
  const titleId = uid('modal-title');
  const body = h('div', { class: 'modal-body' });
  const footer = h('div', { class: 'modal-footer' });
  const error = errorArea();
  const closeBtn = h('button', { type: 'button', class: 'modal-x' },
    h('span', { 'aria-hidden': 'true' }, '×'), srOnly('Close'));
  const titleEl = h('h2', { id: titleId, class: 'modal-title' }, title);
  const dialog = h('div', {
    class: ['modal', wide && 'modal-wide'], role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId,
  },
  h('div', { class: 'modal-header' }, titleEl, closeBtn),
  error.el, body, footer);
  const backdrop = h('div', { class: 'modal-backdrop' }, dialog);

  const app = document.getElementById('app');
  let closed = false;
  const modal = {
    dialog, body, footer, error, titleEl,
    close() {
      if (closed) return;
      closed = true;
      backdrop.remove();
      const i = stack.indexOf(modal);
      if (i >= 0) stack.splice(i, 1);
      if (!stack.length) {
        app.inert = false;
        document.body.classList.remove('modal-open');
      }
      if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
      if (onClose) onClose();
    },
    get closed() { return closed; },
    // Replaces the body and footer; focuses the first field.
    setContent(bodyNodes, footerNodes) {
      mount(body, bodyNodes);
      mount(footer, footerNodes);
      modal.focusFirst();
    },
    focusFirst() {
      const field = body.querySelector('input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled])');
      const target = field || focusables(body)[0] || focusables(footer)[0] || closeBtn;
      target.focus();
    },
  };

  closeBtn.addEventListener('click', () => modal.close());
  backdrop.addEventListener('mousedown', (e) => {
    if (e.target === backdrop) modal.close();
  });
  dialog.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    const items = focusables(dialog);
    if (!items.length) { e.preventDefault(); return; }
    const first = items[0];
    const last = items[items.length - 1];
    const active = document.activeElement;
    if (e.shiftKey && (active === first || !dialog.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !dialog.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  });

  stack.push(modal);
  app.inert = true;
  document.body.classList.add('modal-open');
  document.getElementById('modal-root').appendChild(backdrop);
  // Focus moves in once the caller has filled the body.
  queueMicrotask(() => { if (!closed && !dialog.contains(document.activeElement)) modal.focusFirst(); });
  return modal;
}

// Confirmation dialog. `action` is an async function; the modal stays open and shows
// the server's message if it throws.
export function confirmModal({ title, message, confirmLabel, danger = true, action, onDone }) {
  const modal = openModal({ title });
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => modal.close() }, 'Cancel');
  const ok = h('button', { type: 'button', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}` }, confirmLabel);
  ok.addEventListener('click', () => busy([ok, cancel], async () => {
    modal.error.set('');
    try {
      const result = await action();
      modal.close();
      if (onDone) onDone(result);
    } catch (err) {
      if (err.handled) { modal.close(); return; }
      modal.error.set(err.message || 'Something went wrong.');
    }
  }));
  modal.setContent(
    [h('p', null, message)],
    [cancel, ok],
  );
  cancel.focus();
  return modal;
}

// A modal with a form: fields are built by the caller, submit runs `action(form)`.
// The submit button is disabled while the request runs.
export function formModal({ title, fields, submitLabel, action, wide = false, onClose }) {
  const modal = openModal({ title, wide, onClose });
  const form = h('form', { class: 'form', novalidate: true }, fields);
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => modal.close() }, 'Cancel');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel);
  form.appendChild(h('div', { class: 'modal-footer form-footer' }, cancel, submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (submit.disabled) return;
    busy([submit, cancel], async () => {
      modal.error.set('');
      try {
        await action(form, modal);
      } catch (err) {
        if (err.handled) { modal.close(); return; }
        modal.error.set(err.message || 'Something went wrong.');
      }
    });
  });
  modal.footer.hidden = true;
  modal.setContent([form], []);
  modal.form = form;
  modal.submit = submit;
  return modal;
}
