// @ts-check
// Held bulk changes: what the bulk-change guard kept from the partner until an admin decides.
import { api } from './api.js';
import { fmtTime, h } from './dom.js';
import { table } from './table.js';
import { errorText, isAdmin, page, rerender, toast } from './ui.js';

export async function viewHeld() {
  const data = await api.get('/held-changes');
  const canDecide = isAdmin();
  /**
   * @param {'release' | 'drop'} to
   * @param {import('./types').HeldSelector} body which ones
   */
  async function decide(to, body) {
    try {
      toast(
        to === 'release'
          ? `${(await api.post('/held-changes/release', { body })).released} change(s) released to the partner`
          : `${(await api.post('/held-changes/drop', { body })).dropped} change(s) dropped`,
      );
      setTimeout(rerender, 300);
    } catch (e) {
      toast(errorText(e), 'bad');
    }
  }
  const actors = [...new Set(data.held.map((x) => x.actor))];
  const rowOf = (/** @type {import('./types').HeldChange} */ x) =>
    h(
      'tr',
      { dataset: { held: x.id } },
      h('td.num', `#${x.id}`),
      h('td', fmtTime(x.at)),
      h('td', x.caseId ? h('a', { href: `#/case/${encodeURIComponent(x.caseId)}` }, x.caseId) : '—'),
      // Held for the mapping (a name renamed in ClickUp, a status the map lacks): the reason says what to fix.
      h(
        'td',
        x.summary,
        x.actor.startsWith('gridbridge:mapping:') && x.reason ? h('div.muted.reason', x.reason) : null,
      ),
      h(
        'td',
        canDecide
          ? [
              h('button', { type: 'button', onclick: () => decide('release', { ids: [x.id] }) }, 'Release'),
              ' ',
              h('button', { type: 'button', onclick: () => decide('drop', { ids: [x.id] }) }, 'Drop'),
            ]
          : null,
      ),
    );
  const byActor = actors.map((a) => {
    const mine = data.held.filter((x) => x.actor === a);
    return h(
      'section.card',
      { dataset: { actor: a } },
      h('h2', `${a}: ${mine.length} held`),
      canDecide
        ? h(
            'div.toolbar',
            h(
              'button.primary',
              { type: 'button', onclick: () => decide('release', { actor: a }) },
              'Release all to the partner',
            ),
            h('button', { type: 'button', onclick: () => decide('drop', { actor: a }) }, 'Drop all'),
          )
        : null,
      table('table.data.compact', ['Id', 'When', 'Case', 'Would send', ''], mine.map(rowOf)),
    );
  });
  return page(
    'Held bulk changes',
    h(
      'p.muted',
      `One person making more than ${data.guard.maxChanges} partner-visible changes in ${data.guard.windowMinutes} minute(s) (guards.bulk_changes) is held here: nothing past the limit reaches the partner until an admin releases it. A status the task has moved on from since is not sent on release.`,
      canDecide ? '' : ' You are signed in read-only.',
    ),
    data.held.length === 0 ? h('p.empty#held-empty', 'Nothing held.') : h('div#held', byActor),
  );
}
