import { readFileSync, readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEdi } from '../../src/connectors/tradinggrid/edi/parseEdi.ts';
import { attachContacts, parseAcCompanies } from '../../src/connectors/tradinggrid/accsv/acCsv.ts';
import { parseConfigText } from '../../src/config/load.ts';
import { fuzzRuns } from './fuzzRuns.ts';

const fixtures = (dir: string, re: RegExp) => {
  const base = new URL(`../fixtures/${dir}/`, import.meta.url);
  return readdirSync(base)
    .filter((f) => re.test(f))
    .map((f) => readFileSync(new URL(f, base)));
};
const ediSamples = fixtures('edi', /\.(x12|edi)$/);
const companies = readFileSync(new URL('../fixtures/accsv/companies.csv', import.meta.url));
const contacts = readFileSync(new URL('../fixtures/accsv/contacts.csv', import.meta.url));

/** Byte edits applied to a genuine file: flip, cut, insert, delete, duplicate a slice. */
const edits = fc.array(
  fc.record({
    at: fc.nat(),
    kind: fc.constantFrom('flip', 'cut', 'insert', 'delete', 'dup'),
    byte: fc.integer({ min: 0, max: 255 }),
    len: fc.integer({ min: 1, max: 40 }),
  }),
  { maxLength: 6 },
);
function mutate(buf: Buffer, ms: Array<{ at: number; kind: string; byte: number; len: number }>): Buffer {
  let out = Buffer.from(buf);
  for (const m of ms) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'flip') out[at] = m.byte;
    else if (m.kind === 'cut') out = out.subarray(0, at);
    else if (m.kind === 'insert') out = Buffer.concat([out.subarray(0, at), Buffer.from([m.byte]), out.subarray(at)]);
    else if (m.kind === 'delete') out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.len)]);
    else out = Buffer.concat([out.subarray(0, at + m.len), out.subarray(at)]);
  }
  return out;
}
const chunked = (b: Buffer, size: number) =>
  Readable.from(Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size)));

describe('untrusted files never crash the parsers (fast-check)', () => {
  it('EDI: mutated X12/EDIFACT files, as one buffer or in chunks, resolve with interchanges or errors that say where', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: ediSamples.length - 1 }),
        edits,
        fc.integer({ min: 1, max: 64 }),
        async (i, ms, chunk) => {
          const input = mutate(ediSamples[i]!, ms);
          const parsed = await parseEdi(chunk % 2 === 0 ? chunked(input, chunk) : input);
          expect(Array.isArray(parsed.errors)).toBe(true);
          for (const e of parsed.errors) expect(typeof e.message).toBe('string');
        },
      ),
      { numRuns: fuzzRuns(150) },
    );
  });

  it('EDI: arbitrary bytes resolve to an error value, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
        const parsed = await parseEdi(Buffer.from(bytes));
        expect(parsed.complete).toBe(parsed.errors.length === 0);
      }),
      { numRuns: fuzzRuns(150) },
    );
  });

  it('Active Community CSV: mutated company and contact files give partners plus per-row problems, never a throw', () => {
    fc.assert(
      fc.property(edits, edits, (m1, m2) => {
        const r = parseAcCompanies('companies.csv', mutate(companies, m1));
        for (const p of r.problems) expect(JSON.stringify(p).length).toBeGreaterThan(2);
        const problems = attachContacts('contacts.csv', mutate(contacts, m2), r.partners);
        expect(Array.isArray(problems)).toBe(true);
      }),
      { numRuns: fuzzRuns(200) },
    );
  });

  it('Active Community CSV: arbitrary text (quotes, formula prefixes, control characters) never throws', () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('=cmd|"/c calc"!A1', '+1+1', '-2', '@SUM(A1)', '"', '""', '\r', '\u0000', 'ZZ:12345'),
    );
    const row = fc.array(cell, { maxLength: 8 }).map((cs) => cs.join(','));
    fc.assert(
      fc.property(fc.array(row, { maxLength: 8 }), (rows) => {
        const text = [companies.toString('utf8').split('\n')[0]!, ...rows].join('\n');
        const r = parseAcCompanies('companies.csv', text);
        expect(Array.isArray(r.partners)).toBe(true);
      }),
      { numRuns: fuzzRuns(200) },
    );
  });

  it('config files: arbitrary and mutated YAML gives a config or a list of problems with a message each, never a throw', () => {
    const valid = [
      'clickup:',
      '  token: {env: CU}',
      '  team_id: "1"',
      '  list_id: "2"',
      'tradinggrid:',
      '  driver: community',
      '  base_url: https://tg.example',
      '  tenant_id: t',
      '  client_id: c',
      '  client_secret: {env: S}',
      '  webhook_secret: {file: /run/secrets/w}',
      'secrets:',
      '  key: {env: GRIDBRIDGE_SECRET_KEY}',
      'server:',
      '  body_limits: {tradinggrid: 65536}',
    ].join('\n');
    expect(parseConfigText(valid).ok).toBe(true);
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      edits.map((ms) => mutate(Buffer.from(valid), ms).toString('utf8')),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.constantFrom(
        'a: &a [*a, *a]',
        '!!js/function "x"',
        'a: !!binary AAAA',
        '? [a]\n: b',
        '<<: *missing',
        '%YAML 9.9\n---\na: 1',
        'clickup: {token: plain-text-secret}',
      ),
    );
    fc.assert(
      fc.property(text, (t) => {
        const r = parseConfigText(t, 'fuzz.yaml');
        if (!r.ok) {
          expect(r.problems.length).toBeGreaterThan(0);
          for (const p of r.problems) expect(p.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it('a secret written in the config itself is refused with a clear message', () => {
    const r = parseConfigText('clickup: {token: pk_live_abc, team_id: "1", list_id: "2"}');
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems.find((p) => p.path === 'clickup.token')?.message).toMatch(
        /secrets are never written in the config file/,
      );
  });
});
