// @ts-check
// Onboarding (flow 4) and policy rollouts (flow 8): acknowledgements and milestones.
import { api } from './api.js';
import { progress } from './charts.js';
import { fmtAgo, fmtTime, h } from './dom.js';
import { table } from './table.js';
import { page, pill } from './ui.js';

export async function viewRollouts() {
  const d = await api.get('/rollouts');
  if (!d.available) return page('Onboarding & rollouts', h('p.empty', d.reason));
  return page(
    'Onboarding & rollouts',
    section('Partner onboarding (flow 4)', d.onboarding, 'No onboarding yet.'),
    section('Policy rollouts (flow 8)', d.rollouts, 'No rollout yet.'),
  );
}

/** @typedef {import('./types').FlowProgress} FlowProgress */

/**
 * @param {string} title
 * @param {FlowProgress[]} rows
 * @param {string} empty what to say when there are none
 */
function section(title, rows, empty) {
  const columns = ['Name', 'Partner', 'State', 'Acknowledgements / milestones', 'Updated'];
  return h(
    'section.card',
    h('h2', title),
    rows.length === 0 ? h('p.empty', empty) : table('table.data', columns, rows.map(row)),
  );
}

/** @param {FlowProgress} r */
function row(r) {
  return h(
    'tr',
    h('td', r.title, taskLink(r), r.perPartner ? acknowledgements(r.perPartner) : null),
    h('td', r.partner ?? (r.perPartner ? `${r.perPartner.length} partners` : '—')),
    h('td', pill(r.state)),
    h('td', progressOf(r)),
    h('td', fmtAgo(r.updatedAt)),
  );
}

/** @param {FlowProgress} r */
function taskLink(r) {
  if (!r.clickupTaskId) return null;
  const href = `https://app.clickup.com/t/${encodeURIComponent(r.clickupTaskId)}`;
  return h('div.sub', h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, `task ${r.clickupTaskId} ↗`));
}

/** @param {NonNullable<FlowProgress['perPartner']>} perPartner */
function acknowledgements(perPartner) {
  const item = (/** @type {(typeof perPartner)[number]} */ p) =>
    h(
      'li',
      p.acknowledgedAt ? pill('acknowledged', 'ok') : pill('waiting', 'warn'),
      ' ',
      p.partner,
      p.acknowledgedAt ? h('span.sub', ` ${fmtTime(Date.parse(p.acknowledgedAt))}`) : null,
    );
  return h('details', h('summary', 'acknowledgements per partner'), h('ul.acks', perPartner.map(item)));
}

// Flow 8 counts acknowledgements against the partners it expects; flow 4 counts closed milestones.
/** @param {FlowProgress} r */
function progressOf(r) {
  const acknowledged = r.acknowledged ?? 0;
  if (r.expected)
    return progress(
      acknowledged / r.expected,
      `${acknowledged} of ${r.expected} acknowledged`,
      acknowledged >= r.expected ? 'ok' : '',
    );
  if (r.milestones?.length) {
    const done = r.milestones.filter((m) => m.done).length;
    return progress(done / Math.max(1, r.milestones.length), `${done} of ${r.milestones.length} milestones`);
  }
  return r.acknowledged !== null ? `${r.acknowledged} acknowledged` : '—';
}
