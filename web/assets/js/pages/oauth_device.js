// /oauth/device?user_code=ABCD-EFGH: the signed-in person approves (or denies)
// the device login that `opscale auth login` started in a terminal.
import { h, mount, errorArea, busy } from '../dom.js';
import * as api from '../api.js';
import { brand, standaloneCard } from './oauth_consent.js';

export default function oauthDevicePage(ctx) {
  ctx.setTitle('Device login');
  const card = standaloneCard(ctx.root);
  const email = api.session.user ? api.session.user.email : '';
  const error = errorArea();
  const heading = h('h1', { class: 'login-title', tabindex: '-1' }, 'Device login');
  const status = h('p', { class: 'device-status', role: 'status' });
  const code = h('input', {
    id: 'device-code', name: 'user_code', type: 'text', class: 'input mono device-code',
    autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters',
    value: ctx.query.get('user_code') || '',
  });
  const approve = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Approve');
  const deny = h('button', { type: 'button', class: 'btn btn-secondary' }, 'Deny');
  const form = h('form', { class: 'form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'device-code', class: 'label' }, 'Code'), code),
    h('div', { class: 'button-row' }, approve, deny));

  async function decide(yes) {
    const value = code.value.trim();
    error.set('');
    status.textContent = '';
    if (!value) {
      error.set('Enter the code shown in your terminal.');
      code.focus();
      return;
    }
    await busy([approve, deny], async () => {
      try {
        const res = await api.post('/oauth/device', { user_code: value, approve: yes });
        const approved = res && res.status === 'approved';
        form.hidden = true;
        status.classList.toggle('is-denied', !approved);
        status.textContent = approved
          ? 'Device approved. You can return to your terminal.'
          : 'Device login denied.';
      } catch (err) {
        if (err.status === 401) {
          ctx.sessionExpired();
          return;
        }
        error.set(err.message || 'Something went wrong.');
        code.focus();
      }
    });
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!approve.disabled) decide(true);
  });
  deny.addEventListener('click', () => decide(false));

  mount(card,
    brand(),
    heading,
    h('p', null,
      'The opscale CLI is asking to sign in to your account (', h('strong', null, email), '). ',
      'Check that the code matches the one in your terminal.'),
    error.el,
    form,
    status);
  // A pre-filled code is approved only by a deliberate click, not a stray Enter.
  (code.value ? heading : code).focus();
}
