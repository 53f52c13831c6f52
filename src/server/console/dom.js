// @ts-check
// Tiny DOM helpers: every text goes through textContent, never innerHTML (data comes from partners).

/** @typedef {Node | string | number | null | undefined | false | Array<unknown>} Child */

/**
 * h('div.cls#id', {attrs}, ...children)
 * @param {string} tag
 * @param {Record<string, unknown> | Child} [attrs] attributes (`on…` ones are listeners, `dataset` is data-*), or a first child
 * @param {...Child} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const m = /^([a-z0-9-]+)(.*)$/i.exec(tag);
  if (!m) throw new Error(`h(): '${tag}' is not a tag`);
  const [, name, rest] = m;
  const el = document.createElement(name);
  for (const c of rest.matchAll(/([.#])([\w-]+)/g)) {
    if (c[1] === '.') el.classList.add(c[2]);
    else el.id = c[2];
  }
  /** @type {Record<string, unknown>} */
  let props = {};
  // A plain object is the attributes; anything else (a node, text, a list) is the first child.
  if (typeof attrs === 'object' && attrs !== null && !(attrs instanceof Node) && !Array.isArray(attrs)) props = attrs;
  else children.unshift(attrs);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function')
      el.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else if (k === 'dataset' && typeof v === 'object') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {Child[]} children
 */
function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/**
 * An element index.html is built with: missing means the page and this code disagree, so it throws.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is not in index.html`);
  return el;
}

/**
 * @param {HTMLElement} el
 * @param {...Child} children
 */
export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
/**
 * An SVG element (charts.js): s('line', {x1, y1, …}, ...children).
 * @param {string} tag
 * @param {Record<string, string | number | null | undefined>} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {SVGElement}
 */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** @param {number | null | undefined} ms */
export function fmtTime(ms) {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/**
 * @param {number | null | undefined} ms
 * @param {number} [now]
 */
export function fmtAgo(ms, now = Date.now()) {
  if (ms === null || ms === undefined) return 'never';
  const d = Math.round((now - ms) / 1000);
  const abs = Math.abs(d);
  const v =
    abs < 60
      ? `${abs}s`
      : abs < 3600
        ? `${Math.round(abs / 60)}m`
        : abs < 86400
          ? `${Math.round(abs / 3600)}h`
          : `${Math.round(abs / 86400)}d`;
  return d >= 0 ? `${v} ago` : `in ${v}`;
}

/** @param {number | null | undefined} ms */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const h = ms / 3_600_000;
  if (h < 1) return `${(ms / 60_000).toFixed(ms < 60_000 ? 2 : 0)} min`;
  if (h < 48) return `${h.toFixed(1)} h`;
  return `${(h / 24).toFixed(1)} d`;
}

/** snake_case words as text: 'at_risk' → 'at risk'. */
export const human = (/** @type {string | null | undefined} */ s) => String(s ?? '').replace(/_/g, ' ');
