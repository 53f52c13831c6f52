// @ts-check
// Sign-in view: an admin token, or a user name and password.
import { api } from './api.js';
import { clear, h } from './dom.js';
import { errorText, main, rerender, shell, showShell } from './ui.js';

/** @param {string | null} [reason] why sign-in is asked for (a session that ended, an error) */
export function viewSignIn(reason) {
  showShell(false);
  let mode = 'token';
  const err = h('p.error', { hidden: true });
  const tokenInput = /** @type {HTMLInputElement} */ (
    h('input#token', { type: 'password', name: 'token', autocomplete: 'current-password', required: true })
  );
  const tokenField = h('label', 'Admin token', tokenInput);
  const userFields = h(
    'div',
    { hidden: true },
    h('label', 'User', h('input#user', { name: 'user', autocomplete: 'username' })),
    h(
      'label',
      'Password',
      h('input#password', { type: 'password', name: 'password', autocomplete: 'current-password' }),
    ),
  );
  const toggle = h('button.link', { type: 'button' }, 'Sign in with a user name and password instead');
  toggle.addEventListener('click', () => {
    mode = mode === 'token' ? 'password' : 'token';
    tokenField.hidden = mode !== 'token';
    userFields.hidden = mode === 'token';
    tokenInput.required = mode === 'token';
    toggle.textContent =
      mode === 'token' ? 'Sign in with a user name and password instead' : 'Sign in with an admin token instead';
  });
  const form = h(
    'form.signin',
    { novalidate: false },
    h('div.brandbig', h('span.logo', '⇄'), ' gridbridge'),
    h(
      'p.muted',
      'Operations console: what the bridge between Trading Grid and ClickUp is doing, and what needs a hand.',
    ),
    reason ? h('p.notice', reason) : null,
    tokenField,
    userFields,
    err,
    h('button.primary#sign-in', { type: 'submit' }, 'Sign in'),
    toggle,
  );
  const input = (/** @type {string} */ sel) => /** @type {HTMLInputElement} */ (form.querySelector(sel));
  // Errors are shown in the form (err): the promise has nothing left to report.
  form.addEventListener('submit', (ev) => void submit(ev));
  async function submit(/** @type {SubmitEvent} */ ev) {
    ev.preventDefault();
    err.hidden = true;
    try {
      const body =
        mode === 'token'
          ? { token: input('#token').value }
          : { user: input('#user').value, password: input('#password').value };
      shell.session = await api.signIn(body);
      location.hash = location.hash && !location.hash.startsWith('#/sign-in') ? location.hash : '#/cases';
      void rerender();
    } catch (e) {
      err.textContent = errorText(e);
      err.hidden = false;
    }
  }
  clear(main, h('div.center', form));
  tokenInput.focus();
}
