import { ok, type Result } from '../../../../core/result.ts';
import {
  compress,
  decompress,
  decrypt,
  digest,
  encrypt,
  micalgName,
  signDetached,
  verifyDetached,
  type Certificate,
  type ContentCipher,
  type DigestName,
  type KeyTransport,
} from './cms.ts';
import type { KeyObject } from 'node:crypto';
import {
  base64Lines,
  decodedBody,
  derOrBase64,
  newBoundary,
  parseContentType,
  parseEntity,
  quoteParam,
  serializeEntity,
  splitMultipart,
  type MimeEntity,
} from './mime.ts';

/**
 * AS2 message bodies (RFC 4130 with RFC 5402 compression): the layers an outbound file is wrapped in, and the
 * unwrapping of what a partner sends, with the MIC each side computes.
 */

export interface OurIdentity {
  cert: Certificate;
  key: KeyObject;
}

/** An HTTP body and the headers that describe it (the outermost MIME headers travel as HTTP headers). */
export interface WireEntity {
  contentType: string;
  contentTransferEncoding?: string;
  body: Buffer;
}

export interface WrapOptions {
  fileName: string;
  /** Media type of the payload (application/EDI-X12, application/EDIFACT, application/octet-stream). */
  payloadType: string;
  compress?: boolean;
  sign?: { us: OurIdentity; digest: DigestName };
  encrypt?: { partner: Certificate; cipher: ContentCipher; transport: KeyTransport };
  /** The digest for the MIC we expect back (the one we ask for in Disposition-Notification-Options). */
  micDigest: DigestName;
}

export interface Wrapped extends WireEntity {
  /** `base64, sha-256`-style value the partner's MDN must return. */
  mic: string;
}

const entityOf = (w: WireEntity): MimeEntity => ({
  headers: new Map([
    ['content-type', w.contentType],
    ...(w.contentTransferEncoding ? ([['content-transfer-encoding', w.contentTransferEncoding]] as const) : []),
  ]),
  body: w.body,
});

export function formatMic(d: DigestName, data: Buffer): string {
  return `${digest(d, data).toString('base64')}, ${micalgName(d)}`;
}

/** Payload → (compressed) → (signed) → (encrypted); the MIC per RFC 4130 §7.3.1 and RFC 5402 §4. */
export function wrap(payload: Buffer, o: WrapOptions): Wrapped {
  let entity = serializeEntity(
    [
      ['Content-Type', o.payloadType],
      ['Content-Transfer-Encoding', 'binary'],
      ['Content-Disposition', `attachment; filename=${quoteParam(o.fileName)}`],
    ],
    payload,
  );
  let micOver = entity;
  let outer: WireEntity = { contentType: o.payloadType, contentTransferEncoding: 'binary', body: payload };
  if (o.compress) {
    const ct = 'application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z';
    const body = compress(entity);
    entity = serializeEntity(
      [
        ['Content-Type', ct],
        ['Content-Transfer-Encoding', 'binary'],
        ['Content-Disposition', 'attachment; filename=smime.p7z'],
      ],
      body,
    );
    micOver = entity;
    outer = { contentType: ct, contentTransferEncoding: 'binary', body };
  }
  if (o.sign) {
    const boundary = newBoundary();
    const signature = signDetached(entity, o.sign.us.cert, o.sign.us.key, o.sign.digest);
    const ct = `multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalgName(o.sign.digest)}; boundary="${boundary}"`;
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\n`),
      entity,
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n` +
          `Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=smime.p7s\r\n\r\n` +
          `${base64Lines(signature)}\r\n--${boundary}--\r\n`,
      ),
    ]);
    micOver = entity;
    entity = serializeEntity([['Content-Type', ct]], body);
    outer = { contentType: ct, body };
  }
  if (o.encrypt) {
    const ct = 'application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m';
    const body = encrypt(entity, o.encrypt.partner, o.encrypt.cipher, o.encrypt.transport);
    outer = { contentType: ct, contentTransferEncoding: 'binary', body };
  }
  return { ...outer, mic: formatMic(o.micDigest, micOver) };
}

export interface Unwrapped {
  payload: Buffer;
  fileName: string | null;
  payloadType: string;
  signed: boolean;
  encrypted: boolean;
  compressed: boolean;
  /** The bytes the MIC is computed over (RFC 4130 §7.3.1): the signed part if signed, else the decrypted entity. */
  micContent: Buffer;
  /** The signer's digest when signed. */
  signedWith: DigestName | null;
}

