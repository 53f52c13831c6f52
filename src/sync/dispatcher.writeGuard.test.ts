import { afterEach, describe, expect, it } from 'vitest';
import { anyJob } from '../../test/helpers/anyJob.ts';
import { createServer, type Server } from 'node:http';
import { mkdtemp, mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dispatcher, type JobHandler } from './dispatcher.ts';
import { enqueueJobs } from '../store/ops/enqueueJobs.ts';
import { HttpClient } from '../connectors/http/httpClient.ts';
import { LocalFolderTransport } from '../connectors/tradinggrid/mailbox/localFolderTransport.ts';
import { SmtpMailer } from '../connectors/email/smtpMailer.ts';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';
import { startTestSmtp } from '../../test/helpers/smtpServer.ts';
import { until } from '../../test/helpers/until.ts';

// A handler whose lease went to another worker must not make its next remote write (the lease
// is read before each write, not only on the renewal beat), and a handler cut off at its deadline that
// keeps running cannot write after it, whichever way it writes (HTTP, the mailbox folder, SMTP).

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** An HTTP server that answers 200 {} and records the paths it was sent. */
async function recordingServer(): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = [];
  const s: Server = createServer((req, res) => {
    paths.push(`${req.method} ${req.url}`);
    res.setHeader('content-type', 'application/json');
    res.end('{}');
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  cleanups.push(
    () =>
      new Promise((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(s.address() as { port: number }).port}`, paths };
}

async function world(handler: JobHandler, opts: Partial<ConstructorParameters<typeof Dispatcher>[2]> = {}) {
  const tmp = await tempSqliteStore();
  cleanups.push(() => tmp.cleanup());
  const server = await recordingServer();
  const http = new HttpClient(server.url, { name: 'remote', timeoutMs: 10_000 });
  cleanups.push(() => http.close(100));
  const dir = await mkdtemp(join(tmpdir(), 'gb-write-guard-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const folders = {
    inbound: join(dir, 'in'),
    outbound: join(dir, 'out'),
    archive: join(dir, 'archive'),
    quarantine: join(dir, 'quarantine'),
  };
  for (const f of Object.values(folders)) await mkdir(f);
  const mailbox = new LocalFolderTransport(folders);
  const smtp = await startTestSmtp();
  cleanups.push(() => smtp.close());
  const mailer = new SmtpMailer({ host: '127.0.0.1', port: smtp.port, security: 'none', timeoutMs: 5_000 });
  // A long lease: its renewal beat (every 20 s) cannot be what notices the takeover within these tests.
  const d = new Dispatcher(tmp.store, new Map([['k', handler]]), {
    concurrency: 1,
    leaseMs: 60_000,
    pollMs: 10,
    backoffBaseMs: 10,
    backoffMaxMs: 100,
    ...opts,
  });
  const job = () => tmp.store.db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
  return { store: tmp.store, d, http, server, mailbox, folders, mailer, smtp, job };
}

const mail = {
  from: 'bridge@example.test',
  to: 'partner@example.test',
  subject: 's',
  text: 't',
  html: '<p>t</p>',
  messageId: '<m1@example.test>',
};

describe('the lease is read before each external write', () => {
  it('a handler whose lease went to another worker makes no further write; the first one, made while it held the lease, went out', async () => {
    let gate!: () => void;
    const opened = new Promise<void>((r) => (gate = r));
    let started = false;
    const results: Record<string, unknown> = {};
    const w = await world(async () => {
      results.first = await w.http.json({ method: 'POST', path: '/first', json: {} });
      started = true;
      await opened;
      results.post = await w.http.json({ method: 'POST', path: '/second', json: {} });
      results.file = await w.mailbox.writeOutbound('order.edi', Buffer.from('ISA*'));
      results.mail = await w.mailer.send(mail);
      return { status: 'done' };
    });
    await enqueueJobs(w.store.db, [anyJob({ kind: 'k', key: 'j', payload: {} })], Date.now());
    const run = w.d.runUntilIdle();
    await until('the first write', () => started, 5_000);
    // Another worker took the job over (ours looked expired to it); the renewal beat has not run yet.
    await w.store.db
      .updateTable('jobs')
      .set({ locked_by: 'someone-else', locked_until: Date.now() + 60_000 })
      .execute();
    gate();
    await run;
    expect(results.first).toMatchObject({ ok: true });
    expect(results.post).toMatchObject({ ok: false, error: { code: 'job_stopped' } });
    expect(results.file).toMatchObject({ ok: false, error: { code: 'job_stopped' } });
    expect(results.mail).toMatchObject({ ok: false, error: { code: 'job_stopped' } });
    expect(w.server.paths).toEqual(['POST /first']);
    expect(await readdir(w.folders.outbound)).toEqual([]);
    expect(w.smtp.attempts).toBe(0);
    expect(w.d.counters.leaseLost).toBe(1);
    // The job is the other worker's: nothing of ours was recorded on it.
    expect(await w.job()).toMatchObject({ state: 'running', locked_by: 'someone-else' });
  });

  it('a handler holding its lease writes normally (the check refuses nothing it should not)', async () => {
    const results: Record<string, unknown> = {};
    const w = await world(async () => {
      results.post = await w.http.json({ method: 'POST', path: '/a', json: {} });
      results.file = await w.mailbox.writeOutbound('order.edi', Buffer.from('ISA*'));
      results.mail = await w.mailer.send(mail);
      return { status: 'done' };
    });
    await enqueueJobs(w.store.db, [anyJob({ kind: 'k', key: 'j', payload: {} })], Date.now());
    await w.d.runUntilIdle();
    expect(results).toMatchObject({ post: { ok: true }, file: { ok: true }, mail: { ok: true } });
    expect(w.server.paths).toEqual(['POST /a']);
    expect(await readdir(w.folders.outbound)).toEqual(['order.edi']);
    expect(w.smtp.received).toHaveLength(1);
    expect((await w.job()).state).toBe('done');
  });
});

describe('a handler cut off at its deadline', () => {
  it('keeps running but cannot write after it: no HTTP write, no mailbox file, no mail', async () => {
    let gate!: () => void;
    const opened = new Promise<void>((r) => (gate = r));
    let late: Record<string, unknown> | undefined;
    const w = await world(
      async () => {
        await opened; // ignores its signal, as a handler stuck in a library call would
        const r: Record<string, unknown> = {};
        r.post = await w.http.json({ method: 'POST', path: '/late', json: {} });
        r.file = await w.mailbox.writeOutbound('late.edi', Buffer.from('ISA*'));
        r.mail = await w.mailer.send(mail);
        late = r;
        return { status: 'done' };
      },
      { deadlineMs: () => 200 },
    );
    await enqueueJobs(w.store.db, [anyJob({ kind: 'k', key: 'j', payload: {} })], Date.now());
    await w.d.runUntilIdle(1);
    const j = await w.job();
    expect(j.state).toBe('ready');
    expect(j.last_error).toMatch(/deadline of 200 ms/);
    gate();
    await until('the cut-off handler to try its writes', () => late !== undefined, 5_000);
    expect(late).toMatchObject({
      post: { ok: false, error: { code: 'job_stopped' } },
      file: { ok: false, error: { code: 'job_stopped' } },
      mail: { ok: false, error: { code: 'job_stopped' } },
    });
    expect(w.server.paths).toEqual([]);
    expect(await readdir(w.folders.outbound)).toEqual([]);
    expect(w.smtp.attempts).toBe(0);
  });
});
