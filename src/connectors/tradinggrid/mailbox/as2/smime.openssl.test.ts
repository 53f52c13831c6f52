import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { compress, decompress, loadCertificate, loadPrivateKey, type Certificate } from './cms.ts';
import { buildMdn, micMatches, readMdn } from './mdn.ts';
import { formatMic, unwrap, wrap, type OurIdentity, type UnwrapPolicy } from './message.ts';
import { OpensslPeer } from './opensslPeer.ts';

// openssl cms is the independent side: it builds what we read, and checks what we build.
const peer = new OpensslPeer();
let us: OurIdentity;
let partnerCert: Certificate;
let partner: ReturnType<OpensslPeer['certificate']>;
let ours: ReturnType<OpensslPeer['certificate']>;

const must = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

beforeAll(() => {
  ours = peer.certificate('gridbridge');
  partner = peer.certificate('partner');
  us = { cert: must(loadCertificate(ours.cert)), key: must(loadPrivateKey(ours.key)) };
  partnerCert = must(loadCertificate(partner.cert));
});
afterAll(() => peer.close());

const policy = (o: Partial<UnwrapPolicy> = {}): UnwrapPolicy => ({
  us,
  partnerCerts: [partnerCert],
  requireSigned: false,
  requireEncrypted: false,
  maxBytes: 1 << 20,
  ...o,
});

const X12 =
  'ISA*00*          *00*          *ZZ*PARTNER        *ZZ*US             *261206*1200*U*00401*000000001*0*P*>~';
const payloadPart = Buffer.from(
  `Content-Type: application/EDI-X12\r\nContent-Disposition: attachment; filename=po.x12\r\n\r\n${X12}\r\n`,
);

/** openssl signs (multipart/signed, CRLF) and encrypts for us: the body and Content-Type a partner would POST. */
function opensslSignAndEncrypt(cipher = '-aes256', extra: string[] = []): { contentType: string; body: Buffer } {
  peer.write('part.txt', payloadPart);
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
  // The signed entity without openssl's own MIME-Version header line stays a valid entity; keep it as written.
  const body = peer.run([
    'cms',
    '-encrypt',
    '-binary',
    cipher,
    '-in',
    'signed.eml',
    '-outform',
    'DER',
    '-recip',
    ours.certPath,
    ...extra,
  ]);
  return { contentType: 'application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m', body };
}

