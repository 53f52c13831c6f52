import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { recordInboundEvent } from '../../store/ops/recordInboundEvent.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { newJob } from '../../flows/catalogue.ts';
import { inboundEventPayload } from '../../store/ops/inboundEventPayload.ts';
import { receiveAs2, type As2Setup, type AsyncMdn } from '../../connectors/tradinggrid/mailbox/as2/receive.ts';
import { writeInboundOnce } from '../../connectors/tradinggrid/mailbox/as2/spool.ts';
import { readRawBody } from '../rawBody.ts';

export interface As2RouteDeps {
  db: Kysely<Database>;
  setup: As2Setup;
  path: string;
  /** The mailbox's inbound folder. */
  inbound: string;
  now: () => number;
  onAccepted?: () => void;
}

const eventId = (partner: string, messageId: string) => `${partner}|${messageId}`;

/**
 * POST {path}: AS2 messages from partners (RFC 4130). The file goes into the mailbox's inbound folder once per
 * (AS2-From, Message-ID), recorded in the inbox (source `as2`) with a `mailbox.scan` job, so it takes the same
 * path as a file that arrived over SFTP. The MDN is the HTTP answer, or an `as2.mdn` job for asynchronous ones.
 */
export function mountAs2Route(app: Hono, deps: As2RouteDeps): void {
  const queueMdn = (m: AsyncMdn) =>
    enqueueJobs(
      deps.db,
      [newJob('as2.mdn', m, { key: `as2.mdn:${m.mdn.messageId}`, queueKey: `as2:${m.partner}` })],
      deps.now(),
    ).then(() => undefined);
  app.post(deps.path, async (c) => {
    const raw = await readRawBody(c, deps.setup.maxBytes, { requireJson: false });
    if (!raw.ok) return c.text(raw.error, raw.status);
    const res = await receiveAs2(
      { headers: Object.fromEntries(c.req.raw.headers.entries()), body: raw.body },
      deps.setup,
      {
        previous: async (partner, messageId) => {
          const p = (await inboundEventPayload(deps.db, 'as2', eventId(partner, messageId))) as {
            mdn?: { contentType: string; body: string } | null;
          } | null;
          return p ? (p.mdn ?? { contentType: 'text/plain', body: '' }) : null;
        },
        store: (name, data) => writeInboundOnce(deps.inbound, name, data).then(() => undefined),
        record: async (r) => {
          const id = eventId(r.partner, r.messageId);
          const { duplicate } = await recordInboundEvent(
            deps.db,
            {
              source: 'as2',
              eventId: id,
              type: 'as2.message',
              payload: { partner: r.partner, messageId: r.messageId, file: r.storedName, sha256: r.sha256, mdn: r.mdn },
            },
            // The mailbox scan picks the file up now rather than at its next scheduled pass.
            newJob('mailbox.scan', { slot: deps.now() }, { key: `as2.scan:${id}` }),
            deps.now(),
          );
          if (r.asyncMdn) await queueMdn(r.asyncMdn);
          if (!duplicate) deps.onAccepted?.();
        },
        sendAsync: queueMdn,
        now: () => new Date(deps.now()),
      },
    );
    return new Response(new Uint8Array(res.body), { status: res.status, headers: res.headers });
  });
}
