import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalFolderTransport } from './localFolderTransport.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function mailbox() {
  const root = mkdtempSync(join(tmpdir(), 'gb-local-'));
  dirs.push(root);
  const folders = {
    inbound: join(root, 'in'),
    outbound: join(root, 'out'),
    archive: join(root, 'archive'),
    quarantine: join(root, 'quarantine'),
  };
  for (const d of Object.values(folders)) mkdirSync(d);
  return { root, folders, t: new LocalFolderTransport(folders) };
}

describe('local folder mailbox against a hostile folder', () => {
  it('a symlink swapped in after the listing is refused at open, not followed', async () => {
    const { root, folders, t } = mailbox();
    writeFileSync(join(folders.inbound, 'order.x12'), 'ISA*...');
    writeFileSync(join(root, 'secret.key'), 'do not read');
    expect((await t.listInbound()).ok).toBe(true);
    unlinkSync(join(folders.inbound, 'order.x12'));
    symlinkSync(join(root, 'secret.key'), join(folders.inbound, 'order.x12'));
    const r = await t.openInbound('order.x12');
    expect(r).toMatchObject({ ok: false, error: { code: 'fs:ELOOP', retryable: false } });
  });

  it('a symlink in the folder is not listed', async () => {
    const { root, folders, t } = mailbox();
    writeFileSync(join(root, 'secret.key'), 'do not read');
    symlinkSync(join(root, 'secret.key'), join(folders.inbound, 'link.x12'));
    const r = await t.listInbound();
    expect(r.ok && r.value.map((f) => f.name)).toEqual([]);
  });

  it('removeInbound checks the name like every other operation', async () => {
    const { root, t } = mailbox();
    writeFileSync(join(root, 'keep.txt'), 'x');
    const r = await t.removeInbound('../keep.txt');
    expect(r).toMatchObject({ ok: false, error: { code: 'mailbox:bad_name' } });
    expect(existsSync(join(root, 'keep.txt'))).toBe(true);
  });
});