describe('S/MIME layer against openssl cms', () => {
  it('reads a message openssl signed and encrypted, and computes the MIC over the part openssl signed', () => {
    const r = must(unwrap(opensslSignAndEncrypt(), policy({ requireSigned: true, requireEncrypted: true })));
    expect(r.payload.toString()).toBe(`${X12}\r\n`);
    expect(r.fileName).toBe('po.x12');
    expect(r).toMatchObject({ signed: true, encrypted: true, compressed: false, payloadType: 'application/edi-x12' });
    const expected = `${createHash('sha256').update(payloadPart).digest('base64')}, sha-256`;
    expect(formatMic('sha256', r.micContent)).toBe(expected);
  });

  it.each([
    ['AES-128', '-aes128', [] as string[]],
    ['3DES', '-des3', [] as string[]],
    ['RSA-OAEP key transport', '-aes256', ['-keyopt', 'rsa_padding_mode:oaep']],
  ])('decrypts what openssl encrypted with %s', (_name, cipher, extra) => {
    const r = must(unwrap(opensslSignAndEncrypt(cipher, extra), policy()));
    expect(r.payload.toString()).toBe(`${X12}\r\n`);
  });

  it('answers with a signed MDN that openssl verifies against our certificate', () => {
    const r = must(unwrap(opensslSignAndEncrypt(), policy()));
    const mic = formatMic('sha256', r.micContent);
    const mdn = buildMdn(
      { reportingUa: 'gridbridge', finalRecipient: 'US', originalMessageId: '<m1@partner>', mic, text: 'Received.' },
      { us, digest: 'sha256' },
    );
    peer.write('mdn.eml', Buffer.concat([Buffer.from(`Content-Type: ${mdn.contentType}\r\n\r\n`), mdn.body]));
    const out = peer.run(['cms', '-verify', '-in', 'mdn.eml', '-CAfile', ours.certPath]).toString();
    expect(out).toContain(`Received-Content-MIC: ${mic}`);
    expect(out).toContain('Disposition: automatic-action/MDN-sent-automatically; processed');
    // And our own reader accepts it with our certificate as the "partner's".
    const read = must(readMdn(mdn, [us.cert]));
    expect(read).toMatchObject({ signed: true, processed: true, originalMessageId: '<m1@partner>' });
    expect(micMatches(mic, read.mic)).toBe(true);
  });

  it('refuses a signature by a certificate other than the partner’s', () => {
    const r = unwrap(opensslSignAndEncrypt(), policy({ partnerCerts: [us.cert] }));
    expect(r).toMatchObject({ ok: false, error: { disposition: 'authentication-failed' } });
  });

  it('refuses content changed after signing', () => {
    peer.write('part.txt', payloadPart);
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
    const signed = peer.read('signed.eml').toString('latin1').replace('000000001', '000000002');
    const head = signed.indexOf('\r\n\r\n');
    const contentType = /Content-Type: (multipart\/signed;[^\r]*(?:\r\n[ \t][^\r]*)*)/
      .exec(signed)![1]!
      .replace(/\r\n[ \t]+/g, ' ');
    const r = unwrap({ contentType, body: Buffer.from(signed.slice(head + 4), 'latin1') }, policy());
    expect(r).toMatchObject({ ok: false, error: { disposition: 'authentication-failed' } });
    expect(r.ok || r.error.detail).toMatch(/does not match the signed message digest/);
  });

  it('gives decryption-failed for a message encrypted for someone else', () => {
    peer.write('part.txt', payloadPart);
    const body = peer.run([
      'cms',
      '-encrypt',
      '-binary',
      '-aes256',
      '-in',
      'part.txt',
      '-outform',
      'DER',
      partner.certPath,
    ]);
    const r = unwrap({ contentType: 'application/pkcs7-mime; smime-type=enveloped-data', body }, policy());
    expect(r).toMatchObject({ ok: false, error: { disposition: 'decryption-failed' } });
  });

  it('refuses an unsigned message when the partner must sign', () => {
    const r = unwrap({ contentType: 'application/EDI-X12', body: Buffer.from(X12) }, policy({ requireSigned: true }));
    expect(r).toMatchObject({ ok: false, error: { disposition: 'insufficient-message-security' } });
  });

  it('sends signed and encrypted: openssl decrypts with the partner key and verifies our signature', () => {
    const w = wrap(Buffer.from(X12), {
      fileName: 'out.x12',
      payloadType: 'application/EDI-X12',
      sign: { us, digest: 'sha256' },
      encrypt: { partner: partnerCert, cipher: 'aes256-cbc', transport: 'rsa-pkcs1' },
      micDigest: 'sha256',
    });
    peer.write('out.p7m', w.body);
    peer.run([
      'cms',
      '-decrypt',
      '-binary',
      '-inform',
      'DER',
      '-in',
      'out.p7m',
      '-recip',
      partner.certPath,
      '-inkey',
      partner.keyPath,
      '-out',
      'out.eml',
    ]);
    // Not -binary: openssl's binary mode mis-splits a multipart/signed it reads; our parts are CRLF text already.
    const verified = peer.run(['cms', '-verify', '-in', 'out.eml', '-CAfile', ours.certPath]);
    expect(verified.toString()).toContain(X12);
    // The MIC we expect back is over exactly what openssl verified (the signed part, headers included).
    expect(w.mic).toBe(`${createHash('sha256').update(verified).digest('base64')}, sha-256`);
  });

  it('sends with OAEP key transport that openssl decrypts', () => {
    const w = wrap(Buffer.from(X12), {
      fileName: 'out.x12',
      payloadType: 'application/EDI-X12',
      encrypt: { partner: partnerCert, cipher: 'aes128-cbc', transport: 'rsa-oaep' },
      micDigest: 'sha256',
    });
    peer.write('oaep.p7m', w.body);
    const out = peer.run([
      'cms',
      '-decrypt',
      '-binary',
      '-inform',
      'DER',
      '-in',
      'oaep.p7m',
      '-recip',
      partner.certPath,
      '-inkey',
      partner.keyPath,
    ]);
    expect(out.toString()).toContain(X12);
  });

  it('reads compressed, then signed, then encrypted (Debian’s openssl has no zlib: our own CompressedData)', () => {
    const w = wrap(Buffer.from(X12), {
      fileName: 'c.x12',
      payloadType: 'application/EDI-X12',
      compress: true,
      sign: { us: { cert: partnerCert, key: must(loadPrivateKey(partner.key)) }, digest: 'sha256' },
      encrypt: { partner: us.cert, cipher: 'aes256-cbc', transport: 'rsa-pkcs1' },
      micDigest: 'sha256',
    });
    const r = must(unwrap(w, policy({ requireSigned: true, requireEncrypted: true })));
    expect(r).toMatchObject({ signed: true, encrypted: true, compressed: true, fileName: 'c.x12' });
    expect(r.payload.toString()).toBe(X12);
    expect(formatMic('sha256', r.micContent)).toBe(w.mic);
    // openssl parses our CompressedData's structure even though it cannot inflate it.
    peer.write('c.p7z', compress(Buffer.from(X12)));
    expect(peer.run(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', 'c.p7z']).toString()).toContain(
      'id-smime-ct-compressedData',
    );
  });

  it('refuses to inflate past the limit', () => {
    const r = decompress(compress(Buffer.alloc(1 << 20)), 1000);
    expect(r).toMatchObject({ ok: false, error: { detail: expect.stringMatching(/over the 1000-byte limit/) } });
  });
});
