// @ts-check
// Dead letters: jobs that failed for good, and their replay.
import { api } from './api.js';
import { fmtAgo, h } from './dom.js';
import { table } from './table.js';
import { page, pill, rerender, shell, toast } from './ui.js';

export async function viewDeadLetters(params) {
  const all = params.get('all') === 'true';
  /** @type {import('./types').Get<'/dead-letters'>} */
  const data = await api.get(`/dead-letters${all ? '?all=true' : ''}`);
  const canReplay = shell.session.role === 'admin';
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
  async function replay(ids) {
    try {
      const r =
        ids === 'all'
          ? await api.post('/dead-letters/replay', { all: true })
          : ids.length === 1
            ? await api.post(`/dead-letters/${ids[0]}/replay`)
            : await api.post('/dead-letters/replay', { ids });
      const n = ids !== 'all' && ids.length === 1 ? 1 : r.replayed;
      toast(`${n} dead letter${n === 1 ? '' : 's'} sent back to the queue${r.failed ? `; ${r.failed} refused` : ''}`);
      setTimeout(rerender, 300);
    } catch (e) {
      toast(e.message, 'bad');
    }
  }
  const rows = data.deadLetters.map((d) => {
    const box = h('input', {
      type: 'checkbox',
      disabled: !canReplay || !!d.replayedAt,
      'aria-label': `select dead letter ${d.id}`,
      onchange: (e) => {
        if (e.target.checked) selected.add(d.id);
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
