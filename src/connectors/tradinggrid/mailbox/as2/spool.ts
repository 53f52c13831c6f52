import { randomBytes } from 'node:crypto';
import { link, mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isSafeFileName } from '../transport.ts';

/**
 * Writes a received file into the inbound folder whole or not at all: a hidden temporary file (the mailbox
 * scan skips dot files), then a hard link under the final name, which never replaces: a file already there
 * under that name (the same partner and Message-ID) is left as it is.
 */
export async function writeInboundOnce(folder: string, name: string, data: Buffer): Promise<'written' | 'exists'> {
  if (!isSafeFileName(name) || name.startsWith('.')) throw new Error(`unsafe file name ${JSON.stringify(name)}`);
  await mkdir(folder, { recursive: true });
  const tmp = join(folder, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(tmp, data, { flag: 'wx', mode: 0o640 });
  try {
    await link(tmp, join(folder, name));
    return 'written';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
    throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
