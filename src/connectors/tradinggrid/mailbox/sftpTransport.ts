import { createHash } from 'node:crypto';
import { currentJobSignal, jobStopped, mayWrite, unlessAborted } from '../../../core/jobSignal.ts';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { err, ok, type RemoteError, type Result } from '../../../core/result.ts';
import { isSafeFileName, type InboundFile, type MailboxFolders, type MailboxTransport } from './transport.ts';

export interface SftpOptions {
  host: string;
  port?: number;
  username: string;
  /** One of password or privateKey (PEM / OpenSSH text). */
  password?: string;
  privateKey?: string | Buffer;
  passphrase?: string;
  /** Pinned host key, as OpenSSH prints it: `SHA256:<base64 without padding>`. Required: no trust on first use. */
  hostKeySha256: string;
  folders: MailboxFolders;
  readyTimeoutMs?: number;
  /** Longest one operation may take (default 60 s): past it the connection is dropped and the call fails, retryable. */
  operationTimeoutMs?: number;
  /** SSH keepalive interval (default 10 s); three unanswered ones end the connection. */
  keepaliveMs?: number;
}

/** OpenSSH-style fingerprint of a raw host key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

const SFTP_NO_SUCH_FILE = 2;

function sftpError(e: unknown, what: string): RemoteError {
  const code = (e as { code?: number | string }).code;
  const permanent = code === SFTP_NO_SUCH_FILE || code === 3; // no such file, permission denied
  return { code: `sftp:${code ?? 'error'}`, retryable: !permanent, detail: `${what}: ${(e as Error).message}` };
}

/** Mailbox over SFTP (ssh2 client): key or password auth, host key pinned by SHA-256 fingerprint. Reconnects on demand. */
export class SftpTransport implements MailboxTransport {
  private conn: Promise<{ client: Client; sftp: SFTPWrapper }> | null = null;

  constructor(private readonly opts: SftpOptions) {}

