import { z } from 'zod';
import { businessCalendarConfigSchema } from '../core/calendar/index.ts';
import { As2TransportConfig } from './as2Schema.ts';

/** Same shape as schema.ts's SecretRef (kept here so this file does not import schema.ts, which imports it). */
const MailboxSecretRef = z
  .union([z.strictObject({ env: z.string().min(1) }), z.strictObject({ file: z.string().min(1) })], {
    error:
      'expected a secret reference {env: NAME} or {file: PATH}; secrets are never written in the config file itself',
  })
  .describe('secret reference: {env: NAME} or {file: PATH}');

/** An EDI address as `qualifier:id` (X12 ISA05:ISA06, EDIFACT UNB partner qualifier:id), e.g. `ZZ:ACMESUPPLY`. */
const EDI_ADDRESS = /^[^:\s]{1,16}:\S+$/;
const EDI_ADDRESS_HINT = "expected an EDI address 'qualifier:id' such as 'ZZ:ACMESUPPLY' or '14:5790000000001'";
const EdiAddress = z.string().regex(EDI_ADDRESS, EDI_ADDRESS_HINT);

const Folders = z.strictObject({
  inbound: z.string().min(1),
  outbound: z.string().min(1),
  archive: z.string().min(1),
  quarantine: z.string().min(1),
});

const FolderTransport = z.strictObject({
  type: z.literal('folder'),
  ...Folders.shape,
});

const SftpTransport = z
  .strictObject({
    type: z.literal('sftp'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(22),
    username: z.string().min(1),
    password: MailboxSecretRef.optional(),
    private_key: MailboxSecretRef.optional().describe('PEM or OpenSSH private key'),
    passphrase: MailboxSecretRef.optional(),
    /** Pinned host key as OpenSSH prints it (`ssh-keygen -lf`): no trust on first use. */
    host_key_sha256: z
      .string()
      .regex(
        /^SHA256:[A-Za-z0-9+/]{43}$/,
        "expected the server's host key fingerprint 'SHA256:<43 base64 characters>' (ssh-keygen -lf)",
      ),
    /** Remote folders (absolute paths on the server). */
    folders: Folders,
    ready_timeout_ms: z.number().int().positive().default(10_000),
    /** Longest one SFTP operation (list, rename, write, remove) may take before the connection is dropped and the call fails (retryable). */
    operation_timeout_ms: z.number().int().positive().default(60_000),
    /** SSH keepalive interval; three unanswered keepalives end the connection. */
    keepalive_ms: z.number().int().positive().default(10_000),
  })
  .refine((s) => s.password !== undefined || s.private_key !== undefined, {
    message: 'give password or private_key (a secret reference)',
    path: ['password'],
  });

const Transport = z.discriminatedUnion('type', [FolderTransport, SftpTransport], {
  error: "transport.type must be 'folder' or 'sftp'",
});

const FaHoursBySet = z
  .record(
    z.string().regex(/^[A-Z0-9]{3,6}$/, 'a transaction set or message type such as 810 or INVOIC'),
    z.number().positive(),
  )
  .describe('hours to FA delinquency per document type (Trading Grid FA Delinquency rule)');

const Windows = z.strictObject({
  fa_hours: z.number().positive().optional().describe('hours a partner has to send its 997/999/CONTRL'),
  fa_hours_by_set: FaHoursBySet.optional(),
  asn_hours: z.number().positive().optional().describe('hours between an 850 and its 856'),
});

const Separator = z.string().length(1, 'one character');

/** How we write EDI to this partner (the `edi` partner channel): standard, our address, separators, versions. */
const PartnerSend = z
  .strictObject({
    standard: z.enum(['x12', 'edifact']),
    /**
     * How the files travel: `mailbox` writes them into mailbox.transport's outbound folder; `as2` POSTs each to
     * the AS2 partner `as2_partner` of mailbox.transport (type as2), with its URL, certificates and choices.
     */
    via: z.enum(['mailbox', 'as2']).default('mailbox'),
    /** With `via: as2`: the partner's AS2 id, a key of mailbox.transport.partners. */
    as2_partner: z.string().min(1).optional(),
    /** Our sending address `qualifier:id` (default: the first of mailbox.our_ids). */
    our_id: EdiAddress.optional(),
    /** Interchanges marked test (ISA15 T, UNB 0035 = 1) while the partner is onboarding. */
    test: z.boolean().default(false),
    x12: z
      .strictObject({
        element: Separator.default('*'),
        component: Separator.default(':'),
        segment: Separator.default('~'),
        /** ISA11 from 00402 on; unset writes `U` (00401). */
        repetition: Separator.optional(),
        interchange_version: z
          .string()
          .regex(/^\d{5}$/, 'ISA12, e.g. 00401')
          .default('00401'),
        group_version: z
          .string()
          .regex(/^\d{6}[A-Z0-9]*$/, 'GS08, e.g. 004010')
          .default('004010'),
        /** Line break after each segment terminator. */
        newline: z.boolean().default(false),
      })
      .prefault({}),
    edifact: z
      .strictObject({
        syntax_id: z.enum(['UNOA', 'UNOB', 'UNOC', 'UNOW', 'UNOY']).default('UNOC'),
        syntax_version: z.enum(['1', '2', '3', '4']).default('3'),
        element: Separator.default('+'),
        component: Separator.default(':'),
        release: Separator.default('?'),
        segment: Separator.default("'"),
        decimal: z.enum(['.', ',']).default('.'),
        una: z.boolean().default(true),
        /** UNH S009 of the messages we write: version, release, agency, association (e.g. D, 96A, UN, EAN008). */
        message_version: z.string().min(1).default('D'),
        message_release: z.string().min(1).default('96A'),
        agency: z.string().min(1).default('UN'),
        association: z.string().min(1).optional(),
        newline: z.boolean().default(false),
      })
      .prefault({}),
    /** Flow 6: a decision on the partner's 860 / ORDCHG goes back as 865 / ORDRSP. */
    decisions: z.boolean().default(true),
    /**
     * Flow 2: a case status (of a case that came from this partner's EDI) goes as this document: X12 824 or 864,
     * EDIFACT APERAK; none sends no status. Which codes: flows/02-status-sync/decisions/ediStatus.ts, docs/edi.md.
     */
    status: z.enum(['824', '864', 'APERAK', 'none']).default('none'),
    /**
     * Functional acknowledgements for the interchanges this partner sends us, when the bridge is the receiving
     * endpoint: 997 or 999 (x12), CONTRL (edifact). none (the default) leaves acknowledging to the customer's translator.
     */
    ack: z.enum(['997', '999', 'CONTRL', 'none']).default('none'),
    /** X12, with ack set: a TA1 when the interchange asks for one (ISA14 = 1) or its envelope has errors (`requested`), with every interchange (`always`), or never. */
    ta1: z.enum(['requested', 'always', 'never']).default('requested'),
    /** EDIFACT, with ack CONTRL: a CONTRL when UNB 0031 = 1 asks for one or the interchange is rejected (`requested`), or for every interchange (`always`). */
    contrl: z.enum(['requested', 'always']).default('requested'),
  })
  .superRefine((s, ctx) => {
    if ((s.ack === '997' || s.ack === '999') && s.standard !== 'x12')
      ctx.addIssue({ code: 'custom', path: ['ack'], message: `${s.ack} is X12: an edifact partner takes CONTRL` });
    if (s.ack === 'CONTRL' && s.standard !== 'edifact')
      ctx.addIssue({ code: 'custom', path: ['ack'], message: 'CONTRL is EDIFACT: an x12 partner takes 997 or 999' });
    if (s.via === 'as2' && !s.as2_partner)
      ctx.addIssue({
        code: 'custom',
        path: ['as2_partner'],
        message: 'via: as2 needs as2_partner: the partner’s AS2 id (a key of mailbox.transport.partners)',
      });
    if (s.via !== 'as2' && s.as2_partner)
      ctx.addIssue({ code: 'custom', path: ['as2_partner'], message: 'as2_partner is only read with via: as2' });
    if (s.status === 'APERAK' && s.standard !== 'edifact')
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'APERAK is EDIFACT: an x12 partner takes 824 or 864' });
    if ((s.status === '824' || s.status === '864') && s.standard !== 'x12')
      ctx.addIssue({
        code: 'custom',
        path: ['status'],
        message: `${s.status} is X12: an edifact partner takes APERAK`,
      });
  });
