import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempSqliteStore } from '../../../test/helpers/tempStore.ts';
import type { Store } from '../../store/db.ts';
import { listen, type Listening } from '../listen.ts';
import { mountAs2Route } from './as2.ts';
import { OpensslPeer } from '../../connectors/tradinggrid/mailbox/as2/opensslPeer.ts';
import { loadAs2Setup } from '../../channels/tradinggrid-mailbox/as2Runtime.ts';
import { As2TransportConfig } from '../../config/as2Schema.ts';
import { as2MdnHandler } from '../../channels/tradinggrid-mailbox/as2Mdn.ts';
import type { SyncContext } from '../../sync/context.ts';
import type { MailboxPayload } from '../../channels/tradinggrid-mailbox/jobs.ts';

// A partner played by openssl cms, POSTing over real HTTP on 127.0.0.1 to the bridge's AS2 route.
const peer = new OpensslPeer();
let store: Store;
let cleanup: () => Promise<void>;
let server: Listening;
let inbound: string;
let folders: string;
let transport: As2TransportConfig;
let ours: ReturnType<OpensslPeer['certificate']>;
let partner: ReturnType<OpensslPeer['certificate']>;

const X12 =
  'ISA*00*          *00*          *ZZ*PARTNER        *ZZ*US             *261206*1200*U*00401*000000001*0*P*>~\r\n';
const part = Buffer.from(
  `Content-Type: application/EDI-X12\r\nContent-Disposition: attachment; filename="po 1.x12"\r\n\r\n${X12}`,
);

beforeAll(async () => {
  ours = peer.certificate('gridbridge');
  partner = peer.certificate('partner');
  ({ store, cleanup } = await tempSqliteStore());
  folders = mkdtempSync(join(tmpdir(), 'gb-as2-route-'));
  inbound = join(folders, 'in');
  transport = As2TransportConfig.parse({
    type: 'as2',
    inbound,
    outbound: join(folders, 'out'),
    archive: join(folders, 'archive'),
    quarantine: join(folders, 'quarantine'),
    as2_id: 'GRIDBRIDGE',
    certificate: { file: ours.certPath },
    private_key: { file: ours.keyPath },
    partners: {
      'PARTNER AS2': { certificate: { file: partner.certPath }, allow_private_addresses: true, allow_http: true },
    },
  });
  const setup = loadAs2Setup(transport);
  if (!setup.ok) throw new Error(setup.error.detail);
  const app = new Hono();
  mountAs2Route(app, { db: store.db, setup: setup.value, path: '/as2', inbound, now: () => Date.now() });
  server = await listen(app, '127.0.0.1', 0);
});
afterAll(async () => {
  await server.close();
  await cleanup();
  peer.close();
  rmSync(folders, { recursive: true, force: true });
});

function signedEncrypted(): Buffer {
  peer.write('part.txt', part);
  peer.run([
    'cms',
    '-sign',
    '-binary',
    '-crlfeol',
    '-md',
    'sha256',
    '-signer',
    partner.certPath,
    '-inkey',
    partner.keyPath,
    '-in',
    'part.txt',
    '-out',
    'signed.eml',
  ]);
  return peer.run(['cms', '-encrypt', '-binary', '-aes256', '-in', 'signed.eml', '-outform', 'DER', ours.certPath]);
}

const post = (body: Buffer, headers: Record<string, string>) =>
  fetch(`${server.url}/as2`, {
    method: 'POST',
    body: new Uint8Array(body),
    headers: {
      'content-type': 'application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m',
      'as2-version': '1.2',
      'as2-from': '"PARTNER AS2"',
      'as2-to': 'GRIDBRIDGE',
      'disposition-notification-to': 'mailto:as2@partner.example',
      'disposition-notification-options':
        'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256',
      ...headers,
    },
  });

/** openssl checks our MDN's signature with our certificate and gives back the report it signed. */
function opensslVerifiedMdn(contentType: string, body: Buffer): string {
  peer.write('mdn.eml', Buffer.concat([Buffer.from(`Content-Type: ${contentType}\r\n\r\n`), body]));
  return peer.run(['cms', '-verify', '-in', 'mdn.eml', '-CAfile', ours.certPath]).toString();
}

const jobs = (kind: string) => store.db.selectFrom('jobs').selectAll().where('kind', '=', kind).execute();
const inboundFiles = () => (existsSync(inbound) ? readdirSync(inbound).filter((n) => !n.startsWith('.')) : []);
const expectedMic = `${createHash('sha256').update(part).digest('base64')}, sha-256`;