  private connect(): Promise<{ client: Client; sftp: SFTPWrapper }> {
    if (this.conn !== null) return this.conn;
    const attempt = new Promise<{ client: Client; sftp: SFTPWrapper }>((resolve, reject) => {
      const client = new Client();
      let hostKeyRejected = false;
      const config: ConnectConfig = {
        host: this.opts.host,
        port: this.opts.port ?? 22,
        username: this.opts.username,
        readyTimeout: this.opts.readyTimeoutMs ?? 10_000,
        // A server that stops answering (a half-open connection, a hung daemon) is noticed without a request.
        keepaliveInterval: this.opts.keepaliveMs ?? 10_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          const ok = hostKeyFingerprint(key) === this.opts.hostKeySha256;
          if (!ok) hostKeyRejected = true;
          return ok;
        },
        ...(this.opts.password !== undefined ? { password: this.opts.password } : {}),
        ...(this.opts.privateKey !== undefined ? { privateKey: this.opts.privateKey } : {}),
        ...(this.opts.passphrase !== undefined ? { passphrase: this.opts.passphrase } : {}),
      };
      client.once('ready', () => {
        client.sftp((e, sftp) => (e ? reject(e) : resolve({ client, sftp })));
      });
      client.once('error', (e) =>
        reject(
          hostKeyRejected
            ? Object.assign(new Error(`host key does not match the pinned ${this.opts.hostKeySha256}`), {
                code: 'host_key',
              })
            : e,
        ),
      );
      client.once('close', () => {
        if (this.conn === attempt) this.conn = null;
      });
      client.connect(config);
    });
    this.conn = attempt;
    attempt.catch(() => {
      if (this.conn === attempt) this.conn = null;
    });
    return attempt;
  }

  private async withSftp<T>(what: string, fn: (sftp: SFTPWrapper) => Promise<T>, write = false): Promise<Result<T>> {
    // A stopped job sends nothing more; a write also checks its lease first (another worker may hold it now).
    const refused = write ? await mayWrite() : jobStopped();
    if (refused)
      return err({
        code: 'job_stopped',
        retryable: true,
        detail: `${what} on ${this.opts.host}: not sent: ${refused}`,
      });
    let sftp: SFTPWrapper;
    try {
      sftp = (await this.connect()).sftp;
    } catch (e) {
      const code = (e as { code?: string; level?: string }).code ?? (e as { level?: string }).level;
      const permanent = code === 'host_key' || code === 'client-authentication';
      return err({
        code: `sftp:${code ?? 'connect'}`,
        retryable: !permanent,
        detail: `connecting to ${this.opts.host}: ${(e as Error).message}`,
      });
    }
    // A server that takes the request and never answers would hold the job (and a shutdown) forever:
    // past the operation timeout, or when the job is stopped, the connection is dropped and the call fails.
    const limit = this.opts.operationTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const TIMEOUT = Symbol('timeout');
    const timeout = new Promise<typeof TIMEOUT>((r) => (timer = setTimeout(() => r(TIMEOUT), limit)));
    try {
      // Connecting may have taken long enough for the job to be stopped meanwhile.
      const late = jobStopped();
      if (late)
        return err({ code: 'job_stopped', retryable: true, detail: `${what} on ${this.opts.host}: not sent: ${late}` });
      const r = await unlessAborted(Promise.race([fn(sftp), timeout]), currentJobSignal(), TIMEOUT);
      if (r === TIMEOUT) {
        await this.drop();
        const stopped = jobStopped();
        return err({
          code: stopped ? 'job_stopped' : 'sftp:timeout',
          retryable: true,
          ambiguous: true,
          detail: `${what} on ${this.opts.host}: ${stopped ?? `no answer within ${limit} ms; the connection was dropped`}`,
        });
      }
      return ok(r);
    } catch (e) {
      return err(sftpError(e, what));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Forget the current connection and end it (the next call connects again). */
  private async drop(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    if (!c) return;
    try {
      (await c).client.destroy();
    } catch {
      /* it never connected */
    }
  }

  private path(dir: string, name: string): string {
    if (!isSafeFileName(name))
      throw Object.assign(new Error(`unsafe file name ${JSON.stringify(name)}`), { code: 'bad_name' });
    return posix.join(dir, name);
  }

  listInbound(): Promise<Result<InboundFile[]>> {
    return this.withSftp(
      'listing the inbound folder',
      (sftp) =>
        new Promise<InboundFile[]>((resolve, reject) =>
          sftp.readdir(this.opts.folders.inbound, (e, list) => {
            if (e) return reject(e);
            const files = list
              .filter(
                (f) =>
                  (f.attrs.mode & 0o170000) === 0o100000 && !f.filename.startsWith('.') && isSafeFileName(f.filename),
              )
              .map((f) => ({ name: f.filename, size: f.attrs.size, modifiedAt: new Date(f.attrs.mtime * 1000) }))
              .sort((a, b) => a.modifiedAt.getTime() - b.modifiedAt.getTime() || a.name.localeCompare(b.name));
            resolve(files);
          }),
        ),
    );
  }

  private open(dir: string, name: string): Promise<Result<Readable>> {
    return this.withSftp(`opening ${name}`, async (sftp) => {
      const path = this.path(dir, name);
      await new Promise<void>((resolve, reject) => sftp.stat(path, (e) => (e ? reject(e) : resolve())));
      return sftp.createReadStream(path, { highWaterMark: 256 * 1024 });
    });
  }
  openInbound(name: string) {
    return this.open(this.opts.folders.inbound, name);
  }
  openArchived(name: string) {
    return this.open(this.opts.folders.archive, name);
  }
  openQuarantined(name: string) {
    return this.open(this.opts.folders.quarantine, name);
  }

  private rename(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
    // SFTP v3 rename refuses to overwrite an existing target, which is what we want.
    return new Promise((resolve, reject) => sftp.rename(from, to, (e) => (e ? reject(e) : resolve())));
  }
  private writeFile(sftp: SFTPWrapper, path: string, data: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) => sftp.writeFile(path, data, (e) => (e ? reject(e) : resolve())));
  }

  archive(name: string, archivedName: string) {
    return this.withSftp(
      `archiving ${name}`,
      (sftp) =>
        this.rename(
          sftp,
          this.path(this.opts.folders.inbound, name),
          this.path(this.opts.folders.archive, archivedName),
        ),
      true,
    );
  }

  quarantine(name: string, quarantinedName: string, report: string) {
    return this.withSftp(
      `quarantining ${name}`,
      async (sftp) => {
        await this.rename(
          sftp,
          this.path(this.opts.folders.inbound, name),
          this.path(this.opts.folders.quarantine, quarantinedName),
        );
        await this.writeFile(sftp, this.path(this.opts.folders.quarantine, `${quarantinedName}.error.txt`), report);
      },
      true,
    );
  }

  removeInbound(name: string) {
    return this.withSftp(
      `removing ${name}`,
      (sftp) =>
        new Promise<void>((resolve, reject) =>
          sftp.unlink(this.path(this.opts.folders.inbound, name), (e) => (e ? reject(e) : resolve())),
        ),
      true,
    );
  }

  private write(dir: string, name: string, data: Buffer) {
    return this.withSftp(
      `writing ${name}`,
      async (sftp) => {
        const tmp = this.path(dir, `.${name}.part`);
        await this.writeFile(sftp, tmp, data);
        await this.rename(sftp, tmp, this.path(dir, name));
      },
      true,
    );
  }
  writeOutbound(name: string, data: Buffer) {
    return this.write(this.opts.folders.outbound, name, data);
  }
  writeArchive(name: string, data: Buffer) {
    return this.write(this.opts.folders.archive, name, data);
  }

  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    if (conn) await conn.then((c) => c.client.end()).catch(() => undefined);
  }
}
