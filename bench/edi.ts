/**
 * `npm run bench -- edi`: throughput and peak RSS of our streaming X12/EDIFACT parser on generated
 * multi-interchange files, with x12-parser and edifact timed on the same files in the same run.
 * Each parse runs in its own child process (3 times) so that peak RSS belongs to that parse alone.
 * Run directly: `node --import tsx bench/edi.ts [--size-mb N]` prints the JSON.
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { mkdirSync, mkdtempSync, renameSync } from 'node:fs';
import { readEdi } from '../src/connectors/tradinggrid/edi/readEdi.ts';
import { LocalFolderTransport } from '../src/connectors/tradinggrid/mailbox/localFolderTransport.ts';
import { MailboxDriver } from '../src/connectors/tradinggrid/mailbox/mailboxDriver.ts';
import { SqlMailboxState } from '../src/channels/tradinggrid-mailbox/sqlMailboxState.ts';
import { openMigratedStore } from '../src/store/db.ts';

const RUNS = 3;
const HIGH_WATER = 1 << 20;

export function* x12Interchanges(targetBytes: number): Generator<string> {
  let written = 0;
  for (let ic = 1; written < targetBytes; ic++) {
    const ctrl = String(ic % 1e9).padStart(9, '0');
    const parts = [
      `ISA*00*          *00*          *ZZ*ACMESUPPLY     *ZZ*GRIDBRIDGE     *240301*0930*U*00401*${ctrl}*0*P*>~\r\n`,
      `GS*PO*ACMESUPPLY*GRIDBRIDGE*20240301*0930*${ic}*X*004010~\r\n`,
    ];
    const txs = 50;
    for (let t = 1; t <= txs; t++) {
      const st = String(t).padStart(4, '0');
      const segs = [
        `ST*850*${st}`,
        `BEG*00*SA*PO-${ic}-${t}**20240301`,
        'REF*DP*038',
        'N1*ST*ACME DC 12*92*0012',
        'N3*100 MAIN STREET',
        'N4*CHICAGO*IL*60601*US',
      ];
      for (let l = 1; l <= 8; l++)
        segs.push(
          `PO1*${l}*${l * 3}*EA*${(l * 1.25).toFixed(2)}**VP*SKU-${l}*UP*0123456789${l}`,
          `PID*F****DESCRIPTION OF ITEM ${l}`,
        );
      segs.push('CTT*8');
      segs.push(`SE*${segs.length + 1}*${st}`);
      parts.push(segs.join('~\r\n') + '~\r\n');
    }
    parts.push(`GE*${txs}*${ic}~\r\nIEA*1*${ctrl}~\r\n`);
    const text = parts.join('');
    written += text.length;
    yield text;
  }
}

export function* edifactInterchanges(targetBytes: number): Generator<string> {
  let written = 0;
  for (let ic = 1; written < targetBytes; ic++) {
    // One UNA at the top (the edifact package only accepts UNA at the start); later interchanges use the defaults.
    const parts = [`${ic === 1 ? "UNA:+.? '\n" : ''}UNB+UNOC:3+5790000000001:14+GRIDBRIDGE:ZZ+240301:0930+IC${ic}'\n`];
    const msgs = 50;
    for (let m = 1; m <= msgs; m++) {
      const segs = [
        `UNH+${m}+ORDERS:D:96A:UN`,
        `BGM+220+PO-${ic}-${m}+9`,
        'DTM+137:20240301:102',
        'NAD+BY+5790000000001::9',
        'NAD+ST+5790000000002::9++ACME DC 12+100 MAIN STREET+CHICAGO++60601+US',
      ];
      for (let l = 1; l <= 8; l++)
        segs.push(
          `LIN+${l}++SKU-${l}:SA`,
          `IMD+F++:::DESCRIPTION OF ITEM ${l}?: SIZE ?+1`,
          `QTY+21:${l * 3}`,
          `PRI+AAA:${(l * 1.25).toFixed(2)}`,
        );
      segs.push('UNS+S', 'CNT+2:8');
      segs.push(`UNT+${segs.length + 1}+${m}`);
      parts.push(segs.join("'\n") + "'\n");
    }
    parts.push(`UNZ+${msgs}+IC${ic}'\n`);
    const text = parts.join('');
    written += text.length;
    yield text;
  }
}

async function writeFile(path: string, gen: Generator<string>): Promise<void> {
  await pipeline(
    (function* () {
      for (const s of gen) yield Buffer.from(s, 'latin1');
    })(),
    createWriteStream(path, { highWaterMark: HIGH_WATER }),
  );
}

/** `mailbox`: the whole mailbox path (scan, check pass, derive pass with SQLite state writes, archive). */
type ParserName = 'gridbridge' | 'x12-parser' | 'edifact' | 'mailbox';
interface ChildResult {
  ms: number;
  transactions: number;
  segments: number;
  peakRssMb: number;
  errors: number;
}

