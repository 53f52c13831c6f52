// @ts-check
// One case: its facts, documents, what the partner was sent, and its timeline.
import { api } from './api.js';
import { fmtAgo, fmtDuration, fmtTime, h, human } from './dom.js';
import { table } from './table.js';
import { errorText, isAdmin, pill, rerender, stateTone, toast } from './ui.js';

const kindIcon = {
  event: '↘',
  decision: '◆',
  call: '↗',
  retry: '↻',
  error: '✕',
  dead_letter: '☠',
  replay: '⟲',
  operator: '☺',
  sent_to_partner: '✉',
};
/** A job parked with its held case (outcome 'wait'): neither done nor failing, so neither green nor red. */
const WAIT_ICON = '⏸';
/** The pill of a run's outcome; lease_lost and fail are bad. */
const statusTone = { done: 'ok', retry: 'warn', wait: 'muted' };

/** @param {string} id the case's id */
export async function viewCase(id) {
  const [c, tl, bySend] = await Promise.all([
    api.get('/cases/{id}', { params: { id } }),
    api.get('/cases/{id}/timeline', { params: { id } }),
    // Not every deployment has the partner channel: without it the case shows no "by channel" part.
    api.partnerSends(id).catch(() => null),
  ]);
  const k = c.case;
  /**
   * @param {string} label
   * @param {import('./dom.js').Child} value
   */
  const dl = (label, value) => [h('dt', label), h('dd', value ?? '—')];
  const info = h(
    'dl.facts',
    dl('Partner', `${k.partnerName ?? ''} (${k.partnerId})`),
    dl('Kind', human(k.kind)),
    dl('Trading Grid status', pill(k.partnerStatus)),
    dl('Bridge', [
      pill(k.bridgeState, k.bridgeState === 'needs_mapping' ? 'warn' : ''),
      k.holdReason ? h('div.sub', k.holdReason) : null,
    ]),
    dl(
      'ClickUp task',
      k.clickupTaskId
        ? [
            h('a', { href: k.links.clickup, target: '_blank', rel: 'noopener noreferrer' }, `${k.clickupTaskId} ↗`),
            k.clickupStatus ? h('span.cu-status', ` · ${k.clickupStatus}`) : null,
          ]
        : 'not created yet',
    ),
    dl(
      'Escalation',
      k.escalation
        ? h(
            'span#escalation',
            `level ${k.escalation.level} → ${k.escalation.manager ?? 'nobody'}`,
            k.escalation.taskId
              ? [
                  ' · ',
                  h(
                    'a',
                    { href: k.escalation.taskUrl, target: '_blank', rel: 'noopener noreferrer' },
                    `task ${k.escalation.taskId} ↗`,
                  ),
                ]
              : ' · task pending',
            h('div.sub', k.escalation.why),
          )
        : '—',
    ),
    dl(
      'Trading Grid case',
      k.links.tradinggrid
        ? h('a', { href: k.links.tradinggrid, target: '_blank', rel: 'noopener noreferrer' }, `${k.id} ↗`)
        : k.id,
    ),
    dl('SLA', [pill(k.sla, stateTone[k.sla]), k.slaDueAt ? ` due ${fmtTime(k.slaDueAt)} (${fmtAgo(k.slaDueAt)})` : '']),
    dl('Opened', fmtTime(k.openedAt)),
    dl('Resolved', k.resolvedAt ? fmtTime(k.resolvedAt) : '—'),
    dl(
      'Transaction',
      c.record.transactionRef?.business
        ? `${c.record.transactionRef.business.type} ${c.record.transactionRef.business.value}`
        : '—',
    ),
  );
  const docs = c.documents.length
    ? h(
        'ul.docs',
        c.documents.map((d) =>
          h(
            'li',
            h('strong', d.name),
            ` · ${human(d.kind)} · ${Math.round(d.sizeBytes / 102.4) / 10} KB · `,
            d.onTradingGrid ? pill('Trading Grid', 'ok') : pill('not on TG', 'muted'),
            ' ',
            d.onClickUp ? pill('ClickUp', 'ok') : pill('not on ClickUp', 'muted'),
          ),
        ),
      )
    : h('p.muted', 'No documents.');
  const items = tl.items.map((it) =>
    h(
      'li',
      { class: `tl ${it.kind} st-${it.status}` },
      it.status === 'wait'
        ? h('span.icon', { title: 'parked' }, WAIT_ICON)
        : h('span.icon', { title: it.kind }, kindIcon[it.kind] ?? '•'),
      h(
        'div.body',
        h('div.line', h('span.kind', human(it.kind)), ' ', it.detail),
        h(
          'div.sub',
          fmtTime(it.at),
          it.durationMs !== null ? ` · ${fmtDuration(it.durationMs)}` : '',
          it.status !== 'info' ? ' · ' : '',
          it.status !== 'info'
            ? pill(it.status, statusTone[/** @type {keyof typeof statusTone} */ (it.status)] ?? 'bad')
            : null,
          it.jobId ? ` · job ${it.jobId}` : '',
        ),
      ),
    ),
  );
  // What the partner was sent, apart from everything that stayed internal.
  const sent = tl.items.filter((it) => it.kind === 'sent_to_partner');
  const sentList = sent.length
    ? h(
        'ul.sent#sent-to-partner',
        sent.map((it) => h('li', h('strong', fmtTime(it.at)), ' ', it.detail)),
      )
    : h('p.muted#sent-to-partner', 'Nothing sent to the partner yet.');
  return [
    h('div.pagehead', h('div', h('a.back', { href: '#/cases' }, '← Cases'), h('h1', k.title), h('div.sub', k.id))),
    h(
      'div.grid2',
      h(
        'section.card',
        h('h2', 'Case'),
        info,
        h('h3', 'Documents'),
        docs,
        h('h3', `Sent to partner (${sent.length})`),
        sentList,
        partnerSends(bySend),
      ),
      h(
        'section.card',
        h('h2', `Timeline (${tl.items.length})`),
        tl.items.length ? h('ol.timeline#timeline', items) : h('p.empty', 'Nothing recorded for this case yet.'),
      ),
    ),
  ];
}