describe('AS2 receive route', () => {
  beforeEach(async () => {
    await store.db.deleteFrom('jobs').execute();
    await store.db.deleteFrom('inbound_events').execute();
    rmSync(inbound, { recursive: true, force: true });
  });

  it('takes a signed, encrypted message once and answers with a signed MDN openssl verifies, also for a resend', async () => {
    const body = signedEncrypted();
    const first = await post(body, { 'message-id': '<m1@partner>' });
    expect(first.status).toBe(200);
    const mdn = opensslVerifiedMdn(first.headers.get('content-type')!, Buffer.from(await first.arrayBuffer()));
    expect(mdn).toContain('Disposition: automatic-action/MDN-sent-automatically; processed\r\n');
    expect(mdn).toContain(`Received-Content-MIC: ${expectedMic}`);
    expect(mdn).toContain('Original-Message-ID: <m1@partner>');
    expect(first.headers.get('as2-to')).toBe('"PARTNER AS2"');
    const files = inboundFiles();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^as2_[0-9a-f]{16}_po_1\.x12$/);
    expect(readFileSync(join(inbound, files[0]!), 'utf8')).toBe(X12);

    // The partner did not get the MDN and sends the same Message-ID again: the same answer, nothing new.
    const again = await post(signedEncrypted(), { 'message-id': '<m1@partner>' });
    expect(again.status).toBe(200);
    expect(opensslVerifiedMdn(again.headers.get('content-type')!, Buffer.from(await again.arrayBuffer()))).toContain(
      `Received-Content-MIC: ${expectedMic}`,
    );
    expect(inboundFiles()).toHaveLength(1);
    expect(await store.db.selectFrom('inbound_events').selectAll().where('source', '=', 'as2').execute()).toHaveLength(
      1,
    );
    expect(await jobs('mailbox.scan')).toHaveLength(1);
  });

  it('answers a message whose signature is not the partner’s with an authentication-failed MDN and keeps no file', async () => {
    peer.write('part.txt', part);
    peer.run([
      'cms',
      '-sign',
      '-binary',
      '-crlfeol',
      '-md',
      'sha256',
      '-signer',
      ours.certPath,
      '-inkey',
      ours.keyPath,
      '-in',
      'part.txt',
      '-out',
      'signed.eml',
    ]);
    const body = peer.run([
      'cms',
      '-encrypt',
      '-binary',
      '-aes256',
      '-in',
      'signed.eml',
      '-outform',
      'DER',
      ours.certPath,
    ]);
    const res = await post(body, { 'message-id': '<bad@partner>' });
    const mdn = opensslVerifiedMdn(res.headers.get('content-type')!, Buffer.from(await res.arrayBuffer()));
    expect(mdn).toContain('processed/error: authentication-failed');
    expect(mdn).not.toContain('Received-Content-MIC');
    expect(inboundFiles()).toHaveLength(0);
  });

  it.each([
    [{ 'as2-from': 'STRANGER' }, 403, /not a configured partner/],
    [{ 'as2-to': 'SOMEONE' }, 404, /not this endpoint's AS2 id/],
    [{ 'message-id': '' }, 400, /Message-ID are required/],
  ])('refuses %o with %i', async (headers, status, message) => {
    const res = await post(Buffer.from('x'), { 'message-id': '<h@p>', ...headers });
    expect(res.status).toBe(status);
    expect(await res.text()).toMatch(message);
  });

  it('queues an asynchronous MDN and delivers it by POST to the Receipt-Delivery-Option URL, through the SSRF guard', async () => {
    const received: { headers: Record<string, unknown>; body: Buffer }[] = [];
    const receiver: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/mdn`;
    try {
      const res = await post(signedEncrypted(), { 'message-id': '<async@partner>', 'receipt-delivery-option': url });
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBe(0);
      const [job] = await jobs('as2.mdn');
      const payload = JSON.parse(job!.payload) as MailboxPayload<'as2.mdn'>;
      expect(payload).toMatchObject({ url, partner: 'PARTNER AS2', messageId: '<async@partner>' });

      const run = (t: As2TransportConfig) =>
        as2MdnHandler({ config: { mailbox: { transport: t } } } as unknown as SyncContext)({
          payload,
          attempt: 1,
        } as Parameters<ReturnType<typeof as2MdnHandler>>[0]);
      // Without the partner's allow_private_addresses, the guard refuses a loopback URL.
      const guarded = {
        ...transport,
        partners: { 'PARTNER AS2': { ...transport.partners['PARTNER AS2']!, allow_private_addresses: false } },
      };
      expect(await run(guarded)).toMatchObject({ status: 'fail', error: expect.stringMatching(/address_blocked/) });
      expect(received).toHaveLength(0);

      expect(await run(transport)).toEqual({ status: 'done' });
      expect(received).toHaveLength(1);
      expect(received[0]!.headers['as2-from']).toBe('GRIDBRIDGE');
      const mdn = opensslVerifiedMdn(String(received[0]!.headers['content-type']), received[0]!.body);
      expect(mdn).toContain(`Received-Content-MIC: ${expectedMic}`);
      expect(mdn).toContain('Original-Message-ID: <async@partner>');
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });
});
