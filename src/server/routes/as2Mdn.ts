import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { findEdiOutboundByAs2MessageId } from '../../store/ops/ediOutbound.ts';
import { newJob } from '../../flows/catalogue.ts';
import { normaliseMessageId, unquote, type As2Setup } from '../../connectors/tradinggrid/mailbox/as2/receive.ts';
import { readMdn } from '../../connectors/tradinggrid/mailbox/as2/mdn.ts';
import { readRawBody } from '../rawBody.ts';

export interface As2MdnRouteDeps {
  db: Kysely<Database>;
  setup: As2Setup;
  path: string;
  now: () => number;
  onAccepted?: () => void;
}

/** An MDN is a few kilobytes (a returned message is not asked for). */
const MDN_MAX_BYTES = 256 * 1024;

/**
 * POST {path}: asynchronous MDNs partners send back for files we sent over AS2 (our Receipt-Delivery-Option).
 * The body is read raw and its signature checked against the partner's pinned certificate before anything is
 * recorded; an MDN for a Message-ID we did not send to that partner is refused (404). An accepted MDN becomes an
 * `edi.as2_mdn` job (one per partner and Message-ID), which settles the file: sent, or failed with the reason.
 */
export function mountAs2MdnRoute(app: Hono, deps: As2MdnRouteDeps): void {
  app.post(deps.path, async (c) => {
    const raw = await readRawBody(c, MDN_MAX_BYTES, { requireJson: false });
    if (!raw.ok) return c.text(raw.error, raw.status);
    const from = unquote(c.req.header('as2-from'));
    const to = unquote(c.req.header('as2-to'));
    if (!from) return c.text('AS2-From is required', 400);
    if (to && to !== deps.setup.ourId) return c.text(`AS2-To ${JSON.stringify(to)} is not this endpoint's AS2 id`, 404);
    const partner = deps.setup.partners.get(from);
    if (!partner) return c.text(`AS2-From ${JSON.stringify(from)} is not a configured partner`, 403);
    const mdn = readMdn({ contentType: c.req.header('content-type') ?? '', body: raw.body }, partner.certs);
    if (!mdn.ok) return c.text(`not a valid MDN: ${mdn.error}`, 400);
    if (!mdn.value.signed) return c.text('the MDN is not signed (we ask for signed MDNs)', 400);
    if (!mdn.value.originalMessageId) return c.text('the MDN names no Original-Message-ID', 400);
    const messageId = normaliseMessageId(mdn.value.originalMessageId);
    const row = await findEdiOutboundByAs2MessageId(deps.db, from, messageId);
    if (!row) return c.text(`no message ${messageId} was sent to ${JSON.stringify(from)}`, 404);
    await enqueueJobs(
      deps.db,
      [
        newJob(
          'edi.as2_mdn',
          {
            partner: from,
            messageId,
            signed: mdn.value.signed,
            processed: mdn.value.processed,
            problem: mdn.value.problem,
            mic: mdn.value.mic,
            disposition: mdn.value.disposition,
          },
          // Serialised with the sends to that partner address; a second MDN for the same message is ignored.
          { key: `edi.as2_mdn:${from}|${messageId}`, queueKey: `edi-out:${row.partner_address}` },
        ),
      ],
      deps.now(),
    );
    deps.onAccepted?.();
    return c.text('MDN received\n', 200);
  });
}
