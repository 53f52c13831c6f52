// @ts-check
// SLA board: open cases at risk or breached, by partner and by manager.
import { api } from './api.js';
import { fmtAgo, fmtTime, h } from './dom.js';
import { barChart } from './charts.js';
import { table } from './table.js';
import { page, pill, stateTone } from './ui.js';

export async function viewSla() {
  const d = await api.get('/sla');
  /**
   * @param {string} title
   * @param {import('./types').SlaGroup[]} groups
   */
  const groupTable = (title, groups) =>
    h(
      'section.card',
      h('h2', title),
      groups.length === 0
        ? h('p.empty', 'Nothing at risk or breached.')
        : barChart({
            bars: groups.flatMap((g) => [
              {
                label: g.key,
                value: g.breached + g.atRisk,
                note: `${g.breached} breached · ${g.atRisk} at risk`,
                color: g.breached ? '#cf222e' : '#d4a72c',
              },
            ]),
            format: String,
          }),
    );
  const rows = d.cases.map((c) =>
    h(
      'tr',
      h('td', h('a', { href: `#/case/${encodeURIComponent(c.id)}` }, c.id), h('div.sub', c.title)),
      h('td', c.partnerName ?? c.partnerId),
      h('td.manager', c.manager),
      h(
        'td.rung',
        c.escalation
          ? [
              `level ${c.escalation.level}`,
              c.escalation.taskId
                ? h(
                    'div.sub',
                    h(
                      'a',
                      { href: c.escalation.taskUrl, target: '_blank', rel: 'noopener noreferrer' },
                      `escalation task ${c.escalation.taskId} ↗`,
                    ),
                  )
                : h('div.sub', 'task pending'),
            ]
          : '—',
      ),
      h('td', pill(c.sla, stateTone[c.sla])),
      h('td', fmtTime(c.slaDueAt), h('div.sub', fmtAgo(c.slaDueAt, d.now))),
      h(
        'td.links',
        c.links.clickup
          ? h('a', { href: c.links.clickup, target: '_blank', rel: 'noopener noreferrer' }, 'ClickUp ↗')
          : '—',
        c.clickupStatus ? h('div.sub.cu-status', c.clickupStatus) : null,
      ),
    ),
  );
  return page(
    'SLA board',
    h(
      'p.muted',
      'Open cases past their due date (breached) or with less than a quarter of their SLA window left (at risk).',
    ),
    h('div.grid2', groupTable('By partner', d.byPartner), groupTable('By manager', d.byManager)),
    d.cases.length
      ? table(
          'table.data#sla-cases',
          ['Case', 'Partner', 'Manager', 'Escalation', 'SLA', 'Due', 'Task (ClickUp status)'],
          rows,
        )
      : null,
  );
}
