// @ts-check
// Cases view: counts, filters, and the cases table, newest first.
import { api } from './api.js';
import { fmtAgo, fmtDuration, h, human } from './dom.js';
import { table } from './table.js';
import { page, pill, stateTone } from './ui.js';

/** @typedef {'q' | 'partner' | 'kind' | 'sla' | 'state'} Filter */

/** @param {URLSearchParams} params the location's query: filters and page */
export async function viewCases(params) {
  /** @type {Record<Filter, string> & { offset: number }} */
  const filters = {
    q: params.get('q') ?? '',
    partner: params.get('partner') ?? '',
    kind: params.get('kind') ?? '',
    sla: params.get('sla') ?? '',
    state: params.get('state') ?? '',
    offset: Number(params.get('offset') ?? 0),
  };
  const limit = 50;
  /** The query of these settings: empty ones and offset 0 left out. @param {Record<string, string | number>} o */
  const query = (o) =>
    new URLSearchParams(
      Object.entries(o)
        .filter(([, v]) => v !== '' && v !== 0)
        .map(([k, v]) => [k, String(v)]),
    );
  const [data, overview] = await Promise.all([
    api.get('/cases', { query: query({ ...filters, limit }) }),
    api.get('/overview'),
  ]);
  /** Shows the cases with some settings changed (back to the first page unless the offset is one of them). */
  const go = (/** @type {Partial<typeof filters>} */ over) => {
    location.hash = `#/cases?${query({ ...filters, offset: 0, ...over })}`;
  };
  /**
   * @param {Exclude<Filter, 'q' | 'partner'>} name
   * @param {string} label
   * @param {Array<[string, string]>} options value and text
   */
  const select = (name, label, options) =>
    h(
      'label.inline',
      label,
      h(
        'select',
        {
          name,
          onchange: (/** @type {Event} */ e) => go({ [name]: /** @type {HTMLSelectElement} */ (e.target).value }),
        },
        h('option', { value: '' }, 'any'),
        options.map(([v, t]) => h('option', { value: v, selected: filters[name] === v }, t)),
      ),
    );
  const search = /** @type {HTMLInputElement} */ (
    h('input', {
      type: 'search',
      name: 'q',
      placeholder: 'Search case id, partner, title, PO, task id…',
      value: filters.q,
    })
  );
  const form = h(
    'form.filters',
    { role: 'search' },
    search,
    h('button', { type: 'submit' }, 'Search'),
    select('sla', 'SLA', [
      ['breached', 'breached'],
      ['at_risk', 'at risk'],
      ['on_track', 'on track'],
      ['met', 'met'],
      ['missed', 'missed'],
      ['none', 'no due date'],
    ]),
    select('state', 'Bridge', [
      ['active', 'active'],
      ['needs_mapping', 'needs mapping'],
      ['closed', 'closed'],
    ]),
    select(
      'kind',
      'Kind',
      ['dispute', 'shipment_exception', 'document_mismatch', 'compliance_issue', 'edi_exception'].map(
        (k) => /** @type {[string, string]} */ ([k, human(k)]),
      ),
    ),
    h(
      'label.inline',
      'Partner',
      h('input', {
        name: 'partner',
        value: filters.partner,
        placeholder: 'P-…',
        size: 10,
        onchange: (/** @type {Event} */ e) => go({ partner: /** @type {HTMLInputElement} */ (e.target).value.trim() }),
      }),
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go({ q: search.value.trim() });
  });
  const paused = overview.pausedTasks;
  const pausedCase = paused.find((p) => p.entity === 'case');
  const stats = h(
    'div.stats',
    stat('Open cases', overview.openCases, '#/cases?state=active'),
    stat('SLA breached', overview.breached, '#/cases?sla=breached', overview.breached ? 'bad' : ''),
    stat('At risk', overview.atRisk, '#/cases?sla=at_risk', overview.atRisk ? 'warn' : ''),
    stat('Held (needs mapping)', overview.held, '#/cases?state=needs_mapping', overview.held ? 'warn' : ''),
    stat('Dead letters', overview.deadLetters, '#/dead-letters', overview.deadLetters ? 'bad' : ''),
    stat('Held bulk changes', overview.heldChanges, '#/held', overview.heldChanges ? 'bad' : ''),
    // Tasks a person moved out of our lists: their records are paused until the task is moved back.
    stat(
      'Paused (task moved out)',
      paused.length,
      pausedCase ? `#/case/${encodeURIComponent(pausedCase.id)}` : '#/cases',
      paused.length ? 'warn' : '',
      paused
        .slice(0, 3)
        .map((p) => `${p.entity} ${p.id}`)
        .join(', '),
    ),
    stat(
      'Queue due',
      overview.queueDue,
      '#/health',
      '',
      overview.oldestDueAgeMs ? `oldest ${fmtDuration(overview.oldestDueAgeMs)}` : '',
    ),
  );
  const rows = data.cases.map((c) =>
    h(
      'tr',
      { dataset: { case: c.id } },
      h('td', h('a.caseid', { href: `#/case/${encodeURIComponent(c.id)}` }, c.id), h('div.sub', c.title)),
      h('td', c.partnerName ?? c.partnerId, h('div.sub', c.partnerId)),
      h('td', human(c.kind)),
      h('td', pill(c.partnerStatus, c.partnerStatus === 'resolved' ? 'ok' : ''), h('div.sub', 'Trading Grid')),
      h(
        'td',
        c.clickupTaskId
          ? [pill(c.clickupStatus ?? 'linked', 'ok'), h('div.sub', `task ${c.clickupTaskId}`)]
          : c.bridgeState === 'needs_mapping'
            ? [pill('held', 'warn'), h('div.sub', 'needs mapping')]
            : [pill('not yet', 'muted')],
      ),
      h('td', pill(c.sla, stateTone[c.sla]), h('div.sub', c.slaDueAt ? `due ${fmtAgo(c.slaDueAt)}` : '')),
      h(
        'td.links',
        c.links.clickup
          ? h('a', { href: c.links.clickup, target: '_blank', rel: 'noopener noreferrer' }, 'ClickUp ↗')
          : null,
        c.links.tradinggrid
          ? h('a', { href: c.links.tradinggrid, target: '_blank', rel: 'noopener noreferrer' }, 'Trading Grid ↗')
          : null,
      ),
      h('td.num', fmtAgo(c.openedAt)),
    ),
  );
  const pager = h(
    'div.pager',
    h('span.muted', `${data.total === 0 ? 0 : data.offset + 1}–${data.offset + data.cases.length} of ${data.total}`),
    h(
      'button',
      { type: 'button', disabled: data.offset === 0, onclick: () => go({ offset: Math.max(0, data.offset - limit) }) },
      '← Newer',
    ),
    h(
      'button',
      {
        type: 'button',
        disabled: data.offset + data.cases.length >= data.total,
        onclick: () => go({ offset: data.offset + limit }),
      },
      'Older →',
    ),
  );
  return page(
    'Cases',
    stats,
    form,
    data.cases.length === 0
      ? h(
          'p.empty',
          filters.q || filters.sla || filters.state || filters.kind || filters.partner
            ? 'No case matches these filters.'
            : 'No cases yet: they appear when partners raise them on Trading Grid.',
        )
      : table(
          'table.data#cases',
          ['Case', 'Partner', 'Kind', 'Trading Grid', 'ClickUp', 'SLA', 'Links', 'Opened'],
          rows,
        ),
    pager,
  );
}

/**
 * A count that links to where it is explained.
 * @param {string} label
 * @param {number} value
 * @param {string} href
 */
function stat(label, value, href, tone = '', note = '') {
  return h(
    'a',
    { class: `stat ${tone}`, href },
    h('span.value', String(value)),
    h('span.label', label),
    note ? h('span.note', note) : null,
  );
}
