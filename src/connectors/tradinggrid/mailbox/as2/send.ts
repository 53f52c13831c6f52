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
  /**
   * Ask for an asynchronous MDN POSTed to this URL (Receipt-Delivery-Option; our MDN route). The answer to the
   * POST then carries no MDN: a 2xx only says the partner has the message.
   */
  receiptUrl?: string;
  /** Called with the Message-ID and MIC once the message is wrapped, before it is POSTed (to record them first). */
  beforePost?: (m: { messageId: string; mic: string }) => Promise<void>;
  fetch?: Partial<SafeFetchOptions>;
}

export interface Sent {
  messageId: string;
  mic: string;
  /** The synchronous MDN, checked; null when an asynchronous one was asked for (it comes later, to our route). */
  mdn: ReadMdn | null;
}

/**
 * Sends one file to a partner over AS2 as its config says (signed, encrypted, compressed) asking for a
 * synchronous MDN (or, with `receiptUrl`, an asynchronous one), and checks the MDN: signed by the partner when we asked for a signature, processed, for our
 * Message-ID, with the MIC we computed. Every failure says which of these it was; a negative MDN is not
 * retryable (the partner refused the content: code `as2:refused`; a MIC other than ours: `as2:mic_mismatch`), a
 * transport failure is. The Message-ID is the idempotency key: a caller that did not get an answer sends again
 * with the same one (RFC 4130 §9.3: resends of not-yet-acknowledged messages are discarded by duplicate detection on Message-ID),
 * never under a new one.
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
  await o.beforePost?.({ messageId, mic: w.mic });
  const host = new URL(partner.url).hostname.replace(/^\[|\]$/g, '');
  const r = await safeFetch(partner.url, {
    post: w.body,
    allowedHosts: [host],
    allowPrivateAddresses: partner.allowPrivateAddresses,
    allowHttp: partner.allowHttp,
    maxBytes: 1024 * 1024,
    // The partner's URL is configured, not taken from a message: it alone is allowed, private addresses and
    // plain http only when the partner's config says so.
    timeoutMs: partner.timeoutMs,
    totalTimeoutMs: partner.totalTimeoutMs,
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
      ...(o.receiptUrl ? { 'receipt-delivery-option': o.receiptUrl } : {}),
    },
    ...o.fetch,
  });
  if (!r.ok) return err({ ...r.error, detail: `sending ${o.fileName} to ${partner.id}: ${r.error.detail}` });
  if (o.receiptUrl) {
    r.value.body.resume();
    return ok({ messageId, mic: w.mic, mdn: null });
  }
  const body = Buffer.from(await text(r.value.body), 'latin1');
  const fail = (detail: string, retryable: boolean, code = 'as2:mdn'): Result<never> =>
    err({ code, retryable, detail: `${o.fileName} to ${partner.id} (${messageId}): ${detail}` });
  if (body.length === 0) return fail('the partner answered without an MDN', true);
  // The whole Content-Type header: the MDN's boundary is one of its parameters.
  const ct = r.value.headers['content-type'];
  const mdn = readMdn({ contentType: (Array.isArray(ct) ? ct[0] : ct) ?? '', body }, partner.certs);
  if (!mdn.ok) return fail(mdn.error, true);
  const judged = judgeMdn(mdn.value, messageId, w.mic);
  if (!judged.ok)
    return fail(
      judged.error.detail,
      judged.error.retryable,
      judged.error.kind === 'not_an_answer' ? 'as2:mdn' : `as2:${judged.error.kind}`,
    );
  return ok({ messageId, mic: w.mic, mdn: mdn.value });
}

/**
 * What an MDN for a message we sent says, synchronous or asynchronous: unsigned (we always ask for a signed one)
 * or for another Message-ID is not an answer (retryable: the same message may be answered properly); a refusal
 * (`processed/error`, `failed`) or a MIC other than the one we computed is final, not retryable.
 */
export function judgeMdn(
  mdn: ReadMdn,
  messageId: string,
  mic: string,
): Result<void, { retryable: boolean; detail: string; kind: 'not_an_answer' | 'refused' | 'mic_mismatch' }> {
  const no = (kind: 'not_an_answer' | 'refused' | 'mic_mismatch', detail: string) =>
    ({ ok: false, error: { retryable: kind === 'not_an_answer', detail, kind } }) as const;
  if (!mdn.signed) return no('not_an_answer', 'the MDN is not signed (we asked for a signed MDN)');
  if (mdn.originalMessageId !== messageId)
    return no('not_an_answer', `the MDN is for ${mdn.originalMessageId ?? 'no message id'}, not ours`);
  if (!mdn.processed) return no('refused', `the partner refused it: ${mdn.problem ?? 'no disposition'}`);
  if (!micMatches(mic, mdn.mic))
    return no('mic_mismatch', `the MDN's MIC ${mdn.mic ?? '(none)'} is not the one we computed (${mic})`);
  return ok(undefined);
}
