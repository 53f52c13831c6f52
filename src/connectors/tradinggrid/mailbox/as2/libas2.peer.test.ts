import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS2Composer, AS2Crypto, AS2EnvelopedData, AS2Parser } from 'libas2';
import { tempSqliteStore } from '../../../../../test/helpers/tempStore.ts';
import { listen, type Listening } from '../../../../server/listen.ts';
import { mountAs2Route } from '../../../../server/routes/as2.ts';
import { loadAs2Setup } from '../../../../channels/tradinggrid-mailbox/as2Runtime.ts';
import { As2TransportConfig } from '../../../../config/as2Schema.ts';
import { loadCertificate, loadPrivateKey } from './cms.ts';
import { wrap } from './message.ts';
import { OpensslPeer } from './opensslPeer.ts';

// libas2 (node-libas2 0.8, pkijs 2 underneath) as a second AS2 peer we did not write: it builds a message our
// route takes and verifies the MDN we answer with; it decrypts and verifies what we send. What it cannot do
// (sign with an RSA certificate, decrypt PKCS #1 v1.5 on Node 20) is in the README's AS2 section.
const peer = new OpensslPeer();
let us: ReturnType<OpensslPeer['certificate']>;
let them: ReturnType<OpensslPeer['certificate']>;
let dir: string;
let server: Listening;
let cleanup: () => Promise<void>;
const X12 =
  'ISA*00*          *00*          *ZZ*LIBAS2         *ZZ*US             *261206*1200*U*00401*000000042*0*P*>~' +
  'GS*PO*LIBAS2*US*20261206*1200*42*X*004010~ST*850*0001~BEG*00*SA*PO-42**20261206~SE*3*0001~GE*1*42~IEA*1*000000042~';

const must = <T>(r: { ok: true; value: T } | { ok: false; error: { detail: string } }): T => {
  if (!r.ok) throw new Error(r.error.detail);
  return r.value;
};

beforeAll(async () => {
  us = peer.certificate('us');
  them = peer.certificate('libas2');
  dir = mkdtempSync(join(tmpdir(), 'gb-libas2-'));
  const store = await tempSqliteStore();
  cleanup = store.cleanup;
  const transport = As2TransportConfig.parse({
    type: 'as2',
    inbound: join(dir, 'in'),
    outbound: join(dir, 'out'),
    archive: join(dir, 'archive'),
    quarantine: join(dir, 'quarantine'),
    as2_id: 'US',
    certificate: { file: us.certPath },
    private_key: { file: us.keyPath },
    // libas2 cannot sign with an RSA certificate (see the README), so this partner sends encrypted only.
    partners: { LIBAS2: { certificate: { file: them.certPath }, require_signed: false } },
  });
  const app = new Hono();
  mountAs2Route(app, {
    db: store.store.db,
    setup: must(loadAs2Setup(transport)),
    path: '/as2',
    inbound: join(dir, 'in'),
    now: () => Date.now(),
  });
  server = await listen(app, '127.0.0.1', 0);
});
afterAll(async () => {
  await server.close();
  await cleanup();
  peer.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('libas2 as the partner', () => {
  it('builds an encrypted message our route takes, and verifies the signed MDN we answer with', async () => {
    const composer = new AS2Composer({
      message: { filename: 'po42.x12', contentType: 'application/EDI-X12', content: X12 },
      agreement: {
        host: {
          name: 'LIBAS2',
          id: 'LIBAS2',
          url: 'http://127.0.0.1/unused',
          certificate: them.cert,
          privateKey: them.key,
          decrypt: false,
          sign: false,
          mdn: { async: false, signing: 'sha-256' },
        },
        partner: {
          name: 'US',
          id: 'US',
          url: `${server.url}/as2`,
          file: 'EDIX12',
          certificate: us.cert,
          encrypt: 'aes256-CBC',
          verify: true,
        },
      },
    });
    const req = await composer.toRequestOptions();
    const headers = req.headers as Record<string, string>;
    const messageId = headers['Message-ID']!;
    expect(headers['Content-Type']).toMatch(/smime-type=enveloped-data/);
    const res = await fetch(String(req.url), { method: 'POST', headers, body: req.body as string });
    expect(res.status).toBe(200);
    const files = readdirSync(join(dir, 'in')).filter((n) => !n.startsWith('.'));
    expect(files).toHaveLength(1);
    expect(readFileSync(join(dir, 'in', files[0]!), 'utf8')).toBe(X12);

    // libas2 reads our MDN and checks its signature with our certificate.
    const mdnNode = await AS2Parser.parse({
      headers: Object.fromEntries(res.headers.entries()),
      content: Buffer.from(await res.arrayBuffer()),
    });
    const disposition = await mdnNode.dispositionIn({ cert: us.cert });
    expect(disposition.notification.originalMessageId).toBe(messageId);
    expect(disposition.notification.disposition).toMatchObject({ processed: true });
    // A different certificate does not verify it.
    await expect(mdnNode.dispositionIn({ cert: them.cert })).rejects.toThrow();
  });

  it('decrypts what we send (OAEP key transport) and verifies our signature over the part our MIC covers', async () => {
    const w = wrap(Buffer.from(X12), {
      fileName: 'out.x12',
      payloadType: 'application/EDI-X12',
      sign: { us: { cert: must(loadCertificate(us.cert)), key: must(loadPrivateKey(us.key)) }, digest: 'sha256' },
      encrypt: { partner: must(loadCertificate(them.cert)), cipher: 'aes256-cbc', transport: 'rsa-oaep' },
      micDigest: 'sha256',
    });
    // The body as it goes over HTTP (binary DER) into libas2's CMS layer, then its MIME parser.
    const inner = await new AS2EnvelopedData(w.body, true).decrypt(them.cert, them.key);
    const signed = await AS2Parser.parse(inner);
    expect(signed.contentType).toMatch(/^multipart\/signed/);
    const verified = await AS2Crypto.verify(signed, { cert: us.cert }, true);
    expect(verified).not.toBe(false);
    expect(`${verified.digest.toString('base64')}, sha-256`).toBe(w.mic);
    // libas2's MIME parser keeps the CRLF before the boundary (RFC 2046 makes it part of the delimiter).
    expect(String(signed.childNodes[0]!.content)).toBe(`${X12}\r\n`);
    // Signed by someone else: libas2 says no.
    expect(await AS2Crypto.verify(signed, { cert: them.cert })).toBe(false);
  });
});
