import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SftpTransport } from './sftpTransport.ts';
import { startSftpTestServer, type SftpTestServer } from './sftpTestServer.ts';
import { runWithJobSignal } from '../../../core/jobSignal.ts';

let server: SftpTestServer;
beforeAll(async () => {
  server = await startSftpTestServer();
});
afterAll(() => server.close());

const transport = (operationTimeoutMs: number) =>
  new SftpTransport({
    host: '127.0.0.1',
    port: server.port,
    username: server.username,
    password: server.password,
    hostKeySha256: server.hostKeySha256,
    folders: server.folders,
    operationTimeoutMs,
  });

describe('an SFTP server that takes requests and never answers', () => {
  it('a listing fails (retryable) at the operation timeout and the next call, once the server answers again, works on a fresh connection', async () => {
    const t = transport(500);
    try {
      expect((await t.listInbound()).ok).toBe(true);
      server.silent = true;
      const started = Date.now();
      const r = await t.listInbound();
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(r).toMatchObject({ ok: false, error: { code: 'sftp:timeout', retryable: true } });
      server.silent = false;
      expect((await t.listInbound()).ok).toBe(true);
    } finally {
      server.silent = false;
      await t.close();
    }
  });

  it('a stopped job (deadline, shutdown) does not wait out the operation timeout', async () => {
    const t = transport(60_000);
    try {
      expect((await t.listInbound()).ok).toBe(true);
      server.silent = true;
      const c = new AbortController();
      setTimeout(() => c.abort(new Error('the bridge is shutting down')), 300);
      const started = Date.now();
      const r = await runWithJobSignal(c.signal, () => t.listInbound());
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(r).toMatchObject({ ok: false, error: { code: 'job_stopped' } });
    } finally {
      server.silent = false;
      await t.close();
    }
  });
});
