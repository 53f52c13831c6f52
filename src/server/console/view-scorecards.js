// @ts-check
// Partner scorecards: counts per partner and the weekly resolution-time trend.
import { api } from './api.js';
import { fmtDuration, h } from './dom.js';
import { barChart, color, lineChart, progress } from './charts.js';
import { page } from './ui.js';

export async function viewScorecards() {
  const d = await api.get('/scorecards/trend', { query: new URLSearchParams({ weeks: '12' }) });
  if (d.partners.length === 0)
    return page(
      'Partner scorecards',
      h('p.empty', 'No data yet: scorecards fill in as cases are opened and resolved.'),
    );
  const names = Object.fromEntries(d.partners.map((p) => [p.partnerId, p.partnerName ?? p.partnerId]));
  /** Each partner's trend: [week start, average hours to resolve]. @type {Map<string, Array<[number, number]>>} */
  const byPartner = new Map();
  for (const t of d.trend) {
    const points = byPartner.get(t.partnerId) ?? [];
    points.push([t.weekStart, t.avgResolutionMs / 3_600_000]);
    byPartner.set(t.partnerId, points);
  }
  const weekFmt = (/** @type {number} */ x) =>
    new Date(x).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  const cards = d.partners.map((p, i) =>
    h(
      'section.card.score',
      h('h3', h('span', { class: `dot k${i % 8}` }), p.partnerName ?? p.partnerId, h('span.sub', ` ${p.partnerId}`)),
      h(
        'div.kpis',
        h('div', h('span.value', String(p.open)), h('span.label', 'open')),
        h('div', h('span.value', String(p.resolved)), h('span.label', 'resolved')),
        h(
          'div',
          h('span.value', p.avgResolutionMs === null ? '—' : fmtDuration(p.avgResolutionMs)),
          h('span.label', 'avg resolution'),
        ),
        h(
          'div',
          h('span', { class: `value ${p.breachedOpen ? 'bad' : ''}` }, String(p.breachedOpen)),
          h('span.label', 'breached now'),
        ),
      ),
      p.slaTracked
        ? progress(
            p.slaMet / p.slaTracked,
            `SLA met ${Math.round((100 * p.slaMet) / p.slaTracked)}% (${p.slaMet}/${p.slaTracked})`,
            p.slaMet / p.slaTracked < 0.8 ? 'warn' : 'ok',
          )
        : h('p.muted', 'SLA met: no resolved case with a due date yet'),
    ),
  );
  return page(
    'Partner scorecards',
    h(
      'div.grid2',
      lineChart({
        title: 'Resolution time trend (average hours, by week resolved)',
        series: [...byPartner.entries()].map(([pid, pts]) => ({
          name: names[pid] ?? pid,
          points: pts,
          color: color(d.partners.findIndex((p) => p.partnerId === pid)),
        })),
        xFormat: weekFmt,
        yFormat: (v) => `${Math.round(v)}h`,
        empty: 'No case resolved in the last 12 weeks yet.',
      }),
      barChart({
        title: 'Open cases by partner',
        bars: d.partners.map((p, i) => ({ label: p.partnerName ?? p.partnerId, value: p.open, color: color(i) })),
      }),
    ),
    h('div.cards', cards),
  );
}
