// @ts-check
// Connector health: ClickUp budget, connections, queue.
import { api } from './api.js';
import { fmtAgo, fmtDuration, h } from './dom.js';
import { lineChart, progress } from './charts.js';
import { page, pill } from './ui.js';
import { table } from './table.js';

export async function viewHealth() {
  const d = await api.get('/health');
  const rl = d.clickup.rateLimit;
  const tFmt = (/** @type {number} */ x) =>
    new Date(x).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const budget = !rl.known
    ? h('p.muted', 'No ClickUp call made yet: the plan limit is learned from the first answer.')
    : [
        progress(
          (rl.remaining ?? 0) / (rl.limit || 1),
          `${rl.remaining} of ${rl.limit} calls left this minute · resets ${fmtAgo(rl.resetAt, d.now)}`,
          (rl.remaining ?? 0) / (rl.limit || 1) < 0.2 ? 'warn' : 'ok',
        ),
        h(
          'p.sub',
          `${rl.issued} calls made · ${rl.rateLimited} answered 429 · ${rl.queued} waiting · ${rl.inFlight} in flight · pace ${Math.round(rl.paceMs)} ms`,
        ),
        ...(rl.assumed
          ? [
              h(
                'p.muted',
                `ClickUp's answers carry no rate-limit headers: ${rl.limit} calls a minute are assumed (clickup.assumed_rate_limit_per_minute).`,
              ),
            ]
          : []),
      ];
  const wh = d.clickup.webhook;
  const owner = d.clickup.tokenOwner;
  /**
   * @param {string} label
   * @param {boolean | null} ok null: nothing to judge yet
   * @param {import('./dom.js').Child} detail
   */
  const line = (label, ok, detail) =>
    h(
      'li',
      h('span', { class: `okdot ${ok === null ? 'muted' : ok ? 'ok' : 'bad'}` }),
      h('strong', label),
      ' ',
      detail,
    );
  const lastTg = d.inbound.find((x) => x.source === 'tradinggrid');
  const lastCu = d.inbound.find((x) => x.source === 'clickup');
  const poll = d.tradinggrid.lastPoll[0];
  const scan = d.tradinggrid.lastMailboxScan[0];
  const q = d.queue;
  return page(
    'Connector health',
    h(
      'div.grid2',
      h(
        'section.card',
        h('h2', 'ClickUp rate-limit budget'),
        budget,
        lineChart({
          title: 'Calls left in the window (sampled every 15 s)',
          series: [
            {
              name: 'remaining',
              points: d.history.flatMap((s) => (s.remaining === null ? [] : [point(s.at, s.remaining)])),
            },
            { name: 'waiting for a slot', points: d.history.map((s) => point(s.at, s.queued)) },
          ],
          xFormat: tFmt,
          yMaxHint: rl.limit ?? 0,
          height: 170,
          empty: 'No samples yet.',
        }),
      ),
      h(
        'section.card',
        h('h2', 'Connections'),
        h(
          'ul.checks',
          line('ClickUp webhook', wh.ok, wh.detail),
          line('ClickUp token owner', owner ? owner.ok : null, owner ? owner.detail : 'not read yet'),
          line(
            'Last ClickUp event',
            lastCu ? true : null,
            lastCu ? `${fmtAgo(lastCu.lastReceivedAt, d.now)} (${lastCu.total} received)` : 'none received yet',
          ),
          line(
            'Last Trading Grid event',
            lastTg ? true : null,
            lastTg ? `${fmtAgo(lastTg.lastReceivedAt, d.now)} (${lastTg.total} received)` : 'none received yet',
          ),
          line(
            'Last Trading Grid poll',
            poll ? true : null,
            poll ? `${fmtAgo(poll.at, d.now)} (${poll.name})` : 'no poll recorded yet',
          ),
          line(
            'Last mailbox scan',
            scan ? true : null,
            scan ? `${fmtAgo(scan.at, d.now)} (${scan.name})` : 'no mailbox configured or scanned yet',
          ),
          line(
            'Mapping against our lists',
            Object.keys(d.mapping.checked).length === 0 ? null : d.mapping.drift.length === 0,
            Object.keys(d.mapping.checked).length === 0
              ? 'not checked yet (the lists are read at start-up and each health check, with or without webhook registration)'
              : d.mapping.drift.length === 0
                ? `every status, field and option the mapping names is there (${Object.keys(d.mapping.checked).length} list(s))`
                : h(
                    'span',
                    `${d.mapping.drift.length} renamed or missing in ClickUp, `,
                    h('a', { href: '#/held' }, `${d.mapping.held} change(s) held`),
                    ' until the mapping fits: ',
                    d.mapping.drift.map((x) => x.reason).join(' · '),
                  ),
          ),
          // A case task moved to a ClickUp status the status map does not name: held, not dropped.
          d.mapping.unmapped.length === 0
            ? null
            : line(
                'ClickUp statuses the status map lacks',
                false,
                h(
                  'span',
                  h(
                    'a',
                    { href: '#/held' },
                    `${d.mapping.unmapped.reduce((n, x) => n + x.held, 0)} case status change(s) held`,
                  ),
                  `: ${d.mapping.unmapped.map((x) => `"${x.status}" (${x.held})`).join(', ')}. Add each to clickup.status_map and restart to send them, or drop them on the Held page`,
                ),
              ),
          line(
            'Queue',
            q.oldestDueAgeMs < 60_000,
            `${q.due} due, ${q.running} running, oldest waiting ${fmtDuration(q.oldestDueAgeMs)}${q.waiting ? `; ${q.waiting} parked with their held case` : ''}`,
          ),
          line(
            'Dead letters',
            q.deadLettersOpen === 0,
            q.deadLettersOpen
              ? h('a', { href: '#/dead-letters' }, `${q.deadLettersOpen} waiting for a replay`)
              : 'none',
          ),
          line(
            'Dispatcher',
            true,
            `${d.dispatcher.inFlight} in flight · ${d.dispatcher.counters.done ?? 0} done · ${d.dispatcher.counters.retried ?? 0} retried · ${d.dispatcher.counters.dead ?? 0} dead since start`,
          ),
        ),
      ),
    ),
    h(
      'div.grid2',
      lineChart({
        title: 'Queue: jobs due and age of the oldest (s)',
        series: [
          { name: 'due', points: d.history.map((s) => point(s.at, s.queueDue)) },
          { name: 'oldest age (s)', points: d.history.map((s) => point(s.at, s.oldestDueAgeMs / 1000)) },
        ],
        xFormat: tFmt,
        height: 170,
        empty: 'No samples yet.',
      }),
      h(
        'section.card',
        h('h2', 'Jobs by kind'),
        q.byKind.length === 0
          ? h('p.empty', 'Queue is empty.')
          : table(
              'table.data.compact',
              ['Kind', 'State', h('th.num', 'Jobs')],
              q.byKind.map((r) =>
                h(
                  'tr',
                  h('td', h('code', r.kind)),
                  h('td', pill(r.state, r.state === 'dead' ? 'bad' : r.state === 'waiting' ? 'muted' : '')),
                  h('td.num', String(r.n)),
                ),
              ),
            ),
      ),
    ),
  );
}

/**
 * A chart point: [x, y].
 * @param {number} x
 * @param {number} y
 * @returns {[number, number]}
 */
const point = (x, y) => [x, y];