/**
 * What reached the partner, by which channel and when; the page links handed out (revocable by an admin).
 * @param {import('./types').PartnerSends | null} sent
 */
function partnerSends(sent) {
  if (!sent) return null;
  const rows = sent.deliveries.map((x) =>
    h(
      'tr',
      h('td', pill(x.channel, x.channel === 'email' ? 'ok' : '')),
      h('td', x.what),
      h('td', x.to ?? '—'),
      h(
        'td',
        pill(
          x.state,
          x.state === 'sent' || x.state === 'digested'
            ? 'ok'
            : x.state === 'failed' || x.state === 'bounced'
              ? 'bad'
              : 'warn',
        ),
      ),
      h('td', { title: x.detail ?? '' }, fmtTime(x.at)),
    ),
  );
  const links = sent.tokens.map((t) => {
    const btn =
      t.revokedAt || !isAdmin()
        ? null
        : h(
            'button',
            {
              type: 'button',
              class: 'revoke-link',
              onclick: async () => {
                try {
                  await api.revokePartnerLink(t.jti);
                  toast('link withdrawn');
                  setTimeout(rerender, 200);
                } catch (e) {
                  toast(errorText(e), 'bad');
                }
              },
            },
            'Revoke',
          );
    return h(
      'li',
      `${t.recipient ?? t.partnerId} · expires ${fmtTime(t.expiresAt)} · ${t.lastUsedAt ? `last used ${fmtAgo(t.lastUsedAt)}` : 'not opened'} `,
      t.revokedAt ? pill('revoked', 'bad') : btn,
    );
  });
  return [
    h('h3', 'By channel'),
    rows.length
      ? table('table.sends#partner-sends', ['Channel', 'What', 'To', 'State', 'When'], rows)
      : h('p.muted', 'Nothing sent yet.'),
    links.length ? [h('h3', 'Partner page links'), h('ul.links#partner-links', links)] : null,
  ];
}
