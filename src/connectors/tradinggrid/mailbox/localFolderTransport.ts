import { mayWrite } from '../../../core/jobSignal.ts';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open as openFile, readdir, rename, lstat, unlink, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { err, ok, type RemoteError, type Result } from '../../../core/result.ts';
import { isSafeFileName, type InboundFile, type MailboxFolders, type MailboxTransport } from './transport.ts';

function fsError(e: unknown, what: string): RemoteError {
  const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
  return {
    code: `fs:${code}`,
    retryable: !['ENOENT', 'EEXIST', 'EACCES', 'EPERM', 'EINVAL', 'ELOOP'].includes(code),
    detail: `${what}: ${(e as Error).message}`,
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Mailbox in local folders (a watched drop folder, or a mounted share). */
export class LocalFolderTransport implements MailboxTransport {
  constructor(private readonly folders: MailboxFolders) {}

  /** Creates the four folders if missing. */
  async ensureFolders(): Promise<void> {
    for (const dir of Object.values(this.folders)) await mkdir(dir, { recursive: true });
  }

  async listInbound(): Promise<Result<InboundFile[]>> {
    try {
      const names = await readdir(this.folders.inbound, { withFileTypes: true });
      const files: InboundFile[] = [];
      for (const d of names) {
        if (!d.isFile() || d.name.startsWith('.') || !isSafeFileName(d.name)) continue;
        const s = await lstat(join(this.folders.inbound, d.name));
        if (!s.isFile()) continue;
        files.push({ name: d.name, size: s.size, modifiedAt: s.mtime });
      }
      return ok(files.sort((a, b) => a.modifiedAt.getTime() - b.modifiedAt.getTime() || a.name.localeCompare(b.name)));
    } catch (e) {
      return err(fsError(e, `listing ${this.folders.inbound}`));
    }
  }

  private open(dir: string, name: string): Promise<Result<Readable>> {
    if (!isSafeFileName(name))
      return Promise.resolve(
        err({ code: 'mailbox:bad_name', retryable: false, detail: `unsafe file name ${JSON.stringify(name)}` }),
      );
    const path = join(dir, name);
    // O_NOFOLLOW: a symlink swapped in after the listing (pointing at /etc/shadow, a key) is refused at open.
    return openFile(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW).then(
      (fh): Result<Readable> => ok(fh.createReadStream({ highWaterMark: 1 << 20 })),
      (e): Result<Readable> => err(fsError(e, `opening ${path}`)),
    );
  }

  openInbound(name: string) {
    return this.open(this.folders.inbound, name);
  }
  openArchived(name: string) {
    return this.open(this.folders.archive, name);
  }
  openQuarantined(name: string) {
    return this.open(this.folders.quarantine, name);
  }

  private async move(name: string, dir: string, target: string): Promise<Result<void>> {
    if (!isSafeFileName(name) || !isSafeFileName(target))
      return err({ code: 'mailbox:bad_name', retryable: false, detail: `unsafe file name ${JSON.stringify(name)}` });
    // The mailbox folder is Trading Grid's side: a stopped job (or one whose lease is gone) changes nothing there.
    const refused = await mayWrite();
    if (refused) return err({ code: 'job_stopped', retryable: true, detail: `not done: ${refused}` });
    try {
      if (await exists(join(dir, target)))
        return err({ code: 'fs:EEXIST', retryable: false, detail: `${join(dir, target)} already exists` });
      await rename(join(this.folders.inbound, name), join(dir, target));
      return ok(undefined);
    } catch (e) {
      return err(fsError(e, `moving ${name} to ${dir}`));
    }
  }

  archive(name: string, archivedName: string) {
    return this.move(name, this.folders.archive, archivedName);
  }

  async quarantine(name: string, quarantinedName: string, report: string): Promise<Result<void>> {
    const moved = await this.move(name, this.folders.quarantine, quarantinedName);
    if (!moved.ok) return moved;
    try {
      await writeFile(join(this.folders.quarantine, `${quarantinedName}.error.txt`), report);
      return ok(undefined);
    } catch (e) {
      return err(fsError(e, 'writing the error report'));
    }
  }

  async removeInbound(name: string): Promise<Result<void>> {
    if (!isSafeFileName(name))
      return err({ code: 'mailbox:bad_name', retryable: false, detail: `unsafe file name ${JSON.stringify(name)}` });
    const refused = await mayWrite();
    if (refused) return err({ code: 'job_stopped', retryable: true, detail: `not done: ${refused}` });
    try {
      await unlink(join(this.folders.inbound, name));
      return ok(undefined);
    } catch (e) {
      return err(fsError(e, `removing ${name}`));
    }
  }

  private async write(dir: string, name: string, data: Buffer): Promise<Result<void>> {
    if (!isSafeFileName(name))
      return err({ code: 'mailbox:bad_name', retryable: false, detail: `unsafe file name ${JSON.stringify(name)}` });
    const refused = await mayWrite();
    if (refused) return err({ code: 'job_stopped', retryable: true, detail: `not done: ${refused}` });
    const tmp = join(dir, `.${name}.part`);
    try {
      await writeFile(tmp, data);
      await rename(tmp, join(dir, name));
      return ok(undefined);
    } catch (e) {
      return err(fsError(e, `writing ${join(dir, name)}`));
    }
  }

  writeOutbound(name: string, data: Buffer) {
    return this.write(this.folders.outbound, name, data);
  }
  writeArchive(name: string, data: Buffer) {
    return this.write(this.folders.archive, name, data);
  }

  async close(): Promise<void> {}
}
