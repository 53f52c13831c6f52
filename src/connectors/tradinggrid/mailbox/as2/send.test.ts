import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../../../server/listen.ts';
import { mountAs2Route } from '../../../../server/routes/as2.ts';
import { tempSqliteStore } from '../../../../../test/helpers/tempStore.ts';
import { loadAs2Setup } from '../../../../channels/tradinggrid-mailbox/as2Runtime.ts';
import { As2TransportConfig } from '../../../../config/as2Schema.ts';
import { OpensslPeer } from './opensslPeer.ts';
import { sendAs2 } from './send.ts';
import type { As2Setup } from './receive.ts';

// Our sender against a receiving bridge (the AS2 route on 127.0.0.1), and against a partner that answers badly.
const peer = new OpensslPeer();
let dir: string;
let receiver: Listening;
let sender: As2Setup;
let cleanup: () => Promise<void>;
const X12 =
  'ISA*00*          *00*          *ZZ*US             *ZZ*PARTNER        *261206*1200*U*00401*000000007*0*P*>~';

const transport = (
  ourId: string,
  ours: { certPath: string; keyPath: string },
  partnerId: string,
  partnerCert: string,
  url?: string,
) =>
  As2TransportConfig.parse({
    type: 'as2',
    inbound: join(dir, ourId, 'in'),
    outbound: join(dir, ourId, 'out'),
    archive: join(dir, ourId, 'archive'),
    quarantine: join(dir, ourId, 'quarantine'),
    as2_id: ourId,
    certificate: { file: ours.certPath },
    private_key: { file: ours.keyPath },
    partners: {
      [partnerId]: {
        certificate: { file: partnerCert },
        ...(url ? { url } : {}),
        allow_private_addresses: true,
        allow_http: true,
      },
    },
  });
const must = <T>(r: { ok: true; value: T } | { ok: false; error: { detail: string } }): T => {
  if (!r.ok) throw new Error(r.error.detail);
  return r.value;
};

let store: Awaited<ReturnType<typeof tempSqliteStore>>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gb-as2-send-'));
  const us = peer.certificate('us');
  const them = peer.certificate('them');
  store = await tempSqliteStore();
  cleanup = store.cleanup;
  const app = new Hono();
  const theirSetup = must(loadAs2Setup(transport('THEM', them, 'US', us.certPath)));
  mountAs2Route(app, {
    db: store.store.db,
    setup: theirSetup,
    path: '/as2',
    inbound: join(dir, 'THEM', 'in'),
    now: () => Date.now(),
  });
  receiver = await listen(app, '127.0.0.1', 0);
  sender = must(loadAs2Setup(transport('US', us, 'THEM', them.certPath, `${receiver.url}/as2`)));
});
afterAll(async () => {
  await receiver.close();
  await cleanup();
  peer.close();
  rmSync(dir, { recursive: true, force: true });
});

async function badPartner(answer: (req: { headers: Record<string, unknown> }) => { type: string; body: Buffer }) {
  const s: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answer({ headers: req.headers });
      res.writeHead(200, { 'content-type': a.type });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/as2`,
    close: () => new Promise((r) => s.close(r)),
  };
}

describe('sending over AS2', () => {
  it('sends signed and encrypted, gets a signed MDN with the MIC we computed, and the file arrives once', async () => {
    const partner = sender.partners.get('THEM')!;
    const sent = must(
      await sendAs2(Buffer.from(X12), partner, sender, {
        fileName: 'asn.x12',
        payloadType: 'application/EDI-X12',
        messageId: '<s1@us>',
      }),
    );
    expect(sent.mdn).toMatchObject({ signed: true, processed: true, originalMessageId: '<s1@us>' });
    expect(sent.mdn?.mic).toBe(sent.mic);
    // A retry with the same Message-ID (our answer was lost) is acknowledged again and not stored twice.
    must(
      await sendAs2(Buffer.from(X12), partner, sender, {
        fileName: 'asn.x12',
        payloadType: 'application/EDI-X12',
        messageId: '<s1@us>',
      }),
    );
    const files = readdirSync(join(dir, 'THEM', 'in')).filter((n) => !n.startsWith('.'));
    expect(files).toHaveLength(1);
    expect(readFileSync(join(dir, 'THEM', 'in', files[0]!), 'utf8')).toBe(X12);
  });

  it.each([
    ['no MDN at all', () => ({ type: 'text/plain', body: Buffer.alloc(0) }), /without an MDN/, true],
    ['an answer that is not an MDN', () => ({ type: 'text/html', body: Buffer.from('<html>') }), /not an MDN/, true],
  ])('fails with a clear reason on %s', async (_what, answer, reason, retryable) => {
    const p = await badPartner(answer);
    try {
      const partner = { ...sender.partners.get('THEM')!, url: p.url };
      const r = await sendAs2(Buffer.from(X12), partner, sender, {
        fileName: 'x.x12',
        payloadType: 'application/EDI-X12',
      });
      expect(r).toMatchObject({ ok: false, error: { retryable, detail: expect.stringMatching(reason) } });
    } finally {
      await p.close();
    }
  });

  it('fails when the MDN does not verify with the partner’s pinned certificate', async () => {
    // The wrong certificate pinned for the partner: its MDN (an error MDN, as it cannot decrypt) does not verify.
    const partner = { ...sender.partners.get('THEM')!, certs: [sender.us.cert] };
    const r = await sendAs2(Buffer.from(X12), partner, sender, {
      fileName: 'x.x12',
      payloadType: 'application/EDI-X12',
    });
    expect(r.ok).toBe(false);
    expect(r.ok || r.error.detail).toMatch(/MDN signature/);
  });
});