/** Runs inside the child: one parse of one file, measured. */
async function child(parser: ParserName, file: string): Promise<ChildResult> {
  const start = process.hrtime.bigint();
  let transactions = 0;
  let segments = 0;
  let errors = 0;
  if (parser === 'mailbox') {
    // The file is moved into a fresh inbound folder (and back after) so that one scan takes it whole.
    const root = mkdtempSync(join(tmpdir(), 'gb-bench-mbx-'));
    const folders = {
      inbound: join(root, 'in'),
      outbound: join(root, 'out'),
      archive: join(root, 'archive'),
      quarantine: join(root, 'quarantine'),
    };
    for (const d of Object.values(folders)) mkdirSync(d, { recursive: true });
    const name = file.endsWith('.edi') ? 'bench.edi' : 'bench.x12';
    renameSync(file, join(folders.inbound, name));
    const store = await openMigratedStore(`sqlite:${join(root, 'state.db')}`);
    const t0 = process.hrtime.bigint();
    let items = 0;
    let outcome = '';
    try {
      const driver = new MailboxDriver({
        transport: new LocalFolderTransport(folders),
        state: new SqlMailboxState(store.db, 'bench', Date.now),
        ourIds: [{ qualifier: 'ZZ', id: 'GRIDBRIDGE' }],
        deliver: async (batch) => void (items += batch.length),
      });
      const r = await driver.scanOnce(new Date());
      if (!r.ok) throw new Error(r.error.detail);
      outcome = r.value.files.map((f) => f.outcome).join(',');
    } finally {
      const archived = (await import('node:fs')).readdirSync(folders.archive)[0];
      renameSync(archived ? join(folders.archive, archived) : join(folders.inbound, name), file);
      await store.close();
      rmSync(root, { recursive: true, force: true });
    }
    if (outcome !== 'archived') throw new Error(`mailbox bench: file ${outcome}, not archived`);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return {
      ms,
      transactions: items,
      segments: 0,
      errors: 0,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  }
  const input = createReadStream(file, { highWaterMark: HIGH_WATER });
  if (parser === 'gridbridge') {
    const summary = await readEdi(input, {});
    transactions = summary.transactions;
    segments = summary.segments;
    errors = summary.errors.length;
  } else if (parser === 'x12-parser') {
    const { X12parser } = (await import('x12-parser')) as unknown as { X12parser: new () => NodeJS.ReadWriteStream };
    const p = new X12parser();
    p.on('data', (seg: { name: string }) => {
      segments++;
      if (seg.name === 'ST') transactions++;
    });
    await pipeline(input, p);
  } else {
    const require = createRequire(import.meta.url);
    const { Parser } = require('edifact') as {
      Parser: new () => {
        encoding(l: string): void;
        on(e: string, f: (d: string) => void): void;
        write(s: string): void;
        end(): void;
      };
    };
    const p = new Parser();
    p.encoding('UNOC');
    p.on('opensegment', (tag) => {
      segments++;
      if (tag === 'UNH') transactions++;
    });
    for await (const chunk of input) p.write((chunk as Buffer).toString('latin1'));
    p.end();
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, transactions, segments, errors, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
}

function runChild(parser: ParserName, file: string): Promise<ChildResult> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', self, '--child', parser, file],
      { maxBuffer: 1 << 20, timeout: 600_000 },
      (error, stdout) => {
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult);
      },
    );
  });
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { min: r(s[0]!), median: r(s[Math.floor(s.length / 2)]!), max: r(s.at(-1)!) };
};

