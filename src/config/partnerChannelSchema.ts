import { z } from 'zod';

/**
 * The partner channel: which way partner-facing messages travel, per partner and per flow,
 * the partners' e-mail contacts, the SMTP server, and the signed partner pages the e-mails link to.
 * Without this section everything goes to the community API as before.
 */

const SecretRefInline = z.union(
  [z.strictObject({ env: z.string().min(1) }), z.strictObject({ file: z.string().min(1) })],
  {
    error:
      'expected a secret reference {env: NAME} or {file: PATH}; secrets are never written in the config file itself',
  },
);

/** Where a partner-facing message can go. */
export const PARTNER_CHANNELS = ['community', 'edi', 'email'] as const;
export type PartnerChannelKind = (typeof PARTNER_CHANNELS)[number];

/** The partner-facing flows a channel can be chosen for. */
export const PARTNER_FLOWS = ['case_status', 'case_documents', 'decisions', 'scorecards', 'notices'] as const;
export type PartnerFlow = (typeof PARTNER_FLOWS)[number];

/** The messages an e-mail contact can receive (a role subscribes to some of them). */
export const MESSAGE_KINDS = [
  'case_status',
  'case_comment',
  'case_document',
  'decision',
  'request_comment',
  'scorecard',
  'notice',
  'notice_reminder',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

const Channels = z
  .array(z.enum(PARTNER_CHANNELS, { error: `a channel is one of: ${PARTNER_CHANNELS.join(', ')}` }))
  .min(1, 'name at least one channel');

const Contact = z.strictObject({
  name: z.string().min(1),
  email: z.email({ error: 'expected an e-mail address' }),
  role: z.string().min(1).default('default'),
  language: z.string().min(2).max(8).optional().describe('template language (e.g. de); default: the default templates'),
});
export type ContactConfig = z.infer<typeof Contact>;

const PartnerEntry = z.strictObject({
  channels: Channels.optional().describe(
    'channels for every partner-facing flow of this partner (default: partner_channel.default_channels)',
  ),
  /** Per flow, overriding `channels`. */
  flows: z.partialRecord(z.enum(PARTNER_FLOWS), Channels).default({}),
  contacts: z.array(Contact).default([]),
  /** Collect this partner's mails for `digest.window_minutes` and send one (notices are never held back). */
  digest: z.boolean().optional(),
});

const Smtp = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  /** starttls: upgrade a plain connection (refused if the server cannot); tls: TLS from the first byte (465); none: loopback tests only. */
  security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
  user: z.string().min(1).optional(),
  password: SecretRefInline.optional(),
  from: z.string().min(3).describe('From: address, e.g. "Acme Partner Desk <partners@acme.example>"'),
  reply_to: z.string().optional(),
  timeout_ms: z.number().int().min(100).max(300_000).default(30_000),
  /** Accept a self-signed certificate (test servers only). */
  allow_self_signed: z.boolean().default(false),
});

const Pages = z.strictObject({
  /** Public address the links point at (default: server.public_url, else the bridge's own address). */
  base_url: z.url().optional(),
  /** HMAC key for the links; default: a random key generated once and sealed in the store (needs secrets.key). */
  key: SecretRefInline.optional(),
  token_ttl_hours: z
    .number()
    .min(0.01)
    .max(24 * 90)
    .default(24 * 14),
  /** Requests per minute per link and per client address. */
  rate_limit_per_minute: z.number().int().min(1).max(10_000).default(60),
});

/**
 * Delivery status notifications (bounces) that arrive after the SMTP server took a message: every partner
 * e-mail is sent with `return_path` as its envelope sender, and the bridge takes the reports sent there on its
 * own small SMTP listener (route that mailbox to it, e.g. a Postfix transport map entry). It answers no mail.
 */
const Bounces = z.strictObject({
  /** The envelope sender (Return-Path) of partner e-mail: where MTAs send their delivery reports. */
  return_path: z.email(),
  /** Where the bridge listens for them (plain SMTP, no auth: keep it on a private interface). */
  listen_host: z.string().min(1).default('127.0.0.1'),
  /** 0: any free port (tests). */
  listen_port: z.number().int().min(0).max(65535).default(2525),
  /** A report larger than this is refused (552). */
  max_bytes: z
    .number()
    .int()
    .min(1024)
    .default(2 * 1024 * 1024),
});
export type BouncesSection = z.infer<typeof Bounces>;

export const PartnerChannelSection = z
  .strictObject({
    default_channels: Channels.default(['community']),
    partners: z.record(z.string().min(1), PartnerEntry).default({}),
    /** Role → the messages contacts with that role receive. A role not named receives `default`'s. */
    roles: z.record(z.string().min(1), z.array(z.enum(MESSAGE_KINDS))).default({ default: [...MESSAGE_KINDS] }),
    /** Active Community contacts export (Company ID, Name, Email, Role, Language): contacts added to the configured ones. */
    ac_contacts_csv: z.string().min(1).optional(),
    smtp: Smtp.optional(),
    bounces: Bounces.optional(),
    pages: Pages.prefault({}),
    /** Folder with customer templates overriding the built-in ones (same file names). */
    templates_dir: z.string().min(1).optional(),
    digest: z
      .strictObject({
        enabled: z.boolean().default(false),
        window_minutes: z
          .number()
          .int()
          .min(1)
          .max(24 * 60)
          .default(60),
      })
      .prefault({}),
    /** Files up to this size travel as attachments; larger ones as a link to the partner page. */
    attach_max_bytes: z
      .number()
      .int()
      .min(0)
      .default(5 * 1024 * 1024),
  })
  .prefault({})
  .superRefine((s, ctx) => {
    const usesEmail =
      s.default_channels.includes('email') ||
      Object.values(s.partners).some(
        (p) => p.channels?.includes('email') || Object.values(p.flows).some((f) => f?.includes('email')),
      );
    if (usesEmail && !s.smtp)
      ctx.addIssue({
        code: 'custom',
        path: ['smtp'],
        message: 'a partner uses the email channel: partner_channel.smtp (host, from) is required',
      });
    // EDI carries decisions (865 / ORDRSP answering a partner's 860 / ORDCHG) and case statuses (824 / 864 /
    // APERAK for a case that came from the partner's EDI): anywhere else `edi` would be a silent drop, so it is
    // refused there. How the partner is written to is mailbox.partners.<address>.send.
    const EDI_FLOWS = new Set(['decisions', 'case_status']);
    const ediRefused = (where: string) =>
      `the 'edi' partner channel carries decisions (865 / ORDRSP) and case statuses (824 / 864 / APERAK) only, with mailbox.partners.<address>.send: name it under partners.<id>.flows.decisions or flows.case_status, not ${where}`;
    if (s.default_channels.includes('edi'))
      ctx.addIssue({ code: 'custom', path: ['default_channels'], message: ediRefused('default_channels') });
    for (const [id, p] of Object.entries(s.partners)) {
      if (p.channels?.includes('edi'))
        ctx.addIssue({ code: 'custom', path: ['partners', id, 'channels'], message: ediRefused('channels') });
      for (const [flow, list] of Object.entries(p.flows))
        if (list?.includes('edi') && !EDI_FLOWS.has(flow))
          ctx.addIssue({ code: 'custom', path: ['partners', id, 'flows', flow], message: ediRefused(`flows.${flow}`) });
    }
  });
export type PartnerChannelSection = z.infer<typeof PartnerChannelSection>;
