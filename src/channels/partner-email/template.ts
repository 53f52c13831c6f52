/**
 * A small Mustache subset for customer-editable e-mail templates: `{{name}}` (escaped in HTML templates),
 * `{{{name}}}` (as is), `{{#name}}…{{/name}}` (shown when truthy; repeated for each item of a list, whose
 * fields are then in scope, `{{.}}` being the item itself), `{{^name}}…{{/name}}` (shown when falsy or empty).
 * Dotted names reach into objects. Unknown names render as nothing. Pure.
 */

type Scope = Record<string, unknown>;

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function lookup(stack: readonly unknown[], name: string): unknown {
  if (name === '.') return stack[stack.length - 1];
  const [head, ...rest] = name.split('.');
  for (let i = stack.length - 1; i >= 0; i--) {
    const s = stack[i];
    if (s && typeof s === 'object' && head! in (s as Scope)) {
      let v: unknown = (s as Scope)[head!];
      for (const part of rest) v = v && typeof v === 'object' ? (v as Scope)[part] : undefined;
      return v;
    }
  }
  return undefined;
}

const TAG = /\{\{(\{?)\s*([#^/]?)\s*([\w.]+)\s*\}?\}\}/g;

export class TemplateError extends Error {}

export function renderTemplate(template: string, data: Scope, opts: { html: boolean; name?: string }): string {
  const asText = (v: unknown) =>
    v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const render = (tpl: string, stack: unknown[]): string => {
    let out = '';
    let pos = 0;
    TAG.lastIndex = 0;
    for (;;) {
      TAG.lastIndex = pos;
      const m = TAG.exec(tpl);
      if (!m) break;
      out += tpl.slice(pos, m.index);
      const [whole, raw, sigil, name] = m as unknown as [string, string, string, string];
      pos = m.index + whole.length;
      if (sigil === '#' || sigil === '^') {
        const close = findClose(tpl, name, pos);
        if (close < 0)
          throw new TemplateError(`${opts.name ?? 'template'}: {{${sigil}${name}}} is never closed with {{/${name}}}`);
        const inner = tpl.slice(pos, close);
        pos = close + `{{/${name}}}`.length;
        const v = lookup(stack, name);
        const empty = !v || (Array.isArray(v) && v.length === 0);
        if (sigil === '^') {
          if (empty) out += render(inner, stack);
        } else if (!empty) {
          if (Array.isArray(v)) for (const item of v) out += render(inner, [...stack, item]);
          else out += render(inner, typeof v === 'object' ? [...stack, v] : stack);
        }
        continue;
      }
      if (sigil === '/') throw new TemplateError(`${opts.name ?? 'template'}: {{/${name}}} closes nothing`);
      const v = asText(lookup(stack, name));
      out += opts.html && !raw ? escapeHtml(v) : v;
    }
    return out + tpl.slice(pos);
  };
  return render(template, [data]);
}

/** Index of the `{{/name}}` closing the section opened before `from`, nested sections of the same name counted. */
function findClose(tpl: string, name: string, from: number): number {
  const open = new RegExp(
    `\\{\\{\\s*[#^]\\s*${name.replace(/\./g, '\\.')}\\s*\\}\\}|\\{\\{\\s*/\\s*${name.replace(/\./g, '\\.')}\\s*\\}\\}`,
    'g',
  );
  open.lastIndex = from;
  let depth = 1;
  for (let m = open.exec(tpl); m; m = open.exec(tpl)) {
    if (m[0].includes('/')) {
      depth--;
      if (depth === 0) return m.index;
    } else depth++;
  }
  return -1;
}
