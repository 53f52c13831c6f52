// @ts-check
// What every view shares: the signed-in session, the page frame, toasts, pills, and a way to show the view again.
import { ApiError, api } from './api.js';
import { byId, h, human } from './dom.js';

export const main = byId('main');

/** The signed-in session (null until /session answers) and the live-refresh timer of the current view. */
/** @type {{ session: import('./types').Session | null, refreshTimer: ReturnType<typeof setInterval> | undefined }} */
export const shell = { session: null, refreshTimer: undefined };

/** True when the signed-in person may change things (replay, release, revoke), not only read. */
export const isAdmin = () => shell.session?.role === 'admin';

/** @type {() => Promise<void>} */
let router = async () => {};
/**
 * app.js hands over its router here, so views can show themselves again without importing app.js.
 * @param {() => Promise<void>} fn
 */
export function setRouter(fn) {
  router = fn;
}
/** Shows the view the location names again (after a change, or once signed in). */
export function rerender() {
  return router();
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let toastTimer;
/**
 * A short message at the bottom of the page, gone after 4 s.
 * @param {string} text
 * @param {'ok' | 'bad'} [tone]
 */
export function toast(text, tone = 'ok') {
  const t = byId('toast');
  t.textContent = text;
  t.className = tone;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (t.hidden = true), 4000);
}

/** @param {boolean} on */
export function showShell(on) {
  byId('top').hidden = !on;
  const s = shell.session;
  if (on && s) byId('who').textContent = `${s.actor} · ${s.role === 'admin' ? 'admin' : 'read-only'}`;
}

export async function refreshBadges() {
  try {
    const o = await api.get('/overview');
    const dl = byId('badge-dl');
    dl.textContent = String(o.deadLetters);
    dl.hidden = o.deadLetters === 0;
    const sla = byId('badge-sla');
    sla.textContent = String(o.breached + o.atRisk);
    sla.hidden = o.breached + o.atRisk === 0;
    sla.classList.toggle('bad', o.breached > 0);
  } catch {
    /* the view shows errors */
  }
}

/**
 * @param {string} title
 * @param {...import('./dom.js').Child} children
 */
export function page(title, ...children) {
  return [h('div.pagehead', h('h1', title), h('div.actions#page-actions')), ...children];
}

/** What went wrong, as text: an Error's message, or the thrown value itself. */
export const errorText = (/** @type {unknown} */ e) => (e instanceof Error ? e.message : String(e));

/** @param {unknown} e */
export function errorBox(e) {
  return h('div.error', h('strong', e instanceof ApiError ? `Error ${e.status}: ` : 'Error: '), errorText(e));
}

/** @type {Record<string, string>} */
export const stateTone = { breached: 'bad', missed: 'bad', at_risk: 'warn', on_track: 'ok', met: 'ok', none: 'muted' };
export const pill = (/** @type {string} */ text, tone = '') => h('span', { class: `pill ${tone}` }, human(text));
