// @ts-check
// gridbridge operations console: a hash-routed page over the admin API (/api). No build step.
// This file is the router; each view is its own view-*.js file, and ui.js holds what they share.
import { ApiError, api } from './api.js';
import { byId, clear } from './dom.js';
import { errorBox, errorText, main, refreshBadges, setRouter, shell, showShell } from './ui.js';
import { viewCase } from './view-case.js';
import { viewCases } from './view-cases.js';
import { viewDeadLetters } from './view-dead-letters.js';
import { viewHealth } from './view-health.js';
import { viewHeld } from './view-held.js';
import { viewRollouts } from './view-rollouts.js';
import { viewScorecards } from './view-scorecards.js';
import { viewSignIn } from './view-signin.js';
import { viewSla } from './view-sla.js';

/**
 * Each view from the location's query and the path's argument (#/case/C-1): what main shows.
 * @type {Record<string, (params: URLSearchParams, arg: string | undefined) => Promise<import('./dom.js').Child>>}
 */
const views = {
  cases: viewCases,
  case: (p, id) => (id ? viewCase(id) : viewCases(p)),
  'dead-letters': viewDeadLetters,
  held: viewHeld,
  sla: viewSla,
  scorecards: viewScorecards,
  rollouts: viewRollouts,
  health: viewHealth,
};

async function route() {
  clearInterval(shell.refreshTimer);
  const [path, query] = (location.hash.slice(1) || '/cases').split('?');
  const [, name = 'cases', arg] = path.split('/').map(decodeURIComponent);
  if (!shell.session) {
    try {
      shell.session = await api.session();
    } catch (e) {
      return viewSignIn(e instanceof ApiError && e.status === 401 ? null : errorText(e));
    }
  }
  if (name === 'sign-in') return viewSignIn();
  showShell(true);
  for (const a of /** @type {NodeListOf<HTMLAnchorElement>} */ (document.querySelectorAll('#nav a')))
    a.classList.toggle('active', a.dataset.view === (name === 'case' ? 'cases' : name));
  const view = views[name] ?? viewCases;
  main.setAttribute('aria-busy', 'true');
  try {
    const content = await view(new URLSearchParams(query ?? ''), arg);
    clear(main, content);
    document.title = `${document.querySelector('main h1')?.textContent ?? 'console'} · gridbridge`;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      shell.session = null;
      return viewSignIn('Your session ended: sign in again.');
    }
    clear(main, errorBox(e));
  } finally {
    main.removeAttribute('aria-busy');
  }
  void refreshBadges();
  // Live views refresh themselves while visible (not while someone is typing or reading a payload).
  if (['health', 'dead-letters', 'case', 'sla'].includes(name)) {
    shell.refreshTimer = setInterval(
      () => {
        if (
          document.hidden ||
          document.activeElement?.tagName === 'INPUT' ||
          document.querySelector('details[open]') ||
          document.querySelector('input[type=checkbox]:checked')
        )
          return;
        void route();
      },
      name === 'health' ? 15_000 : 5_000,
    );
  }
}

async function signOut() {
  await api.signOut().catch(() => undefined);
  shell.session = null;
  location.hash = '#/sign-in';
}

// route() shows its own errors (errorBox, or the sign-in view): nothing is left to handle where it is called.
byId('sign-out').addEventListener('click', () => void signOut());
setRouter(route);
window.addEventListener('hashchange', () => void route());
void route();
