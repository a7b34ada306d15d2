import { failureOf, trpc } from './api';
import { loadSession } from './auth';
import { h, replace } from './dom';
import { catalogEntry, state } from './state';
import { authBar } from './views/auth-bar';
import { homeView } from './views/home';
import { runView } from './views/run';
import { scheduleView, schedulesView } from './views/schedules';
import { startView } from './views/start';

const main = document.getElementById('main')!;
const account = document.getElementById('account-area')!;
let leave: (() => void) | undefined;

/** Renders the view the URL's hash names: #/, #/start/<type>, #/runs/<workflowId>, #/schedules[/<scheduleId>]. */
function route(): void {
  leave?.();
  leave = undefined;
  const [, page, param] = location.hash.replace(/^#/, '').split('/');
  const name = param === undefined ? '' : decodeURIComponent(param);
  if (state.session?.state !== 'signed-in') {
    replace(
      main,
      h('h1', { tabindex: -1 }, 'Sign in'),
      h('p', {}, 'This API needs a key: enter it above to use the console.'),
    );
  } else if (page === 'start' && catalogEntry(name)) {
    replace(main, ...startView(catalogEntry(name)!));
  } else if (page === 'schedules') {
    replace(main, ...(name ? scheduleView(name) : schedulesView()));
  } else if (page === 'runs' && name) {
    replace(main, ...runView(name, (stop) => (leave = stop)));
  } else {
    replace(main, ...homeView());
  }
  document.title = `${main.querySelector('h1')?.textContent ?? 'Console'} · Temporal HTTP`;
  // Keyboard and screen-reader users land on the new view's heading, not at the top of the old one.
  main.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
}

/** (Re)loads who is signed in and what the service offers, then the current view. */
async function start(): Promise<void> {
  try {
    state.session = await loadSession();
    state.catalog = state.session.state === 'signed-in' ? await trpc.catalog.workflowTypes.query() : null;
  } catch (error) {
    replace(
      main,
      h('h1', {}, 'The API did not answer'),
      h('p', { role: 'alert', class: 'problem' }, failureOf(error).message),
    );
    return;
  }
  replace(
    account,
    authBar(() => void start()),
  );
  route();
}

window.addEventListener('hashchange', route);
void start();
