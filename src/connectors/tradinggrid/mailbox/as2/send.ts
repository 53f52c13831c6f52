import { text } from 'node:stream/consumers';
import { err, ok, type Result } from '../../../../core/result.ts';
import { safeFetch, type SafeFetchOptions } from '../../../http/safeFetch.ts';
import { formatMdnOptions, micMatches, readMdn, type ReadMdn } from './mdn.ts';
import { wrap } from './message.ts';
import { newMessageId, quoteAs2Id, type As2Partner, type As2Setup } from './receive.ts';

export interface SendOptions {
  fileName: string;
  payloadType: string;
  /** The Message-ID to use: the same on every attempt for one file, so a partner can recognise a resend. */
  messageId?: string;
  fetch?: Partial<SafeFetchOptions>;
}

export interface Sent {
  messageId: string;
  mic: string;
  mdn: ReadMdn;
}

/**
 * Sends one file to a partner over AS2 as its config says (signed, encrypted, compressed) asking for a
 * synchronous MDN, and checks the MDN: signed by the partner when we asked for a signature, processed, for our
 * Message-ID, with the MIC we computed. Every failure says which of these it was; a negative MDN is not
 * retryable (the partner refused the content), a transport failure is.
 */
export async function sendAs2(
  payload: Buffer,
  partner: As2Partner,
  setup: As2Setup,
  o: SendOptions,
): Promise<Result<Sent>> {
  if (!partner.url)
    return err({ code: 'as2:no_url', retryable: false, detail: `AS2 partner ${partner.id} has no url to send to` });
  const messageId = o.messageId ?? newMessageId(setup.ourId);
  const w = wrap(payload, {
    fileName: o.fileName,
    payloadType: o.payloadType,
    compress: partner.compress,
    ...(partner.sign ? { sign: { us: setup.us, digest: partner.digest } } : {}),
    ...(partner.encrypt
      ? { encrypt: { partner: partner.certs[0]!, cipher: partner.cipher, transport: partner.keyTransport } }
      : {}),
    micDigest: partner.digest,
  });
  const host = new URL(partner.url).hostname.replace(/^\[|\]$/g, '');
  const r = await safeFetch(partner.url, {
    post: w.body,
    allowedHosts: [host],
    allowPrivateAddresses: partner.allowPrivateAddresses,
    allowHttp: partner.allowHttp,
    maxBytes: 1024 * 1024,
    timeoutMs: 60_000,
    totalTimeoutMs: 300_000,
    headers: {
      'content-type': w.contentType,
      ...(w.contentTransferEncoding ? { 'content-transfer-encoding': w.contentTransferEncoding } : {}),
      'mime-version': '1.0',
      'as2-version': '1.2',
      'as2-from': quoteAs2Id(setup.ourId),
      'as2-to': quoteAs2Id(partner.id),
      'message-id': messageId,
      subject: o.fileName,
      'disposition-notification-to': setup.ourId,
      'disposition-notification-options': formatMdnOptions(partner.digest),
    },
    ...o.fetch,
  });
  if (!r.ok) return err({ ...r.error, detail: `sending ${o.fileName} to ${partner.id}: ${r.error.detail}` });
  const body = Buffer.from(await text(r.value.body), 'latin1');
  const fail = (detail: string, retryable: boolean): Result<never> =>
    err({ code: 'as2:mdn', retryable, detail: `${o.fileName} to ${partner.id} (${messageId}): ${detail}` });
  if (body.length === 0) return fail('the partner answered without an MDN', true);
  // The whole Content-Type header: the MDN's boundary is one of its parameters.
  const ct = r.value.headers['content-type'];
  const mdn = readMdn({ contentType: (Array.isArray(ct) ? ct[0] : ct) ?? '', body }, partner.certs);
  if (!mdn.ok) return fail(mdn.error, true);
  if (!mdn.value.signed) return fail('the MDN is not signed (we asked for a signed MDN)', true);
  if (mdn.value.originalMessageId !== messageId)
    return fail(`the MDN is for ${mdn.value.originalMessageId ?? 'no message id'}, not ours`, true);
  if (!mdn.value.processed) return fail(`the partner refused it: ${mdn.value.problem ?? 'no disposition'}`, false);
  if (!micMatches(w.mic, mdn.value.mic))
    return fail(`the MDN's MIC ${mdn.value.mic ?? '(none)'} is not the one we computed (${w.mic})`, false);
  return ok({ messageId, mic: w.mic, mdn: mdn.value });
}
