// /login: email and password sign-in.
import { h, mount, errorArea } from '../dom.js';
import * as api from '../api.js';

export default function loginPage({ root, flash, onSignedIn }) {
  const error = errorArea();
  const email = h('input', {
    id: 'login-email', name: 'email', type: 'email', class: 'input', autocomplete: 'username', required: true,
  });
  const password = h('input', {
    id: 'login-password', name: 'password', type: 'password', class: 'input',
    autocomplete: 'current-password', required: true,
  });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in');
  const form = h('form', { class: 'form', novalidate: true },
    error.el,
    h('div', { class: 'field' }, h('label', { for: 'login-email', class: 'label' }, 'Email'), email),
    h('div', { class: 'field' }, h('label', { for: 'login-password', class: 'label' }, 'Password'), password),
    submit);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (submit.disabled) return;
    if (!email.value.trim() || !password.value) {
      error.set('Enter your email and password.');
      (email.value.trim() ? password : email).focus();
      return;
    }
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    try {
      await api.login(email.value.trim(), password.value);
      onSignedIn();
    } catch (err) {
      error.set(err.message || 'Sign-in failed.');
      password.value = '';
      password.focus();
      submit.disabled = false;
      submit.removeAttribute('aria-busy');
    }
  });

  mount(root,
    h('main', { class: 'login' },
      h('div', { class: 'login-card' },
        h('div', { class: 'login-brand' },
          h('img', { src: '/assets/favicon.svg', alt: '', width: '32', height: '32' }),
          h('span', null, 'opscale')),
        h('h1', { class: 'login-title' }, 'Sign in to your account'),
        form)));
  if (flash) error.set(flash);
  email.focus();
}