async function measure(parser: ParserName, file: string, bytes: number, times = RUNS) {
  const runs: ChildResult[] = [];
  for (let i = 0; i < times; i++) runs.push(await runChild(parser, file));
  const mb = bytes / 1e6;
  return {
    parser,
    mb_per_s: stats(runs.map((r) => mb / (r.ms / 1000))),
    transactions_per_s: stats(runs.map((r) => r.transactions / (r.ms / 1000))),
    peak_rss_mb: stats(runs.map((r) => r.peakRssMb)),
    transactions: runs[0]!.transactions,
    segments: runs[0]!.segments,
    parse_errors: runs[0]!.errors,
  };
}

/** Generates the files, measures every parser 3 times each in child processes, returns the figures. */
export async function run(opts: { sizeMb?: number } = {}): Promise<object> {
  const sizeMb = opts.sizeMb ?? 200;
  const dir = tmpdir();
  const stamp = `${process.pid}-${Date.now()}`;
  const x12File = join(dir, `gridbridge-bench-${stamp}.x12`);
  const ediFile = join(dir, `gridbridge-bench-${stamp}.edi`);
  try {
    await writeFile(x12File, x12Interchanges(sizeMb * 1e6));
    await writeFile(ediFile, edifactInterchanges(sizeMb * 1e6));
    const x12Bytes = statSync(x12File).size;
    const ediBytes = statSync(ediFile).size;
    const x12 = [await measure('gridbridge', x12File, x12Bytes), await measure('x12-parser', x12File, x12Bytes)];
    const edifact = [await measure('gridbridge', ediFile, ediBytes), await measure('edifact', ediFile, ediBytes)];
    // The whole mailbox path on the same files: file size check, check pass keeping nothing, derive pass with the
    // SQLite state (X12: every 850 recorded as an order), archive. Peak RSS must not grow with the file.
    // One run each: the X12 path writes every order to SQLite and takes minutes on the shared machines.
    const mailbox = {
      x12: await measure('mailbox', x12File, x12Bytes, 1),
      edifact: await measure('mailbox', ediFile, ediBytes, 1),
    };
    const ratio = (a: { mb_per_s: { median: number } }, b: { mb_per_s: { median: number } }) =>
      Math.round((a.mb_per_s.median / b.mb_per_s.median) * 100) / 100;
    return {
      bench: 'edi',
      node: process.version,
      runs_each: RUNS,
      goal: { mb_per_s: 80, peak_rss_mb: 200 },
      x12: { file_mb: Math.round(x12Bytes / 1e5) / 10, results: x12, ratio_vs_x12_parser: ratio(x12[0]!, x12[1]!) },
      edifact: {
        file_mb: Math.round(ediBytes / 1e5) / 10,
        results: edifact,
        ratio_vs_edifact: ratio(edifact[0]!, edifact[1]!),
      },
      mailbox_path: {
        x12: mailbox.x12,
        edifact: mailbox.edifact,
        note: 'one run each. MailboxDriver.scanOnce over a local folder with SQLite state: a check pass, then a derive pass (files over 16 MiB are read twice), archive; "transactions" here counts delivered items',
      },
      notes:
        'gridbridge = readEdi: tokenizer + envelope checks (counts, control numbers) + business references; peers only tokenize. Peak RSS is the child process maxRSS.',
    };
  } finally {
    rmSync(x12File, { force: true });
    rmSync(ediFile, { force: true });
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    process.stdout.write(`${JSON.stringify(await child(args[1] as ParserName, args[2]!))}\n`);
  } else {
    const i = args.indexOf('--size-mb');
    process.stdout.write(`${JSON.stringify(await run(i >= 0 ? { sizeMb: Number(args[i + 1]) } : {}), null, 2)}\n`);
  }
}
