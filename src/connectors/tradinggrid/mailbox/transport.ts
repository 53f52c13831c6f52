import type { Readable } from 'node:stream';
import type { Result } from '../../../core/result.ts';

export interface InboundFile {
  name: string;
  size: number;
  modifiedAt: Date;
}

/**
 * Where EDI files come and go: an SFTP mailbox or a local folder. Four folders: inbound (partner →
 * us), outbound (us → partner), archive (processed files, and copies of what we sent), quarantine
 * (files that do not parse, each with `<name>.error.txt`). Expected failures are Result values.
 */
export interface MailboxTransport {
  listInbound(): Promise<Result<InboundFile[]>>;
  /** Streams one inbound file; the stream errors if the connection drops mid-transfer. */
  openInbound(name: string): Promise<Result<Readable>>;
  /** Moves an inbound file into the archive under `archivedName` (replacing nothing: fails if it exists). */
  archive(name: string, archivedName: string): Promise<Result<void>>;
  /** Moves an inbound file into quarantine and writes `<quarantinedName>.error.txt` beside it. */
  quarantine(name: string, quarantinedName: string, report: string): Promise<Result<void>>;
  /** Deletes an inbound file (a repeat of one already processed). */
  removeInbound(name: string): Promise<Result<void>>;
  /** Writes a file to the outbound folder atomically (temporary name, then rename). */
  writeOutbound(name: string, data: Buffer): Promise<Result<void>>;
  /** Writes a file straight into the archive (our copy of what we sent). */
  writeArchive(archivedName: string, data: Buffer): Promise<Result<void>>;
  openArchived(archivedName: string): Promise<Result<Readable>>;
  openQuarantined(quarantinedName: string): Promise<Result<Readable>>;
  close(): Promise<void>;
}

export interface MailboxFolders {
  inbound: string;
  outbound: string;
  archive: string;
  quarantine: string;
}

/** A file name we may join to a folder: no path separators, no dot-dot, not hidden temp files. */
export function isSafeFileName(name: string): boolean {
  // 255 bytes (UTF-8), not 255 characters: 'é' takes two on the filesystem.
  return name.length > 0 && Buffer.byteLength(name) <= 255 && !/[/\\\0]/.test(name) && name !== '.' && name !== '..';
}
