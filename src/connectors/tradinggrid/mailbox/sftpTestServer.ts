import { generateKeyPairSync } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, utils, type Connection } from 'ssh2';
import { hostKeyFingerprint } from './sftpTransport.ts';

/** For tests: a small real SFTP server (ssh2 Server) on 127.0.0.1 over a temp folder; enough of the protocol for SftpTransport. */
export interface SftpTestServer {
  host: '127.0.0.1';
  port: number;
  /** Local folder the server serves as `/` (with in, out, archive, quarantine made). */
  root: string;
  username: string;
  password: string;
  /** PEM private key the server accepts for `username`. */
  clientPrivateKey: string;
  /** The server's host key fingerprint, `SHA256:…`. */
  hostKeySha256: string;
  /** While true, the server takes SFTP requests and never answers them (a hung daemon). */
  silent: boolean;
  /** Remote folders for SftpTransport. */
  folders: { inbound: string; outbound: string; archive: string; quarantine: string };
  /** Names whose download the server cuts after the first read (then forgets: the next try succeeds). */
  dropOnRead: Set<string>;
  /** How many connections were accepted (reconnects are visible). */
  connections(): number;
  close(): Promise<void>;
}

const { STATUS_CODE, OPEN_MODE } = utils.sftp;
const rsa = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
const parsed = (pem: string) => {
  const k = utils.parseKey(pem);
  if (k instanceof Error) throw k;
  return Array.isArray(k) ? k[0]! : k;
};

export async function startSftpTestServer(o: { username?: string; password?: string } = {}): Promise<SftpTestServer> {
  const username = o.username ?? 'partner';
  const password = o.password ?? 'secret';
  const hostKey = rsa();
  const clientKey = rsa();
  const root = mkdtempSync(join(tmpdir(), 'gb-sftp-'));
  for (const d of ['in', 'out', 'archive', 'quarantine']) mkdirSync(join(root, d));
  const dropOnRead = new Set<string>();
  const hang = { silent: false };
  let connections = 0;
  const clients = new Set<Connection>();

  const serve = (conn: Connection): void => {
    connections++;
    clients.add(conn);
    conn.on('close', () => clients.delete(conn));
    conn.on('authentication', (ctx) => {
      if (ctx.username !== username) return ctx.reject();
      if (ctx.method === 'password' && ctx.password === password) return ctx.accept();
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
          // A hung daemon: requests (upper-case events) are taken and never answered while `silent`.
          const emit = sftp.emit.bind(sftp);
          (sftp as unknown as { emit: (ev: string, ...a: unknown[]) => boolean }).emit = (
            ev: string,
            ...a: unknown[]
          ) => (hang.silent && /^[A-Z]+$/.test(ev) ? true : emit(ev, ...a));
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
          const fail = (id: number, e: unknown) =>
            sftp.status(
              id,
              (e as NodeJS.ErrnoException).code === 'ENOENT' ? STATUS_CODE.NO_SUCH_FILE : STATUS_CODE.FAILURE,
            );
          const attrs = (path: string) => {
            const s = statSync(path);
            return {
              mode: s.mode,
              uid: 0,
              gid: 0,
              size: s.size,
              atime: Math.floor(s.atimeMs / 1000),
              mtime: Math.floor(s.mtimeMs / 1000),
            };
          };
          sftp.on('OPEN', (id, path, flags) => {
            try {
              const mode =
                flags & OPEN_MODE.WRITE ? (flags & OPEN_MODE.TRUNC || flags & OPEN_MODE.CREAT ? 'w' : 'r+') : 'r';
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
          sftp.on('OPENDIR', (id, path) =>
            existsSync(p(path)) ? sftp.handle(id, newHandle({ path })) : sftp.status(id, STATUS_CODE.NO_SUCH_FILE),
          );
          sftp.on('READDIR', (id, h) => {
            const f = handle(h)!;
            if (f.dirDone) return sftp.status(id, STATUS_CODE.EOF);
            f.dirDone = true;
            sftp.name(
              id,
              readdirSync(p(f.path)).map((filename) => ({
                filename,
                longname: filename,
                attrs: attrs(join(p(f.path), filename)),
              })),
            );
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
  };

  const server = new Server({ hostKeys: [hostKey.privateKey] }, serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    root,
    username,
    password,
    clientPrivateKey: clientKey.privateKey,
    hostKeySha256: hostKeyFingerprint(parsed(hostKey.privateKey).getPublicSSH()),
    folders: { inbound: '/in', outbound: '/out', archive: '/archive', quarantine: '/quarantine' },
    dropOnRead,
    get silent() {
      return hang.silent;
    },
    set silent(v: boolean) {
      hang.silent = v;
    },
    connections: () => connections,
    close: async () => {
      for (const c of clients) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
