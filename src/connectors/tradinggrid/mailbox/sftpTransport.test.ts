import { generateKeyPairSync } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeSync, existsSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, utils, type Connection } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailboxDriver } from './mailboxDriver.ts';
import { hostKeyFingerprint, SftpTransport } from './sftpTransport.ts';
import { InMemoryMailboxState } from './state.ts';

const { STATUS_CODE, OPEN_MODE } = utils.sftp;
const FIXTURES = new URL('../../../../test/fixtures/edi/', import.meta.url);
const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'pkcs1', format: 'pem' } });
const hostKey = rsa();
const clientKey = rsa();
const parsed = (pem: string) => {
  const k = utils.parseKey(pem);
  if (k instanceof Error) throw k;
  return Array.isArray(k) ? k[0]! : k;
};
const HOST_FP = hostKeyFingerprint(parsed(hostKey.privateKey).getPublicSSH());

let root: string;
let server: Server;
let port: number;
/** Names whose download the server cuts after the first read (then forgets: the next try succeeds). */
const dropOnRead = new Set<string>();

/** A small real SFTP server over a temp folder: enough of the protocol for the transport. */
function serveSftp(conn: Connection): void {
  conn.on('authentication', (ctx) => {
    if (ctx.username !== 'partner') return ctx.reject();
    if (ctx.method === 'password' && ctx.password === 'secret') return ctx.accept();
    if (ctx.method === 'publickey') {
      const pub = parsed(clientKey.privateKey);
      if (!ctx.key.data.equals(pub.getPublicSSH())) return ctx.reject();
      if (!ctx.signature) return ctx.accept();
      return pub.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true ? ctx.accept() : ctx.reject();
    }
    ctx.reject(['password', 'publickey']);
  });
  conn.on('error', () => undefined);
  conn.on('ready', () => {
    conn.on('session', (accept) => {
      accept().on('sftp', (acceptSftp) => {
        const sftp = acceptSftp();
        const handles = new Map<number, { fd?: number; path: string; dirDone?: boolean }>();
        let next = 0;
        const handle = (h: Buffer) => handles.get(h.readUInt32BE(0));
        const newHandle = (v: { fd?: number; path: string }) => {
          const b = Buffer.alloc(4);
          b.writeUInt32BE(++next);
          handles.set(next, v);
          return b;
        };
        const p = (path: string) => join(root, path);
        const fail = (id: number, e: unknown) => sftp.status(id, (e as NodeJS.ErrnoException).code === 'ENOENT' ? STATUS_CODE.NO_SUCH_FILE : STATUS_CODE.FAILURE);
        const attrs = (path: string) => {
          const s = statSync(path);
          return { mode: s.mode, uid: 0, gid: 0, size: s.size, atime: Math.floor(s.atimeMs / 1000), mtime: Math.floor(s.mtimeMs / 1000) };
        };
        sftp.on('OPEN', (id, path, flags) => {
          try {
            const mode = flags & OPEN_MODE.WRITE ? (flags & OPEN_MODE.TRUNC || flags & OPEN_MODE.CREAT ? 'w' : 'r+') : 'r';
            sftp.handle(id, newHandle({ fd: openSync(p(path), mode), path }));
          } catch (e) {
            fail(id, e);
          }
        });
        sftp.on('READ', (id, h, offset, length) => {
          const f = handle(h)!;
          const name = f.path.split('/').pop()!;
          if (offset > 0 && dropOnRead.has(name)) {
            dropOnRead.delete(name);
            conn.end(); // the connection drops mid-transfer
            return;
          }
          const buf = Buffer.alloc(Math.min(length, 64));
          const n = readSync(f.fd!, buf, 0, buf.length, offset);
          if (n === 0) return sftp.status(id, STATUS_CODE.EOF);
          sftp.data(id, buf.subarray(0, n));
        });
        sftp.on('WRITE', (id, h, offset, data) => {
          writeSync(handle(h)!.fd!, data, 0, data.length, offset);
          sftp.status(id, STATUS_CODE.OK);
        });
        sftp.on('CLOSE', (id, h) => {
          const f = handle(h);
          if (f?.fd !== undefined) closeSync(f.fd);
          handles.delete(h.readUInt32BE(0));
          sftp.status(id, STATUS_CODE.OK);
        });
        sftp.on('OPENDIR', (id, path) => (existsSync(p(path)) ? sftp.handle(id, newHandle({ path })) : sftp.status(id, STATUS_CODE.NO_SUCH_FILE)));
        sftp.on('READDIR', (id, h) => {
          const f = handle(h)!;
          if (f.dirDone) return sftp.status(id, STATUS_CODE.EOF);
          f.dirDone = true;
          sftp.name(id, readdirSync(p(f.path)).map((filename) => ({ filename, longname: filename, attrs: attrs(join(p(f.path), filename)) })));
        });
        const stat = (id: number, path: string) => {
          try {
            sftp.attrs(id, attrs(p(path)));
          } catch (e) {
            fail(id, e);
          }
        };
        sftp.on('STAT', stat);
        sftp.on('LSTAT', stat);
        sftp.on('FSTAT', (id, h) => stat(id, handle(h)!.path));
        sftp.on('SETSTAT', (id) => sftp.status(id, STATUS_CODE.OK));
        sftp.on('FSETSTAT', (id) => sftp.status(id, STATUS_CODE.OK));
        sftp.on('RENAME', (id, from, to) => {
          if (existsSync(p(to))) return sftp.status(id, STATUS_CODE.FAILURE);
          try {
            renameSync(p(from), p(to));
            sftp.status(id, STATUS_CODE.OK);
          } catch (e) {
            fail(id, e);
          }
        });
        sftp.on('REMOVE', (id, path) => {
          try {
            unlinkSync(p(path));
            sftp.status(id, STATUS_CODE.OK);
          } catch (e) {
            fail(id, e);
          }
        });
        sftp.on('REALPATH', (id, path) => sftp.name(id, [{ filename: path, longname: path, attrs: {} as never }]));
      });
    });
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gb-sftp-'));
  for (const d of ['in', 'out', 'archive', 'quarantine']) mkdirSync(join(root, d));
  server = new Server({ hostKeys: [hostKey.privateKey] }, serveSftp);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

const folders = { inbound: '/in', outbound: '/out', archive: '/archive', quarantine: '/quarantine' };
const T0 = new Date('2024-03-01T09:00:00Z');

describe('SFTP mailbox end to end against a real SFTP server on 127.0.0.1', () => {
  it('sends with key auth, then reads the 997 with password auth and correlates it', async () => {
    const keyed = new SftpTransport({ host: '127.0.0.1', port, username: 'partner', privateKey: clientKey.privateKey, hostKeySha256: HOST_FP, folders });
    const state = new InMemoryMailboxState();
    const sender = new MailboxDriver({ transport: keyed, state, ourIds: [{ qualifier: 'ZZ', id: 'GRIDBRIDGE' }] });
    const sent = await sender.send('po.x12', readFileSync(new URL('outbound-850.x12', FIXTURES)), T0);
    expect(sent.ok).toBe(true);
    await sender.close();
    expect(readFileSync(join(root, 'out', 'po.x12'))).toEqual(readFileSync(new URL('outbound-850.x12', FIXTURES)));

    writeFileSync(join(root, 'in', '997.x12'), readFileSync(new URL('997-accepted.x12', FIXTURES)));
    const pw = new SftpTransport({ host: '127.0.0.1', port, username: 'partner', password: 'secret', hostKeySha256: HOST_FP, folders });
    const d = new MailboxDriver({ transport: pw, state, ourIds: [{ qualifier: 'ZZ', id: 'GRIDBRIDGE' }] });
    const r = await d.scanOnce(new Date());
    await d.close();
    if (!r.ok) throw new Error(r.error.detail);
    expect(r.value.files.map((f) => f.outcome)).toEqual(['archived']);
    expect((await state.findSent({ us: { qualifier: 'ZZ', id: 'GRIDBRIDGE' }, group: '1001' }))[0]!.fa).toBe('accepted');
    expect(readdirSync(join(root, 'in'))).toEqual([]);
  });

  it('refuses a server whose host key does not match the pin', async () => {
    const t = new SftpTransport({ host: '127.0.0.1', port, username: 'partner', password: 'secret', hostKeySha256: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', folders });
    const r = await t.listInbound();
    await t.close();
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatchObject({ retryable: false });
    expect(!r.ok && r.error.detail).toContain('host key');
  });

  it('a connection dropped mid-transfer leaves the file in place, unquarantined, and the next scan processes it', async () => {
    writeFileSync(join(root, 'in', 'big.x12'), readFileSync(new URL('850-856-810.x12', FIXTURES)));
    dropOnRead.add('big.x12');
    const t = new SftpTransport({ host: '127.0.0.1', port, username: 'partner', password: 'secret', hostKeySha256: HOST_FP, folders });
    const d = new MailboxDriver({ transport: t, state: new InMemoryMailboxState(), ourIds: [{ qualifier: 'ZZ', id: 'GRIDBRIDGE' }] });
    const first = await d.scanOnce(new Date());
    expect(first.ok && first.value.files).toMatchObject([{ name: 'big.x12', outcome: 'failed' }]);
    expect(readdirSync(join(root, 'quarantine'))).toEqual([]);
    expect(readdirSync(join(root, 'in'))).toEqual(['big.x12']);
    const second = await d.scanOnce(new Date());
    await d.close();
    expect(second.ok && second.value.files).toMatchObject([{ name: 'big.x12', outcome: 'archived' }]);
  });
});
