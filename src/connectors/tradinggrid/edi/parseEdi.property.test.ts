import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEdi } from './parseEdi.ts';
import { readEdi } from './readEdi.ts';
import { comps } from './segment.ts';

const FIXTURES = new URL('../../../../test/fixtures/edi/', import.meta.url);
const samples = readdirSync(FIXTURES)
  .filter((f) => /\.(x12|edi)$/.test(f))
  .map((f) => readFileSync(new URL(f, FIXTURES)));

type Mutation = { at: number; kind: 'flip' | 'cut' | 'insert' | 'delete'; byte: number };
function mutate(buf: Buffer, ms: Mutation[]): Buffer {
  let out = Buffer.from(buf);
  for (const m of ms) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'flip') out[at] = m.byte;
    else if (m.kind === 'cut') out = out.subarray(0, at);
    else if (m.kind === 'insert') out = Buffer.concat([out.subarray(0, at), Buffer.from([m.byte]), out.subarray(at)]);
    else out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
  }
  return out;
}

function expectReported(parsed: Awaited<ReturnType<typeof parseEdi>>, length: number): void {
  for (const e of parsed.errors) {
    expect(Number.isInteger(e.position)).toBe(true);
    expect(e.position!).toBeGreaterThanOrEqual(0);
    expect(e.position!).toBeLessThanOrEqual(length);
    expect(Number.isInteger(e.segment)).toBe(true);
    expect(e.message).toMatch(/expected/);
  }
  expect(parsed.complete).toBe(parsed.errors.length === 0);
}

const mutation = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('flip', 'cut', 'insert', 'delete' as const),
  byte: fc.integer({ min: 0, max: 255 }),
});

describe('the parser never crashes: every failure is a reported error with a position', () => {
  it('on random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const buf = Buffer.from(bytes);
        expectReported(await parseEdi(buf), buf.length);
      }),
      { numRuns: 300 },
    );
  });

  it('on random text that starts like an interchange', async () => {
    const head = fc.constantFrom('ISA*00*          *00*          *ZZ*', "UNA:+.? '", 'UNB+UNOA:3+', 'ISA|');
    await fc.assert(
      fc.asyncProperty(
        head,
        fc.string({
          maxLength: 200,
          unit: fc.constantFrom('*', '~', '+', "'", ':', '?', '>', 'A', 'B', 'S', 'T', 'E', 'G', '1', '\n', ' '),
        }),
        async (h, tail) => {
          const buf = Buffer.from(h + tail, 'latin1');
          expectReported(await parseEdi(buf), buf.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on mutated fixtures, read in random chunk sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: samples.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 97 }),
        async (i, ms, chunk) => {
          const buf = mutate(samples[i]!, ms);
          const whole = await parseEdi(buf);
          expectReported(whole, buf.length);
          const parts: Buffer[] = [];
          for (let k = 0; k < buf.length; k += chunk) parts.push(buf.subarray(k, k + chunk));
          expect(await parseEdi(Readable.from(parts))).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a fixture cut anywhere is refused, unless the cut falls between two interchanges', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: samples.length - 1 }), fc.nat(), async (i, n) => {
        const full = samples[i]!;
        const whole = await parseEdi(full);
        if (whole.errors.length > 0) return;
        const text = full.toString('latin1').trimEnd();
        const cut = Buffer.from(text.slice(0, n % text.length), 'latin1');
        const parsed = await parseEdi(cut);
        if (parsed.errors.length === 0) {
          expect(parsed.interchanges.length).toBeLessThan(whole.interchanges.length);
          expect(parsed.interchanges).toEqual(whole.interchanges.slice(0, parsed.interchanges.length));
        } else {
          // What a cut file reports around its error is what the whole file has up to the cut, never more or other.
          const txs = (p: typeof parsed) =>
            p.interchanges.flatMap((ic) =>
              ic.groups.flatMap((g) =>
                g.transactions.map((t) => `${ic.control_number}/${g.control_number}/${t.set_id}/${t.control_number}`),
              ),
            );
          expect(txs(whole).slice(0, txs(parsed).length)).toEqual(txs(parsed));
        }
        expectReported(parsed, cut.length);
      }),
      { numRuns: 300 },
    );
  });
});

// The `edifact` package (devDependency) is the differential oracle: same segments out of the same input.
const require = createRequire(import.meta.url);
const { Parser } = require('edifact') as { Parser: new () => EdifactParser };
interface EdifactParser {
  encoding(level: string): void;
  on(event: string, fn: (data?: string) => void): void;
  write(text: string): void;
  end(): void;
}

function oracle(text: string): { tag: string; elements: string[][] }[] {
  const parser = new Parser();
  parser.encoding('UNOC');
  const out: { tag: string; elements: string[][] }[] = [];
  let elements: string[][] = [];
  let components: string[] = [];
  parser.on('opensegment', (tag) => out.push({ tag: tag!, elements: (elements = []) }));
  parser.on('element', () => elements.push((components = [])));
  parser.on('component', (data) => components.push(data!));
  parser.write(text);
  parser.end();
  return out;
}

async function ours(text: string, chunk: number) {
  const out: { tag: string; elements: string[][] }[] = [];
  const buf = Buffer.from(text, 'latin1');
  const parts: Buffer[] = [];
  for (let k = 0; k < buf.length; k += chunk) parts.push(buf.subarray(k, k + chunk));
  await readEdi(
    Readable.from(parts),
    {},
    { onSegment: (s) => out.push({ tag: s.tag, elements: s.elements.slice(1).map((_, n) => comps(s, n + 1)) }) },
  );
  return out;
}

const release = (v: string) => v.replace(/([?:+'])/g, '?$1');
const value = fc.string({ maxLength: 8, unit: fc.constantFrom('A', 'b', '1', ' ', '.', '?', ':', '+', "'", '-', 'é') });
const segment = fc.record({
  tag: fc.constantFrom('BGM', 'DTM', 'NAD', 'LIN', 'QTY', 'FTX', 'RFF', 'PRI'),
  elements: fc.array(fc.array(value, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }),
});

describe('EDIFACT tokenizing agrees with the edifact package', () => {
  it('on generated interchanges with release characters, at any chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 50 }),
        async (segs, una, chunk) => {
          const body = segs.map((s) => `${s.tag}+${s.elements.map((e) => e.map(release).join(':')).join('+')}'`);
          const text = `${una ? "UNA:+.? '" : ''}UNB+UNOC:3+SENDER:14+RECEIVER:ZZ+240301:0930+IC1'UNH+1+ORDERS:D:96A:UN'${body.join('')}UNT+${segs.length + 2}+1'UNZ+1+IC1'`;
          const mine = await ours(text, chunk);
          expect(mine).toEqual(oracle(text));
          expect((await parseEdi(Buffer.from(text, 'latin1'))).errors).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each(['aperak.edi', 'contrl.edi', 'contrl-rejected.edi'])('on %s', async (name) => {
    const text = readFileSync(new URL(name, FIXTURES), 'latin1');
    expect(await ours(text, 13)).toEqual(oracle(text));
  });
});
