import { failureOf } from '../api';
import { h, replace } from '../dom';
import { apiKey, signIn, signOut } from '../session';
import { state } from '../state';
import { loadSession } from '../auth';

/** The header's account area: "auth off", who is signed in, or the sign-in-with-API-key form. */
export function authBar(onChange: () => void): HTMLElement {
  const session = state.session;
  if (!session) return h('div');
  if (session.state === 'signed-in') {
    const { me } = session;
    if (!me.authEnabled) return h('p', { class: 'account', id: 'account' }, 'Auth off: all operations allowed');
    return h(
      'div',
      { class: 'account', id: 'account' },
      h(
        'span',
        {},
        `Signed in as ${me.caller.name} `,
        h('small', {}, `(${me.caller.scopes.join(', ') || 'no scopes'})`),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            signOut();
            onChange();
          },
        },
        'Sign out',
      ),
    );
  }
  const key = h('input', { type: 'password', id: 'api-key', name: 'apiKey', autocomplete: 'off', required: true });
  const message = h('p', { class: 'problem', role: 'alert' }, session.refused && apiKey() ? session.refused : '');
  const form = h(
    'form',
    { class: 'account sign-in', id: 'sign-in' },
    h('label', { for: 'api-key' }, 'API key'),
    key,
    h('button', { type: 'submit' }, 'Sign in'),
    message,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (key.value.trim() === '') {
      replace(message, 'Enter an API key');
      key.focus();
      return;
    }
    signIn(key.value.trim());
    void loadSession()
      .then((next) => {
        if (next.state === 'signed-out') {
          signOut();
          replace(message, `Key refused: ${next.refused ?? 'unauthorised'}`);
          return;
        }
        onChange();
      })
      .catch((error: unknown) => replace(message, failureOf(error).message));
  });
  return form;
}
