import { mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFolderTransport } from './localFolderTransport.ts';
import { MailboxDriver } from './mailboxDriver.ts';
import { InMemoryMailboxState } from './state.ts';
import { STORED_NAME_MAX_BYTES, storedName } from './storedName.ts';

const bytes = (s: string) => Buffer.byteLength(s);

describe('storedName', () => {
  it('leaves a name that fits as <prefix>_<name>', () => {
    expect(storedName('0123456789ab', '997.x12')).toBe('0123456789ab_997.x12');
  });

  it('shortens a long name on a character boundary, keeps its extension, adds a hash of the whole name', () => {
    const long = `${'é'.repeat(125)}.x12`; // 254 bytes: a legal partner file name
    const s = storedName('0123456789ab', long);
    expect(bytes(s)).toBeLessThanOrEqual(STORED_NAME_MAX_BYTES);
    expect(s).toMatch(/^0123456789ab_(é)+~[0-9a-f]{12}\.x12$/);
    expect(s).not.toContain('\uFFFD');
    // Two long names sharing their beginning do not collide.
    expect(storedName('0123456789ab', `${'é'.repeat(125)}.x13`)).not.toBe(
      storedName('0123456789ab', `${'é'.repeat(124)}a.x13`),
    );
    expect(storedName('p', `${'a'.repeat(300)}`)).toMatch(/^p_a+~[0-9a-f]{12}$/);
  });
});

// A partner file whose name is long enough that `<sha12>_<name>` passes 255 bytes: before, the archive
// move failed (ENAMETOOLONG) on every scan and the file was read again each time.
describe('a partner file with a 254-byte name', () => {
  let dir: string;
  let folders: { inbound: string; outbound: string; archive: string; quarantine: string };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gb-longname-'));
    folders = {
      inbound: join(dir, 'in'),
      outbound: join(dir, 'out'),
      archive: join(dir, 'archive'),
      quarantine: join(dir, 'quarantine'),
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const fixture = (name: string) => readFileSync(new URL(`../../../../test/fixtures/edi/${name}`, import.meta.url));
  async function driver() {
    const transport = new LocalFolderTransport(folders);
    await transport.ensureFolders();
    return new MailboxDriver({
      transport,
      state: new InMemoryMailboxState(),
      ourIds: [{ qualifier: 'ZZ', id: 'GRIDBRIDGE' }],
      name: 'acme',
    });
  }

  it.each([
    ['archived', 'a good file', fixture('997-accepted.x12')],
    ['quarantined', 'a file that does not parse', Buffer.from('this is not EDI')],
  ])('is %s once (%s), under a stored name that fits, and not read again', async (outcome, _what, data) => {
    const d = await driver();
    const name = `${'é'.repeat(121)}-partner.x12`; // 254 bytes
    expect(bytes(name)).toBeLessThanOrEqual(255);
    writeFileSync(join(folders.inbound, name), data);
    const t0 = new Date('2024-03-01T09:00:00Z'); // settled well before the scan
    utimesSync(join(folders.inbound, name), t0, t0);
    const first = await d.scanOnce(new Date('2024-03-01T10:00:00Z'));
    if (!first.ok) throw new Error(first.error.detail);
    expect(first.value.files.map((f) => f.outcome)).toEqual([outcome]);
    expect(readdirSync(folders.inbound)).toEqual([]);
    const kept = readdirSync(outcome === 'archived' ? folders.archive : folders.quarantine);
    expect(kept.length).toBe(outcome === 'archived' ? 1 : 2);
    for (const k of kept) expect(bytes(k)).toBeLessThanOrEqual(255);
    expect(kept.find((k) => !k.endsWith('.error.txt'))).toMatch(/~[0-9a-f]{12}\.x12$/);
    const second = await d.scanOnce(new Date('2024-03-01T10:05:00Z'));
    if (!second.ok) throw new Error(second.error.detail);
    expect(second.value.files).toEqual([]);
  });
});
