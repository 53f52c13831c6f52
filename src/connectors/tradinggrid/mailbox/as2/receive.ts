import { createHash, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Certificate, ContentCipher, DigestName, KeyTransport } from './cms.ts';
import { buildMdn, parseMdnOptions, type Mdn } from './mdn.ts';
import { formatMic, unwrap, type OurIdentity, type UnwrapFailure, type WireEntity } from './message.ts';

/** One AS2 partner, loaded (certificates parsed) from config. */
export interface As2Partner {
  id: string;
  url?: string;
  certs: Certificate[];
  requireSigned: boolean;
  requireEncrypted: boolean;
  sign: boolean;
  encrypt: boolean;
  compress: boolean;
  digest: DigestName;
  cipher: ContentCipher;
  keyTransport: KeyTransport;
  mdn: 'sync' | 'async';
  /** With mdn async: how long a file we sent waits for its MDN. */
  mdnWaitMs: number;
  allowPrivateAddresses: boolean;
  allowHttp: boolean;
  /** Sending: the longest wait for the partner's answer to start and between its bytes, and for the whole exchange. */
  timeoutMs: number;
  totalTimeoutMs: number;
}

export interface As2Setup {
  ourId: string;
  us: OurIdentity & { key: KeyObject };
  partners: Map<string, As2Partner>;
  maxBytes: number;
  receiptUrl?: string;
}

