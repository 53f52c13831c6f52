// Compares two V8 heap snapshots of one process (the soak's `--snapshots`): what the later one holds that the
// earlier one did not. Node ids are stable within a process, so an object present in both is the same object.
// Prints, by constructor (or V8's kind for strings, arrays, closures, code): count and self size in each and
// the change; the objects born between the two that are still alive, by constructor; and the objects present
// in both whose own size grew most (the backing store of a Map, Set or array that keeps growing), each with
// a chain of its retainers. Self sizes only: no retained sizes (that needs a dominator tree).
// `--class NAME` also prints the retainers of some objects of that constructor born between the two.
// `node --import tsx bench/heapDiff.ts before.heapsnapshot after.heapsnapshot [--top N] [--class NAME]`
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Parsed {
  count: number;
  /** Node index (0..count-1) → fields. */
  id: Int32Array | Float64Array;
  self: Float64Array;
  label: string[];
  /** Node id → index. */
  byId: Map<number, number>;
  /** First strong retainer of each node: index, and the edge's name. */
  retainer: Int32Array;
  retainerEdge: string[];
  name: string[];
}

function parse(file: string): Parsed {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const nf = s.snapshot.meta.node_fields;
  const ef = s.snapshot.meta.edge_fields;
  const nodeTypes = s.snapshot.meta.node_types[0];
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const N = nf.length;
  const E = ef.length;
  const [iType, iName, iId, iSelf, iEdges] = ['type', 'name', 'id', 'self_size', 'edge_count'].map((f) =>
    nf.indexOf(f),
  ) as [number, number, number, number, number];
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const count = s.nodes.length / N;
  const id = new Float64Array(count);
  const self = new Float64Array(count);
  const label: string[] = new Array<string>(count);
  const name: string[] = new Array<string>(count);
  const byId = new Map<number, number>();
  const retainer = new Int32Array(count).fill(-1);
  const retainerEdge: string[] = new Array<string>(count);
  let e = 0;
  for (let i = 0; i < count; i++) {
    const o = i * N;
    const type = nodeTypes[s.nodes[o + iType]!]!;
    const n = s.strings[s.nodes[o + iName]!]!;
    id[i] = s.nodes[o + iId]!;
    self[i] = s.nodes[o + iSelf]!;
    name[i] = n;
    label[i] =
      type === 'object' || type === 'native'
        ? n
        : type === 'closure'
          ? '(closure)'
          : type === 'string' || type === 'concatenated string' || type === 'sliced string'
            ? '(string)'
            : `(${type}${type === 'array' || type === 'hidden' || type === 'code' ? ` ${n}` : ''})`;
    byId.set(id[i]!, i);
    const edges = s.nodes[o + iEdges]!;
    for (let k = 0; k < edges; k++, e += E) {
      const et = edgeTypes[s.edges[e + eType]!]!;
      const to = s.edges[e + eTo]! / N;
      if (et === 'weak' || et === 'shortcut' || retainer[to] !== -1) continue;
      retainer[to] = i;
      const en = s.edges[e + eName]!;
      retainerEdge[to] = et === 'element' || et === 'hidden' ? `[${en}]` : s.strings[en]!;
    }
  }
  return { count, id, self, label, byId, retainer, retainerEdge, name };
}

function byLabel(p: Parsed, only?: (i: number) => boolean): Map<string, { count: number; size: number }> {
  const m = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < p.count; i++) {
    if (only && !only(i)) continue;
    const k = p.label[i]!;
    const v = m.get(k) ?? { count: 0, size: 0 };
    v.count++;
    v.size += p.self[i]!;
    m.set(k, v);
  }
  return m;
}

function chain(p: Parsed, i: number, depth = 6): string {
  const parts: string[] = [];
  let at = i;
  for (let d = 0; d < depth && p.retainer[at]! >= 0; d++) {
    const r = p.retainer[at]!;
    parts.push(`${p.retainerEdge[at]} ← ${p.label[r]}`);
    at = r;
  }
  return parts.join(' ← ');
}

const kb = (n: number) => Math.round(n / 1024);

const args = process.argv.slice(2);
const files = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--top' && args[i - 1] !== '--class');
const top = Number(args[args.indexOf('--top') + 1]) || 25;
const klass = args.includes('--class') ? args[args.indexOf('--class') + 1] : undefined;
if (files.length !== 2) {
  process.stderr.write('usage: heapDiff.ts before.heapsnapshot after.heapsnapshot [--top N]\n');
  process.exit(2);
}
const a = parse(files[0]!);
const b = parse(files[1]!);
const total = (p: Parsed) => p.self.reduce((x, y) => x + y, 0);
process.stdout.write(
  `nodes ${a.count} → ${b.count}; self size ${kb(total(a))} kB → ${kb(total(b))} kB (${kb(total(b) - total(a))} kB)\n\n`,
);

const la = byLabel(a);
const lb = byLabel(b);
const rows = [...new Set([...la.keys(), ...lb.keys()])].map((k) => {
  const x = la.get(k) ?? { count: 0, size: 0 };
  const y = lb.get(k) ?? { count: 0, size: 0 };
  return { k, ca: x.count, cb: y.count, sa: x.size, sb: y.size };
});
process.stdout.write(`by constructor, largest growth in self size (count before → after, kB before → after):\n`);
for (const r of rows.sort((x, y) => y.sb - y.sa - (x.sb - x.sa)).slice(0, top))
  process.stdout.write(
    `  ${(kb(r.sb - r.sa) >= 0 ? '+' : '') + kb(r.sb - r.sa)} kB  ${r.ca} → ${r.cb} (${r.cb - r.ca >= 0 ? '+' : ''}${r.cb - r.ca})  ${r.k}\n`,
  );

const born = byLabel(b, (i) => !a.byId.has(b.id[i]!));
process.stdout.write(`\nborn between the two snapshots and still alive, by constructor:\n`);
for (const [k, v] of [...born.entries()].sort((x, y) => y[1].size - x[1].size).slice(0, top))
  process.stdout.write(`  ${kb(v.size)} kB  ${v.count}  ${k}\n`);

const grown: Array<{ i: number; d: number }> = [];
for (let i = 0; i < b.count; i++) {
  const j = a.byId.get(b.id[i]!);
  if (j !== undefined && b.self[i]! > a.self[j]!) grown.push({ i, d: b.self[i]! - a.self[j]! });
}
process.stdout.write(
  `\nobjects in both whose own size grew most (a growing Map/Set/array backing store), with retainers:\n`,
);
for (const g of grown.sort((x, y) => y.d - x.d).slice(0, top))
  process.stdout.write(`  +${kb(g.d)} kB (now ${kb(b.self[g.i]!)} kB) ${b.label[g.i]}  ${chain(b, g.i)}\n`);

if (klass !== undefined) {
  const bornOfClass: number[] = [];
  for (let i = 0; i < b.count; i++) if (b.label[i] === klass && !a.byId.has(b.id[i]!)) bornOfClass.push(i);
  process.stdout.write(`\n${bornOfClass.length} ${klass} born between the two and still alive; retainers of some:\n`);
  for (const i of bornOfClass.slice(0, 10)) process.stdout.write(`  ${chain(b, i, 10)}\n`);
}