/** Why a message could not be taken: the disposition modifier its MDN carries (RFC 4130 §7.5.3). */
export interface UnwrapFailure {
  disposition:
    'decryption-failed' | 'authentication-failed' | 'insufficient-message-security' | 'unexpected-processing-error';
  detail: string;
}

export interface UnwrapPolicy {
  us: OurIdentity;
  partnerCerts: readonly Certificate[];
  requireSigned: boolean;
  requireEncrypted: boolean;
  maxBytes: number;
}

const failure = (disposition: UnwrapFailure['disposition'], detail: string): Result<never, UnwrapFailure> => ({
  ok: false,
  error: { disposition, detail },
});

/** Peels the layers a partner wrapped its file in, in whatever order and combination (at most a few deep). */
export function unwrap(wire: WireEntity, policy: UnwrapPolicy): Result<Unwrapped, UnwrapFailure> {
  let entity = entityOf(wire);
  let raw: Buffer | null = null; // the entity with its headers, once it came out of an inner layer
  let signed = false;
  let encrypted = false;
  let compressed = false;
  let micContent: Buffer | null = null;
  let signedWith: DigestName | null = null;
  for (let depth = 0; depth < 6; depth++) {
    const ct = parseContentType(entity.headers.get('content-type'));
    const smimeType = (ct.params['smime-type'] ?? '').toLowerCase();
    const pkcs7 = ct.mediaType === 'application/pkcs7-mime' || ct.mediaType === 'application/x-pkcs7-mime';
    if (pkcs7 && (smimeType === 'enveloped-data' || (!smimeType && !compressed && !encrypted && depth === 0))) {
      if (encrypted) return failure('unexpected-processing-error', 'encrypted twice');
      const r = decrypt(derOrBase64(entity), policy.us.cert, policy.us.key);
      if (!r.ok) return failure('decryption-failed', r.error.detail);
      encrypted = true;
      raw = r.value;
      entity = parseEntity(raw);
      continue;
    }
    if (pkcs7 && smimeType === 'compressed-data') {
      if (compressed) return failure('unexpected-processing-error', 'compressed twice');
      const r = decompress(derOrBase64(entity), policy.maxBytes);
      if (!r.ok) return failure('unexpected-processing-error', r.error.detail);
      compressed = true;
      raw = r.value;
      entity = parseEntity(raw);
      continue;
    }
    if (ct.mediaType === 'multipart/signed') {
      if (signed) return failure('unexpected-processing-error', 'signed twice');
      const boundary = ct.params.boundary;
      const parts = boundary ? splitMultipart(entity.body, boundary) : null;
      if (!parts || parts.length !== 2)
        return failure('unexpected-processing-error', 'multipart/signed without its two parts');
      const sigEntity = parseEntity(parts[1]!);
      const v = verifyDetached(derOrBase64(sigEntity), parts[0]!, policy.partnerCerts);
      if (!v.ok) return failure('authentication-failed', v.error.detail);
      signed = true;
      signedWith = v.value.digest;
      micContent = parts[0]!;
      raw = parts[0]!;
      entity = parseEntity(raw);
      continue;
    }
    if (pkcs7 && smimeType === 'signed-data')
      return failure(
        'unexpected-processing-error',
        'opaque (enveloping) signatures are not supported; use multipart/signed',
      );
    break;
  }
  if (policy.requireEncrypted && !encrypted)
    return failure('insufficient-message-security', 'the partner is configured to send encrypted messages');
  if (policy.requireSigned && !signed)
    return failure('insufficient-message-security', 'the partner is configured to send signed messages');
  const disposition = entity.headers.get('content-disposition') ?? '';
  const fileName = parseContentType(`x/x; ${disposition.replace(/^[^;]*;?/, '')}`).params.filename ?? null;
  const payload = decodedBody(entity);
  if (payload.length > policy.maxBytes)
    return failure('unexpected-processing-error', `the file is over the ${policy.maxBytes}-byte limit`);
  return ok({
    payload,
    fileName,
    payloadType: parseContentType(entity.headers.get('content-type')).mediaType,
    signed,
    encrypted,
    compressed,
    // Unsigned: the decrypted entity (headers and content), or for a plain message the entity as received.
    micContent: micContent ?? raw ?? serializeEntity([['Content-Type', wire.contentType]], wire.body),
    signedWith,
  });
}
