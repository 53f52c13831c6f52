// @ts-check
// The one table helper: every table in the console is a header row of column titles over a body of rows.
import { h } from './dom.js';

/**
 * @param {string} tag the table's h() tag, e.g. 'table.data#cases'
 * @param {Array<string | HTMLElement>} columns a column title, or a ready header cell (h('th.num', 'Jobs'))
 * @param {Array<Node>} rows the body's rows
 * @returns {HTMLElement}
 */
export function table(tag, columns, rows) {
  return h(
    tag,
    h(
      'thead',
      h(
        'tr',
        columns.map((c) => (typeof c === 'string' ? h('th', c) : c)),
      ),
    ),
    h('tbody', rows),
  );
}
