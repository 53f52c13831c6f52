import { createHash } from 'node:crypto';

/** Most bytes a file name may have on the filesystems and SFTP servers we write to (ext4, XFS, APFS, NTFS in UTF-16 aside). */
export const NAME_MAX_BYTES = 255;
/**
 * Bytes kept free after a stored name for what the transports add to it: the quarantine's
 * `<name>.error.txt` report (10) and the temporary `.<name>.part` of a write (6).
 */
const SUFFIX_ROOM = '.error.txt'.length;
export const STORED_NAME_MAX_BYTES = NAME_MAX_BYTES - SUFFIX_ROOM;

/** The longest prefix of `s` of at most `max` UTF-8 bytes, cut on a character boundary. */
function utf8Prefix(s: string, max: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch);
    if (bytes + b > max) break;
    out += ch;
    bytes += b;
  }
  return out;
}

/**
 * The name a partner's file is kept under in the archive or the quarantine: `<prefix>_<name>`. A partner
 * name can be up to 255 bytes by itself, so the prefixed one may not fit the filesystem; the move then
 * fails on every scan and the file is read again and again. Past `STORED_NAME_MAX_BYTES` the name is
 * shortened on a character boundary, its extension kept (when short), and a hash of the whole original
 * name added, so two long names sharing a beginning stay apart: `<prefix>_<start>~<sha256(name)[0:12]><ext>`.
 * Names that fit are unchanged.
 */
export function storedName(prefix: string, name: string): string {
  const plain = `${prefix}_${name}`;
  if (Buffer.byteLength(plain) <= STORED_NAME_MAX_BYTES) return plain;
  const tag = `~${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && Buffer.byteLength(name.slice(dot)) <= 16 ? name.slice(dot) : '';
  const stem = ext ? name.slice(0, dot) : name;
  const room = STORED_NAME_MAX_BYTES - Buffer.byteLength(`${prefix}_${tag}${ext}`);
  return `${prefix}_${utf8Prefix(stem, Math.max(0, room))}${tag}${ext}`;
}
