import type { SyncContext } from '../../sync/context.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { safeFetch } from '../../connectors/http/safeFetch.ts';
import { quoteAs2Id } from '../../connectors/tradinggrid/mailbox/as2/receive.ts';
import type { MailboxPayload } from './jobs.ts';

/**
 * `as2.mdn`: an asynchronous MDN POSTed to the URL the partner gave in Receipt-Delivery-Option. The URL comes from
 * the message, so it goes through the SSRF guard (public addresses and https only, unless the partner's config
 * allows otherwise); failures are retried by the queue, then dead-lettered with the reason.
 */
export function as2MdnHandler(ctx: SyncContext): TypedJobHandler<MailboxPayload<'as2.mdn'>> {
  return async ({ payload }) => {
    const t = ctx.config.mailbox?.transport;
    if (t?.type !== 'as2') return { status: 'fail', error: 'as2.mdn: the mailbox transport is no longer AS2' };
    const partner = t.partners[payload.partner];
    if (!partner) return { status: 'fail', error: `as2.mdn: ${payload.partner} is no longer a configured AS2 partner` };
    let host: string;
    try {
      const u = new URL(payload.url);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('not http(s)');
      host = u.hostname.replace(/^\[|\]$/g, '');
    } catch {
      return {
        status: 'fail',
        error: `as2.mdn: Receipt-Delivery-Option ${JSON.stringify(payload.url)} is not an http(s) URL (MDN over e-mail is not supported)`,
      };
    }
    const r = await safeFetch(payload.url, {
      post: Buffer.from(payload.mdn.body, 'base64'),
      allowedHosts: [host],
      allowPrivateAddresses: partner.allow_private_addresses,
      allowHttp: partner.allow_http,
      maxBytes: 64 * 1024,
      timeoutMs: 30_000,
      totalTimeoutMs: 60_000,
      headers: {
        'content-type': payload.mdn.contentType,
        'as2-version': '1.2',
        'as2-from': quoteAs2Id(t.as2_id),
        'as2-to': quoteAs2Id(payload.partner),
        'message-id': payload.mdn.messageId,
        'mime-version': '1.0',
      },
    });
    if (!r.ok) return outcomeFromRemote(r.error, `as2.mdn for ${payload.messageId} to ${payload.partner}`);
    r.value.body.resume();
    ctx.logger?.info({ partner: payload.partner, messageId: payload.messageId }, 'AS2 asynchronous MDN delivered');
    return { status: 'done' };
  };
}
