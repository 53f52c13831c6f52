import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTarget, type Target } from './harness.ts';
import { until } from '../helpers/until.ts';

// A partner drops a 1 GB file in the EDI mailbox (issue #20). The running bridge must refuse it by
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
            transport: { type: 'folder', inbound: join(root, 'in'), outbound: join(root, 'out'), archive: join(root, 'archive'), quarantine: join(root, 'quarantine') },
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
    const quarantined = await until('the file to be quarantined', () => readdirSync(join(root, 'quarantine')).find((n) => /^oversize-\d+_huge-partner-file\.x12$/.test(n)), 60_000, 100);
    expect(readdirSync(join(root, 'in'))).toEqual([]);
    // The report is written just after the move.
    const reportFile = join(root, 'quarantine', `${quarantined}.error.txt`);
    const report = await until('the error report', () => { try { return readFileSync(reportFile, 'utf8').includes('\n') && readFileSync(reportFile, 'utf8'); } catch { return false; } }, 10_000);
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
