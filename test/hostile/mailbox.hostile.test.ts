import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  ftruncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server, type Socket } from 'node:net';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTarget, type Target } from './harness.ts';
import { until } from '../helpers/until.ts';

// A partner drops a 1 GB file in the EDI mailbox. The running bridge must refuse it by
// mailbox.max_bytes without reading it: quarantined unread with an error report naming the limit, and the
// process's peak memory stays far below the file's size. The file is sparse (1 GiB of size, no disk).
const GiB = 1024 * 1024 * 1024;
const MAX_BYTES = 64 * 1024 * 1024;

describe('a 1 GB file in the mailbox, against the running process', () => {
  let t: Target;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'gb-hostile-mailbox-'));
    for (const d of ['in', 'out', 'archive', 'quarantine']) mkdirSync(join(root, d), { recursive: true });
    t = await startTarget({
      patch: (c) => {
        return {
          ...c,
          mailbox: {
            name: 'hostile-edi',
            transport: {
              type: 'folder',
              inbound: join(root, 'in'),
              outbound: join(root, 'out'),
              archive: join(root, 'archive'),
              quarantine: join(root, 'quarantine'),
            },
            scan_cron: '* * * * * *', // every second
            our_ids: ['ZZ:GRIDBRIDGE'],
            partners: { 'mailbox:hostile-edi': { partner_id: 'P-INITECH' } },
            max_bytes: MAX_BYTES,
          },
        } as unknown as typeof c;
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('is quarantined unread with an error naming max_bytes; peak RSS stays far below the file size', async () => {
    const big = join(root, 'in', 'huge-partner-file.x12');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, GiB);
    closeSync(fd);
    expect(statSync(big).size).toBe(GiB);
    const quarantined = await until(
      'the file to be quarantined',
      () => readdirSync(join(root, 'quarantine')).find((n) => /^oversize-\d+_huge-partner-file\.x12$/.test(n)),
      60_000,
      100,
    );
    expect(readdirSync(join(root, 'in'))).toEqual([]);
    // The report is written just after the move.
    const reportFile = join(root, 'quarantine', `${quarantined}.error.txt`);
    const report = await until(
      'the error report',
      () => {
        try {
          return readFileSync(reportFile, 'utf8').includes('\n') && readFileSync(reportFile, 'utf8');
        } catch {
          return false;
        }
      },
      10_000,
    );
    expect(report).toContain(`is ${GiB} bytes, over mailbox.max_bytes (${MAX_BYTES})`);
    expect(report).toMatch(/quarantined unread/);
    // VmHWM: the child's peak resident memory since it started (Linux). Reading the file would need > 1 GiB.
    const status = readFileSync(`/proc/${t.proc.child.pid}/status`, 'utf8');
    const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb * 1024).toBeLessThan(400 * 1024 * 1024);
    // The process is still healthy after it.
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});

// An SFTP mailbox server that takes the connection and never answers (not even its SSH banner), then
// SIGTERM through the real process: it exits within its shutdown deadline and the scan job it was
// running is handed back (ready), not left running for its lease to expire.
describe('an SFTP mailbox server that never answers, then SIGTERM', () => {
  let t: Target | undefined;
  let silent: Server | undefined;
  const sockets: Socket[] = [];
  afterAll(async () => {
    await t?.close();
    for (const s of sockets) s.destroy();
    await new Promise((r) => (silent ? silent.close(() => r(undefined)) : r(undefined)));
  });

  it('exits within the shutdown deadline; the mailbox scan job is handed back', async () => {
    let connections = 0;
    silent = createServer((s) => {
      connections++;
      sockets.push(s);
    });
    await new Promise<void>((r) => silent!.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    t = await startTarget({
      env: { GB_HOSTILE_SFTP_PASSWORD: 'never-used-0123' },
      patch: (c) =>
        ({
          ...c,
          dispatcher: { ...c.dispatcher, shutdown_deadline_ms: 3_000 },
          mailbox: {
            name: 'silent-edi',
            transport: {
              type: 'sftp',
              host: '127.0.0.1',
              port,
              username: 'gb',
              password: { env: 'GB_HOSTILE_SFTP_PASSWORD' },
              host_key_sha256: `SHA256:${'A'.repeat(43)}`,
              folders: { inbound: '/in', outbound: '/out', archive: '/archive', quarantine: '/quarantine' },
              // Longer than the test: only the shutdown can end the wait.
              ready_timeout_ms: 600_000,
              operation_timeout_ms: 600_000,
            },
            scan_cron: '* * * * * *',
            our_ids: ['ZZ:GRIDBRIDGE'],
            partners: { 'mailbox:silent-edi': { partner_id: 'P-INITECH' } },
          },
        }) as unknown as typeof c,
    });
    const file = t.config.store.url.slice('sqlite:'.length);
    const scanState = () => {
      const db = new Database(file, { readonly: true });
      try {
        return (
          db.prepare("select state from jobs where kind = 'mailbox.scan' order by id desc limit 1").get() as
            { state: string } | undefined
        )?.state;
      } finally {
        db.close();
      }
    };
    await until(
      'the scan to hang on the silent server',
      () => connections > 0 && scanState() === 'running',
      30_000,
      50,
    );
    const started = Date.now();
    const exited = new Promise<number | null>((r) => t!.proc.child.once('exit', (code) => r(code)));
    t.proc.child.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<'still running'>((r) => setTimeout(() => r('still running'), 30_000)),
    ]);
    expect(code).toBe(0);
    // shutdown_deadline_ms is 3 s; the rest is the process's own stop (server, pool) on a loaded machine.
    expect(Date.now() - started).toBeLessThan(15_000);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare("select count(*) as n from jobs where state = 'running'").get()).toEqual({ n: 0 });
      const scan = db
        .prepare(
          "select state, last_error from jobs where kind = 'mailbox.scan' and last_error like '%shutdown%' order by id desc limit 1",
        )
        .get() as { state: string; last_error: string } | undefined;
      expect(scan?.state).toBe('ready');
    } finally {
      db.close();
    }
  });
});