export type PartnerSendConfig = z.infer<typeof PartnerSend>;

const MailboxPartner = z.strictObject({
  /** Trading Grid partner id the EDI address belongs to (must also be in partners.map when require_mapping). */
  partner_id: z.string().min(1),
  ...Windows.shape,
  /** Write EDI back to this partner (decisions, statuses) into the mailbox's outbound folder. */
  send: PartnerSend.optional(),
});

/** EDI over SFTP or a watched folder (the `mailbox` Trading Grid driver): exceptions become flow-1 cases. */
export const MailboxConfig = z
  .strictObject({
    /** Name of this mailbox; exceptions about the mailbox itself (content_error, mailbox_inactive) come from address `mailbox:<name>`. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only')
      .default('mailbox'),
    transport: z.discriminatedUnion('type', [FolderTransport, SftpTransport, As2TransportConfig], {
      error: "transport.type must be 'folder', 'sftp' or 'as2'",
    }),
    /** When to scan the inbound folder (croner syntax, seconds optional). */
    scan_cron: z.string().min(1).default('*/2 * * * *'),
    timezone: z.string().optional().describe('time zone of scan_cron (default: the host)'),
    /** Our own interchange ids (`qualifier:id`): a transaction sent from one of these counts as ours. */
    our_ids: z.array(EdiAddress).min(1, 'name at least one of our own EDI addresses'),
    defaults: z
      .strictObject({
        fa_hours: z.number().positive().default(24),
        fa_hours_by_set: FaHoursBySet.optional(),
        asn_hours: z.number().positive().default(48),
      })
      .prefault({}),
    /**
     * What the customer's own translator sends, seen read-only: the folder (on the same transport) where its
     * outbound files or its sent archive are. Each new file is recorded once as sent (FA waits, ack matching,
     * the three-way match both ways); nothing there is moved or deleted unless `consume: true`.
     */
    sent: z.strictObject({ folder: z.string().min(1), consume: z.boolean().default(false) }).optional(),
    /** EDI address → Trading Grid partner (and its windows). `mailbox:<name>` files the mailbox's own exceptions. */
    partners: z
      .record(z.string(), MailboxPartner)
      .superRefine((rec, ctx) => {
        // Checked here rather than by the record's key schema, whose issue would not say what was expected.
        for (const key of Object.keys(rec))
          if (!EDI_ADDRESS.test(key))
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: `${EDI_ADDRESS_HINT} (or 'mailbox:<name>' for the mailbox's own exceptions)`,
            });
      })
      .default({}),
    /** Leave files younger than this alone (they may still be uploading). */
    settle_seconds: z.number().int().min(0).default(0),
    /** Raise mailbox_inactive when no inbound file arrived for this many hours (off when unset). */
    inactive_after_hours: z.number().positive().optional(),
    /** Character set of X12 text, which no X12 header names: utf8 (bytes that are not UTF-8 read as latin1) or latin1. EDIFACT follows each UNB's syntax identifier. */
    x12_encoding: z.enum(['utf8', 'latin1']).default('utf8'),
    /** A file whose last IEA/UNZ is complete and matches but lacks only its final segment terminator: accepted with a warning when true, quarantined (naming exactly that) when false. */
    accept_missing_final_terminator: z.boolean().default(false),
    /**
     * Test interchanges (X12 ISA15 T or I, EDIFACT UNB 0035 = 1): `ignore` reads nothing from them (logged); `{list_id}`
     * files their rejections, 214 and 180 exceptions as [TEST] tasks in that ClickUp list, with no SLA and outside
     * scorecards. Never mixed with production cases either way.
     */
    test_interchanges: z
      .union(
        [
          z.literal('ignore'),
          z.strictObject({
            list_id: z.string().min(1).describe('ClickUp list for test-interchange cases (not the production list)'),
          }),
        ],
        {
          error: "test_interchanges must be 'ignore' or {list_id: <ClickUp list for test traffic>}",
        },
      )
      .default('ignore'),
    /** Files larger than this are quarantined unread with a content_error case (default 512 MiB). */
    max_bytes: z
      .number()
      .int()
      .positive()
      .default(512 * 1024 * 1024),
    /** 810 unit price difference tolerated against the 850. */
    price_tolerance: z.number().min(0).default(0.005),
    /** Business calendar the FA/ASN/inactive windows are measured in (plain hours when absent). */
    calendar: businessCalendarConfigSchema.optional(),
  })
  .superRefine((m, ctx) => {
    // A partner sent to over AS2 is one of the AS2 transport's partners, with a URL; an asynchronous MDN needs
    // our receipt URL. Checked here so a wrong name fails at load, not at the first file.
    for (const [address, p] of Object.entries(m.partners)) {
      // An AS2 transport has no outbound folder that anything reads: a file "sent" via mailbox would sit there.
      if (p.send && p.send.via === 'mailbox' && m.transport.type === 'as2')
        ctx.addIssue({
          code: 'custom',
          path: ['partners', address, 'send', 'via'],
          message:
            'mailbox.transport.type is as2, so nothing reads an outbound folder: set via: as2 and as2_partner (the partner’s AS2 id), or remove send',
        });
      if (p.send?.via !== 'as2' || !p.send.as2_partner) continue;
      const path = ['partners', address, 'send', 'as2_partner'];
      const t = m.transport;
      if (t.type !== 'as2') {
        ctx.addIssue({
          code: 'custom',
          path,
          message: 'via: as2 needs mailbox.transport.type: as2 (its partners and our certificate)',
        });
        continue;
      }
      const a = t.partners[p.send.as2_partner];
      if (!a)
        ctx.addIssue({
          code: 'custom',
          path,
          message: `${JSON.stringify(p.send.as2_partner)} is not a partner of mailbox.transport.partners (${Object.keys(t.partners).join(', ')})`,
        });
      else if (!a.url)
        ctx.addIssue({
          code: 'custom',
          path,
          message: `mailbox.transport.partners.${p.send.as2_partner} has no url to send to`,
        });
      else if (a.mdn === 'async' && !t.receipt_url)
        ctx.addIssue({
          code: 'custom',
          path,
          message: `mailbox.transport.partners.${p.send.as2_partner}.mdn is async: set mailbox.transport.receipt_url (our URL for ${t.mdn_path})`,
        });
    }
  });
export type MailboxConfig = z.infer<typeof MailboxConfig>;

/** Active Community CSV exports (companies, contacts) dropped in a folder or an SFTP mailbox: partners become trading_partner events. */
export const AcCsvConfig = z.strictObject({
  transport: Transport,
  scan_cron: z.string().min(1).default('*/15 * * * *'),
  timezone: z.string().optional(),
});
export type AcCsvConfig = z.infer<typeof AcCsvConfig>;
export type MailboxTransportConfig = z.infer<typeof Transport>;
export type MailboxAnyTransportConfig = MailboxConfig['transport'];
