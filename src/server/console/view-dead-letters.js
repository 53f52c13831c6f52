// @ts-check
// Dead letters: jobs that failed for good, and their replay.
import { api } from './api.js';
import { fmtAgo, h } from './dom.js';
import { table } from './table.js';
import { errorText, isAdmin, page, pill, rerender, toast } from './ui.js';

/** @param {URLSearchParams} params `all=true` shows replayed ones too */
export async function viewDeadLetters(params) {
  const all = params.get('all') === 'true';
  const data = await api.get('/dead-letters', { query: new URLSearchParams(all ? { all: 'true' } : {}) });
  const canReplay = isAdmin();
  /** @type {Set<number>} */
  const selected = new Set();
  const bulk = /** @type {HTMLButtonElement} */ (
    h('button.primary', { type: 'button', disabled: true, onclick: () => replay([...selected]) }, 'Replay selected')
  );
  const replayAll = h(
    'button',
    {
      type: 'button',
      disabled: !canReplay || data.deadLetters.every((d) => d.replayedAt),
      onclick: () => replay('all'),
    },
    'Replay all',
  );
  /** @param {'all' | number[]} ids */
  async function replay(ids) {
    try {
      let n = 1;
      let refused = 0;
      if (ids !== 'all' && ids.length === 1) await api.post('/dead-letters/{id}/replay', { params: { id: ids[0] } });
      else {
        const r = await api.post('/dead-letters/replay', { body: ids === 'all' ? { all: true } : { ids } });
        n = r.replayed;
        refused = r.failed;
      }
      toast(`${n} dead letter${n === 1 ? '' : 's'} sent back to the queue${refused ? `; ${refused} refused` : ''}`);
      setTimeout(rerender, 300);
    } catch (e) {
      toast(errorText(e), 'bad');
    }
  }
  const rows = data.deadLetters.map((d) => {
    const box = h('input', {
      type: 'checkbox',
      disabled: !canReplay || !!d.replayedAt,
      'aria-label': `select dead letter ${d.id}`,
      onchange: (/** @type {Event} */ e) => {
        if (/** @type {HTMLInputElement} */ (e.target).checked) selected.add(d.id);
        else selected.delete(d.id);
        bulk.disabled = selected.size === 0;
      },
    });
    let payload = d.payload;
    try {
      payload = JSON.stringify(JSON.parse(d.payload), null, 2);
    } catch {
      /* shown raw */
    }
    const state = d.replayedAt
      ? d.jobState === 'done'
        ? pill('replayed · succeeded', 'ok')
        : d.jobState === 'dead'
          ? pill('replayed · failed again', 'bad')
          : pill(`replayed · ${d.jobState}`, 'warn')
      : pill('dead', 'bad');
    return h(
      'tr',
      { dataset: { dl: d.id } },
      h('td', box),
      h('td.num', `#${d.id}`),
      h(
        'td',
        h('code', d.kind),
        h('div.sub', d.caseId ? h('a', { href: `#/case/${encodeURIComponent(d.caseId)}` }, d.caseId) : d.key),
      ),
      h(
        'td.err',
        h('div', d.error.split('\n')[0]),
        h('details', h('summary', 'payload and full error'), h('pre', payload), h('pre.errfull', d.error)),
      ),
      h('td', `${d.attempts}`, h('div.sub', fmtAgo(d.failedAt))),
      h('td.state', state),
      h(
        'td',
        canReplay && !d.replayedAt
          ? h('button.replay', { type: 'button', onclick: () => replay([d.id]) }, 'Replay')
          : null,
      ),
    );
  });
  const head = page(
    'Dead letters',
    h(
      'p.muted',
      'Jobs that failed for good. Fix the cause (a ClickUp field option, a partner mapping…), then replay: the job runs again with fresh attempts.',
      canReplay ? '' : ' You are signed in read-only: replay is not available.',
    ),
    h(
      'div.toolbar',
      canReplay ? [bulk, replayAll] : null,
      h('a', { href: all ? '#/dead-letters' : '#/dead-letters?all=true' }, all ? 'Hide replayed' : 'Show replayed too'),
    ),
    data.deadLetters.length === 0
      ? h('p.empty', 'No dead letters. Everything that failed was retried successfully.')
      : table('table.data#dead-letters', ['', 'Id', 'Job', 'Error', 'Attempts', 'State', ''], rows),
  );
  return head;
}
