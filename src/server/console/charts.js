// @ts-check
// Small SVG charts drawn by hand (no chart library is installed; uPlot would do this with canvas).
import { h, s } from './dom.js';

const PALETTE = ['#1f6feb', '#d4682b', '#2da44e', '#8250df', '#bf3989', '#0a7ea4', '#9a6700', '#cf222e'];
export const color = (/** @type {number} */ i) => PALETTE[i % PALETTE.length];

/** A round number at or above v, for an axis's top. @param {number} v */
function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const m = v / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** @typedef {(v: number) => string} Format */
/** @typedef {{ name: string, points: Array<[number, number]>, color?: string }} Series */

/**
 * Line chart. series: [{name, points: [[x, y], ...]}]; x and y numbers. Returns a figure with a legend.
 * @param {{ series: Series[], xFormat?: Format, yFormat?: Format, height?: number, yMin?: number, yMaxHint?: number, title?: string, empty?: string }} o
 */
export function lineChart({
  series,
  xFormat = String,
  yFormat = String,
  height = 200,
  yMin = 0,
  yMaxHint = 0,
  title,
  empty = 'no data yet',
}) {
  const W = 640;
  const H = height;
  const pad = { l: 52, r: 14, t: 12, b: 26 };
  const all = series.flatMap((x) => x.points);
  const fig = h('figure.chart', title ? h('figcaption', title) : null);
  if (all.length === 0) {
    fig.append(h('p.empty', empty));
    return fig;
  }
  let x0 = Math.min(...all.map((p) => p[0]));
  let x1 = Math.max(...all.map((p) => p[0]));
  if (x0 === x1) {
    x0 -= 1;
    x1 += 1;
  }
  const y1 = niceMax(Math.max(yMaxHint, ...all.map((p) => p[1])));
  const X = (/** @type {number} */ x) => pad.l + ((x - x0) / (x1 - x0)) * (W - pad.l - pad.r);
  const Y = (/** @type {number} */ y) => H - pad.b - ((y - yMin) / (y1 - yMin)) * (H - pad.t - pad.b);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'svgchart', role: 'img', 'aria-label': title ?? 'chart' });
  for (let i = 0; i <= 4; i++) {
    const v = yMin + ((y1 - yMin) * i) / 4;
    svg.append(
      s('line', { x1: pad.l, x2: W - pad.r, y1: Y(v), y2: Y(v), class: 'grid' }),
      s('text', { x: pad.l - 6, y: Y(v) + 4, 'text-anchor': 'end', class: 'tick' }, yFormat(v)),
    );
  }
  for (let i = 0; i <= 4; i++) {
    const v = x0 + ((x1 - x0) * i) / 4;
    svg.append(
      s(
        'text',
        { x: X(v), y: H - 6, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle', class: 'tick' },
        xFormat(v),
      ),
    );
  }
  series.forEach((ser, i) => {
    if (ser.points.length === 0) return;
    const d = ser.points.map((p, j) => `${j ? 'L' : 'M'}${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(' ');
    svg.append(
      s('path', { d, fill: 'none', stroke: ser.color ?? color(i), 'stroke-width': 2, 'stroke-linejoin': 'round' }),
    );
    for (const p of ser.points.length <= 40 ? ser.points : [])
      svg.append(
        s(
          'circle',
          { cx: X(p[0]), cy: Y(p[1]), r: 3, fill: ser.color ?? color(i) },
          s('title', {}, `${ser.name}: ${yFormat(p[1])} at ${xFormat(p[0])}`),
        ),
      );
  });
  fig.append(svg);
  if (series.length > 1 || series[0]?.name)
    fig.append(
      h(
        'div.legend',
        series.map((ser, i) => h('span', { class: `key k${i % PALETTE.length}` }, ser.name)),
      ),
    );
  return fig;
}

/**
 * Horizontal bars: [{label, value, color?, note?}]
 * @param {{ bars: Array<{ label: string, value: number, color?: string, note?: string }>, format?: Format, title?: string, empty?: string }} o
 */
export function barChart({ bars, format = String, title, empty = 'no data yet' }) {
  const fig = h('figure.chart', title ? h('figcaption', title) : null);
  if (bars.length === 0) {
    fig.append(h('p.empty', empty));
    return fig;
  }
  const max = niceMax(Math.max(...bars.map((b) => b.value)));
  const list = h('div.bars');
  bars.forEach((b, i) => {
    const fill = h('span.fill');
    fill.style.width = `${Math.max(0.5, (100 * b.value) / max)}%`;
    fill.style.background = b.color ?? color(i);
    list.append(
      h(
        'div.bar',
        h('span.label', b.label),
        h('span.track', fill),
        h('span.value', format(b.value), b.note ? h('small', ` ${b.note}`) : null),
      ),
    );
  });
  fig.append(list);
  return fig;
}

/**
 * A progress bar (0..1) with a label.
 * @param {number} fraction
 * @param {string} label
 * @param {string} [tone] 'ok', 'warn' or none
 */
export function progress(fraction, label, tone = '') {
  const fill = h('span.fill');
  fill.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
  return h('div', { class: `progress ${tone}` }, h('span.track', fill), h('span.plabel', label));
}