export interface As2Request {
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface As2Response {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** What a received message became: stored under `storedName`, or refused with an MDN saying why. */
export interface AsyncMdn {
  url: string;
  partner: string;
  messageId: string;
  mdn: { contentType: string; body: string; messageId: string };
}

export interface ReceiveDeps {
  /** The MDN we already answered this (partner, Message-ID) with, when it was received before. */
  previous(partner: string, messageId: string): Promise<{ contentType: string; body: string } | null>;
  /** Writes the file into the mailbox's inbound folder under a name of its own (no replacing). */
  store(name: string, data: Buffer): Promise<void>;
  /** Records the message as received (idempotent per partner and Message-ID), with its MDN and async delivery. */
  record(r: {
    partner: string;
    messageId: string;
    storedName: string;
    sha256: string;
    mdn: { contentType: string; body: string } | null;
    asyncMdn: AsyncMdn | null;
  }): Promise<void>;
  /** Queues an asynchronous MDN that is not tied to a stored message (a refusal, a repeat). */
  sendAsync(m: AsyncMdn): Promise<void>;
  now(): Date;
}

/** `<id@host>` as a Message-ID value, also when the sender left out the angle brackets. */
export const normaliseMessageId = (v: string) => (v.trim().startsWith('<') ? v.trim() : `<${v.trim()}>`);
export const unquote = (v: string | undefined) => {
  const t = (v ?? '').trim();
  return t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? t.slice(1, -1).replace(/\\(.)/g, '$1') : t;
};
export const quoteAs2Id = (id: string) => (/[\s"\\]/.test(id) ? `"${id.replace(/["\\]/g, '\\$&')}"` : id);

/** A file name safe in the inbound folder, unique per partner and Message-ID (a repeat lands on the same name). */
export function storedFileName(partner: string, messageId: string, fileName: string | null): string {
  const tag = createHash('sha256').update(`${partner}\0${messageId}`).digest('hex').slice(0, 16);
  const base =
    (fileName ?? 'message.edi')
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^\.+/, '')
      .slice(-120) || 'message.edi';
  return `as2_${tag}_${base}`;
}

const text = (status: number, msg: string): As2Response => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: Buffer.from(`${msg}\n`),
});

/**
 * One AS2 POST (RFC 4130): checks who it is from and for, unwraps it, stores the file once per Message-ID and
 * answers with the MDN asked for: in the HTTP answer, or queued for the partner's Receipt-Delivery-Option URL.
 */
export async function receiveAs2(req: As2Request, setup: As2Setup, deps: ReceiveDeps): Promise<As2Response> {
  const h = req.headers;
  const from = unquote(h['as2-from']);
  const to = unquote(h['as2-to']);
  const rawId = h['message-id'];
  if (!from || !to || !rawId) return text(400, 'AS2-From, AS2-To and Message-ID are required');
  if (to !== setup.ourId) return text(404, `AS2-To ${JSON.stringify(to)} is not this endpoint's AS2 id`);
  const partner = setup.partners.get(from);
  if (!partner) return text(403, `AS2-From ${JSON.stringify(from)} is not a configured partner`);
  const messageId = normaliseMessageId(rawId);
  if (!h['content-type']) return text(400, 'Content-Type is required');

  const wantsMdn = h['disposition-notification-to'] !== undefined;
  const options = parseMdnOptions(h['disposition-notification-options']);
  const asyncUrl = h['receipt-delivery-option']?.trim() || null;
  const mdnHeaders = (mdnMessageId: string, contentType: string): Record<string, string> => ({
    'content-type': contentType,
    'as2-version': '1.2',
    'as2-from': quoteAs2Id(setup.ourId),
    'as2-to': quoteAs2Id(from),
    'message-id': mdnMessageId,
    'mime-version': '1.0',
  });
  const answer = async (mdn: { contentType: string; body: string } | null, fresh: boolean): Promise<As2Response> => {
    if (!mdn || !wantsMdn) return { status: 200, headers: {}, body: Buffer.alloc(0) };
    const mdnMessageId = newMessageId(setup.ourId);
    if (asyncUrl) {
      if (!fresh)
        await deps.sendAsync({ url: asyncUrl, partner: from, messageId, mdn: { ...mdn, messageId: mdnMessageId } });
      return { status: 200, headers: {}, body: Buffer.alloc(0) };
    }
    return { status: 200, headers: mdnHeaders(mdnMessageId, mdn.contentType), body: Buffer.from(mdn.body, 'base64') };
  };
  const makeMdn = (fields: Omit<Mdn, 'reportingUa' | 'finalRecipient' | 'originalMessageId'>) => {
    const w: WireEntity = buildMdn(
      { reportingUa: 'gridbridge AS2', finalRecipient: setup.ourId, originalMessageId: messageId, ...fields },
      options.signed ? { us: setup.us, digest: options.digest } : undefined,
    );
    return { contentType: w.contentType, body: w.body.toString('base64') };
  };

  // A repeat (the partner did not get our MDN): the file is not taken again; the same MDN goes back.
  const previous = await deps.previous(from, messageId);
  if (previous) return answer(previous, false);

  const r = unwrap(
    {
      contentType: h['content-type'],
      ...(h['content-transfer-encoding'] ? { contentTransferEncoding: h['content-transfer-encoding'] } : {}),
      body: req.body,
    },
    {
      us: setup.us,
      partnerCerts: partner.certs,
      requireSigned: partner.requireSigned,
      requireEncrypted: partner.requireEncrypted,
      maxBytes: setup.maxBytes,
    },
  );
  if (!r.ok) {
    const f: UnwrapFailure = r.error;
    const mdn = makeMdn({
      modifier: { kind: 'error', description: f.disposition },
      text: `The message ${messageId} was not processed: ${f.detail}.`,
    });
    if (wantsMdn && asyncUrl)
      await deps.sendAsync({
        url: asyncUrl,
        partner: from,
        messageId,
        mdn: { ...mdn, messageId: newMessageId(setup.ourId) },
      });
    return answer(mdn, true);
  }
  const m = r.value;
  const storedName = storedFileName(from, messageId, m.fileName);
  await deps.store(storedName, m.payload);
  const mdn = makeMdn({
    mic: formatMic(options.digest, m.micContent),
    text: `The message ${messageId} (${m.payload.length} bytes${m.fileName ? `, ${m.fileName}` : ''}) was received.`,
  });
  await deps.record({
    partner: from,
    messageId,
    storedName,
    sha256: createHash('sha256').update(m.payload).digest('hex'),
    mdn,
    asyncMdn:
      wantsMdn && asyncUrl
        ? { url: asyncUrl, partner: from, messageId, mdn: { ...mdn, messageId: newMessageId(setup.ourId) } }
        : null,
  });
  return answer(mdn, true);
}

export function newMessageId(ourId: string): string {
  const host = ourId.replace(/[^A-Za-z0-9.-]/g, '') || 'gridbridge';
  return `<${Date.now().toString(36)}.${randomBytes(8).toString('hex')}@${host}>`;
}
