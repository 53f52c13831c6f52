import { ok, type Result } from '../../../../core/result.ts';
import {
  digestFromMicalg,
  micalgName,
  signDetached,
  verifyDetached,
  type Certificate,
  type DigestName,
} from './cms.ts';
import type { OurIdentity, WireEntity } from './message.ts';
import {
  base64Lines,
  derOrBase64,
  newBoundary,
  parseContentType,
  parseEntity,
  parseHeaders,
  splitMultipart,
} from './mime.ts';

/** Message Disposition Notifications as AS2 uses them (RFC 3798 carried per RFC 4130 §7). */

export type DispositionModifier = 'error' | 'failure' | 'warning';

export interface Mdn {
  reportingUa: string;
  /** The AS2-To of the message acknowledged (who sends this MDN). */
  finalRecipient: string;
  originalMessageId: string;
  /** `processed`, or `processed/error: decryption-failed` and the like. */
  modifier?: { kind: DispositionModifier; description: string };
  /** `base64, sha-256` (absent when the message could not be read). */
  mic?: string;
  /** Human-readable first part. */
  text: string;
}

/** What the sender asked for in Disposition-Notification-Options (RFC 4130 §7.3). */
export interface MdnRequest {
  signed: boolean;
  /** The digest to sign the MDN and compute the MIC with: the first one asked for that we support. */
  digest: DigestName;
}

/** Reads `signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256, sha1`. */
export function parseMdnOptions(header: string | undefined): MdnRequest {
  const params = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    params.set(
      part.slice(0, i).trim().toLowerCase(),
      part
        .slice(i + 1)
        .split(',')
        .map((s) => s.trim().toLowerCase()),
    );
  }
  const protocol = params.get('signed-receipt-protocol') ?? [];
  const micalgs = (params.get('signed-receipt-micalg') ?? []).slice(1);
  const digest = micalgs.map(digestFromMicalg).find((d): d is DigestName => d !== null) ?? 'sha256';
  return { signed: protocol.slice(1).includes('pkcs7-signature'), digest };
}

export function formatMdnOptions(d: DigestName): string {
  return `signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, ${micalgName(d)}`;
}

/** The MDN as an HTTP body: multipart/report, inside multipart/signed when signing. */
export function buildMdn(m: Mdn, sign?: { us: OurIdentity; digest: DigestName }): WireEntity {
  const boundary = newBoundary();
  const disposition = `automatic-action/MDN-sent-automatically; processed${
    m.modifier ? `/${m.modifier.kind}: ${m.modifier.description}` : ''
  }`;
  const fields = [
    `Reporting-UA: ${m.reportingUa}`,
    `Original-Recipient: rfc822; ${m.finalRecipient}`,
    `Final-Recipient: rfc822; ${m.finalRecipient}`,
    `Original-Message-ID: ${m.originalMessageId}`,
    `Disposition: ${disposition}`,
    ...(m.mic ? [`Received-Content-MIC: ${m.mic}`] : []),
  ];
  const reportType = `multipart/report; report-type=disposition-notification; boundary="${boundary}"`;
  const report = Buffer.from(
    `--${boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n` +
      `${m.text.replace(/[^\x20-\x7e\r\n]/g, '?').replace(/\r?\n/g, '\r\n')}\r\n` +
      `--${boundary}\r\nContent-Type: message/disposition-notification\r\nContent-Transfer-Encoding: 7bit\r\n\r\n` +
      `${fields.join('\r\n')}\r\n\r\n--${boundary}--\r\n`,
    'latin1',
  );
  if (!sign) return { contentType: reportType, body: report };
  const signedPart = Buffer.concat([Buffer.from(`Content-Type: ${reportType}\r\n\r\n`, 'latin1'), report]);
  const outer = newBoundary();
  const signature = signDetached(signedPart, sign.us.cert, sign.us.key, sign.digest);
  return {
    contentType: `multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalgName(sign.digest)}; boundary="${outer}"`,
    body: Buffer.concat([
      Buffer.from(`--${outer}\r\n`),
      signedPart,
      Buffer.from(
        `\r\n--${outer}\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n` +
          `Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=smime.p7s\r\n\r\n` +
          `${base64Lines(signature)}\r\n--${outer}--\r\n`,
      ),
    ]),
  };
}

export interface ReadMdn {
  signed: boolean;
  originalMessageId: string | null;
  /** The whole Disposition field. */
  disposition: string;
  /** True for `processed` without an error or failure modifier (a warning still counts as processed). */
  processed: boolean;
  /** The error/failure text when not processed. */
  problem: string | null;
  mic: string | null;
}

/** Reads an MDN we received; its signature is checked against the partner's certificates when it is signed. */
export function readMdn(wire: WireEntity, partnerCerts: readonly Certificate[]): Result<ReadMdn, string> {
  let ct = parseContentType(wire.contentType);
  let body = wire.body;
  let signed = false;
  if (ct.mediaType === 'multipart/signed') {
    const parts = ct.params.boundary ? splitMultipart(body, ct.params.boundary) : null;
    if (!parts || parts.length !== 2) return { ok: false, error: 'signed MDN without its two parts' };
    const sig = parseEntity(parts[1]!);
    const v = verifyDetached(derOrBase64(sig), parts[0]!, partnerCerts);
    if (!v.ok) return { ok: false, error: `MDN signature: ${v.error.detail}` };
    signed = true;
    const inner = parseEntity(parts[0]!);
    ct = parseContentType(inner.headers.get('content-type'));
    body = inner.body;
  }
  if (ct.mediaType !== 'multipart/report' || !ct.params.boundary)
    return { ok: false, error: `not an MDN (content type ${ct.mediaType})` };
  const parts = splitMultipart(body, ct.params.boundary);
  if (!parts) return { ok: false, error: 'MDN report is not a complete multipart body' };
  const dn = parts
    .map(parseEntity)
    .find((p) => parseContentType(p.headers.get('content-type')).mediaType === 'message/disposition-notification');
  if (!dn) return { ok: false, error: 'MDN has no message/disposition-notification part' };
  const f = parseHeaders(dn.body.toString('latin1'));
  const disposition = f.get('disposition') ?? '';
  const status = disposition.split(';')[1]?.trim() ?? '';
  const m = /^processed(?:\s*\/\s*(error|failure|warning)\s*:\s*(.*))?$/i.exec(status);
  const processed = m !== null && (m[1] === undefined || m[1].toLowerCase() === 'warning');
  return ok({
    signed,
    originalMessageId: f.get('original-message-id') ?? null,
    disposition,
    processed,
    problem: processed ? null : status || 'no disposition',
    mic: f.get('received-content-mic') ?? null,
  });
}

/** Two MIC values equal: same digest name (spelling aside) and same base64 value. */
export function micMatches(expected: string, received: string | null): boolean {
  if (!received) return false;
  const split = (v: string) => {
    const [b64 = '', alg = ''] = v.split(',').map((s) => s.trim());
    return { b64, alg: digestFromMicalg(alg) };
  };
  const a = split(expected);
  const b = split(received);
  return a.b64 === b.b64 && a.alg !== null && a.alg === b.alg;
}
