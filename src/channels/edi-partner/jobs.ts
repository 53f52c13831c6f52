import { z } from 'zod';

const party = z.object({ qualifier: z.string(), id: z.string() });

/** An interchange received, as its acknowledgement needs it (connectors/tradinggrid/edi/functionalAcks.ts ReceivedInterchange). */
const receivedInterchange = z.object({
  standard: z.enum(['x12', 'edifact']),
  control: z.string(),
  sender: party,
  receiver: party,
  date: z.string(),
  time: z.string(),
  version: z.string(),
  ackRequested: z.boolean(),
  usage: z.enum(['production', 'test', 'information']),
  groups: z.array(
    z.object({
      functionalId: z.string().nullable(),
      control: z.string().nullable(),
      version: z.string().nullable(),
      applicationSender: z.string().optional(),
      applicationReceiver: z.string().optional(),
      count: z.number().int().optional(),
      unlisted: z.number().int().optional(),
      codes: z.array(z.string()).optional(),
      transactions: z.array(
        z.object({
          setId: z.string(),
          control: z.string(),
          convention: z.string().optional(),
          codes: z.array(z.string()).optional(),
          rejected: z.boolean().optional(),
        }),
      ),
    }),
  ),
  errors: z.array(z.object({ code: z.string(), tag: z.string().optional(), rejected: z.boolean().optional() })),
});

/** Job kinds of the EDI partner channel (stored kind strings) and their payloads. */
export const ediPartnerJobs = {
  /** One outbound EDI file (written and numbered when queued) delivered to the partner. */
  'edi.send_file': z.object({ key: z.string() }),
  /** The functional acknowledgement of one interchange a partner sent us (997 / 999 / TA1, CONTRL), queued as a file. */
  'edi.functional_ack': z.object({ address: z.string(), received: receivedInterchange }),
  /** Due when an asynchronous MDN for a file we sent should have come: still none, a dead letter (replay resends). */
  'edi.as2_mdn_overdue': z.object({ key: z.string(), messageId: z.string(), minutes: z.number() }),
  /** An asynchronous AS2 MDN for a file we sent, as our MDN route read it (signature checked there). */
  'edi.as2_mdn': z.object({
    partner: z.string(),
    messageId: z.string(),
    signed: z.boolean(),
    processed: z.boolean(),
    problem: z.string().nullable(),
    mic: z.string().nullable(),
    disposition: z.string(),
  }),
} as const;

/** The payload of one of these kinds, as its handler receives it. */
export type EdiPartnerPayload<K extends keyof typeof ediPartnerJobs> = z.infer<(typeof ediPartnerJobs)[K]>;
