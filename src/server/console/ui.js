// @ts-check
// What every view shares: the signed-in session, the page frame, toasts, pills, and a way to show the view again.
import { ApiError, api } from './api.js';
import { h, human } from './dom.js';

export const main = document.getElementById('main');

/** The signed-in session (null until /session answers) and the live-refresh timer of the current view. */
/** @type {{ session: import('./types').Session | null, refreshTimer: ReturnType<typeof setInterval> | undefined }} */
export const shell = { session: null, refreshTimer: undefined };

let router = async () => {};
/** app.js hands over its router here, so views can show themselves again without importing app.js. */
export function setRouter(fn) {
  router = fn;
}
/** Shows the view the location names again (after a change, or once signed in). */
export function rerender() {
  return router();
}

let toastTimer;
/** A short message at the bottom of the page ('ok' or 'bad'), gone after 4 s. */
export function toast(text, tone = 'ok') {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.className = tone;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (t.hidden = true), 4000);
}

export function showShell(on) {
  document.getElementById('top').hidden = !on;
  if (on)
    document.getElementById('who').textContent =
      `${shell.session.actor} · ${shell.session.role === 'admin' ? 'admin' : 'read-only'}`;
}

export async function refreshBadges() {
  try {
    /** @type {import('./types').Get<'/overview'>} */
    const o = await api.get('/overview');
    const dl = document.getElementById('badge-dl');
    dl.textContent = String(o.deadLetters);
    dl.hidden = o.deadLetters === 0;
    const sla = document.getElementById('badge-sla');
    sla.textContent = String(o.breached + o.atRisk);
    sla.hidden = o.breached + o.atRisk === 0;
    sla.classList.toggle('bad', o.breached > 0);
  } catch {
    /* the view shows errors */
  }
}

export function page(title, ...children) {
  return [h('div.pagehead', h('h1', title), h('div.actions#page-actions')), ...children];
}

export function errorBox(e) {
  return h('div.error', h('strong', e instanceof ApiError ? `Error ${e.status}: ` : 'Error: '), e.message);
}

export const stateTone = { breached: 'bad', missed: 'bad', at_risk: 'warn', on_track: 'ok', met: 'ok', none: 'muted' };
export const pill = (text, tone = '') => h('span', { class: `pill ${tone}` }, human(text));
