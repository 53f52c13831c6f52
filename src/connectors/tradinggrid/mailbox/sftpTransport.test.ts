import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailboxDriver } from './mailboxDriver.ts';
import { SftpTransport } from './sftpTransport.ts';
import { startSftpTestServer, type SftpTestServer } from './sftpTestServer.ts';
import { InMemoryMailboxState } from './state.ts';

const FIXTURES = new URL('../../../../test/fixtures/edi/', import.meta.url);
let sftp: SftpTestServer;
let root: string;
let port: number;
let HOST_FP: string;
let clientKey: { privateKey: string };
let dropOnRead: Set<string>;

beforeAll(async () => {
  sftp = await startSftpTestServer();
  ({ root, port, hostKeySha256: HOST_FP, dropOnRead } = sftp);
  clientKey = { privateKey: sftp.clientPrivateKey };
});
afterAll(() => sftp.close());

const folders = { inbound: '/in', outbound: '/out', archive: '/archive', quarantine: '/quarantine' };
const T0 = new Date('2024-03-01T09:00:00Z');

describe('SFTP mailbox end to end against a real SFTP server on 127.0.0.1', () => {
  it('sends with key auth, then reads the 997 with password auth and correlates it', async () => {
    const keyed = new SftpTransport({
      host: '127.0.0.1',
      port,
      username: 'partner',
      privateKey: clientKey.privateKey,
      hostKeySha256: HOST_FP,
      folders,
    });
    const state = new InMemoryMailboxState();
    const sender = new MailboxDriver({ transport: keyed, state, ourIds: [{ qualifier: 'ZZ', id: 'GRIDBRIDGE' }] });
    const sent = await sender.send('po.x12', readFileSync(new URL('outbound-850.x12', FIXTURES)), T0);
    expect(sent.ok).toBe(true);
    await sender.close();
    expect(readFileSync(join(root, 'out', 'po.x12'))).toEqual(readFileSync(new URL('outbound-850.x12', FIXTURES)));

    writeFileSync(join(root, 'in', '997.x12'), readFileSync(new URL('997-accepted.x12', FIXTURES)));
    const pw = new SftpTransport({
      host: '127.0.0.1',
      port,
      username: 'partner',
      password: 'secret',
      hostKeySha256: HOST_FP,
      folders,
    });
    const d = new MailboxDriver({ transport: pw, state, ourIds: [{ qualifier: 'ZZ', id: 'GRIDBRIDGE' }] });
    const r = await d.scanOnce(new Date());
    await d.close();
    if (!r.ok) throw new Error(r.error.detail);
    expect(r.value.files.map((f) => f.outcome)).toEqual(['archived']);
    expect((await state.findSent({ us: { qualifier: 'ZZ', id: 'GRIDBRIDGE' }, group: '1001' }))[0]!.fa).toBe(
      'accepted',
    );
    expect(readdirSync(join(root, 'in'))).toEqual([]);
  });

  it('refuses a server whose host key does not match the pin', async () => {
    const t = new SftpTransport({
      host: '127.0.0.1',
      port,
      username: 'partner',
      password: 'secret',
      hostKeySha256: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      folders,
    });
    const r = await t.listInbound();
    await t.close();
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatchObject({ retryable: false });
    expect(!r.ok && r.error.detail).toContain('host key');
  });

  it('a connection dropped mid-transfer leaves the file in place, unquarantined, and the next scan processes it', async () => {
    writeFileSync(join(root, 'in', 'big.x12'), readFileSync(new URL('850-856-810.x12', FIXTURES)));
    dropOnRead.add('big.x12');
    const t = new SftpTransport({
      host: '127.0.0.1',
      port,
      username: 'partner',
      password: 'secret',
      hostKeySha256: HOST_FP,
      folders,
    });
    const d = new MailboxDriver({
      transport: t,
      state: new InMemoryMailboxState(),
      ourIds: [{ qualifier: 'ZZ', id: 'GRIDBRIDGE' }],
    });
    const first = await d.scanOnce(new Date());
    expect(first.ok && first.value.files).toMatchObject([{ name: 'big.x12', outcome: 'failed' }]);
    expect(readdirSync(join(root, 'quarantine'))).toEqual([]);
    expect(readdirSync(join(root, 'in'))).toEqual(['big.x12']);
    const second = await d.scanOnce(new Date());
    await d.close();
    expect(second.ok && second.value.files).toMatchObject([{ name: 'big.x12', outcome: 'archived' }]);
  });
});
