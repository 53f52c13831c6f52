import { z } from 'zod';
import { FlowsConfig } from './flowsSchema.ts';
import { PARTNER_STATUSES, PARTNER_TIERS } from '../core/case.ts';
import { AcCsvConfig, MailboxConfig } from './mailboxSchema.ts';
import {
  CalendarSection,
  CategoriesSection,
  MetricsSection,
  RoutingSection,
  SlaSection,
  SlaSweepCron,
} from './slaSchema.ts';
import { unknownRuleCategories } from '../flows/05-escalation/decisions/routing/caseCategories.ts';
import { MappingSection } from './mappingSchema.ts';
import { GuardsSection, SharingSection } from './sharingSchema.ts';
import { BodyLimitsBySource, SecretsSection } from './secretsSchema.ts';
import { PartnerChannelSection } from './partnerChannelSchema.ts';
import { RetentionSection } from './retentionSchema.ts';

/** A secret is never written in the YAML itself: it names an environment variable or a file. */
export const SecretRef = z
  .union(
    [
      z.strictObject({ env: z.string().min(1).describe('environment variable holding the secret') }),
      z.strictObject({
        file: z.string().min(1).describe('path of a file holding the secret (trailing newline ignored)'),
      }),
    ],
    {
      error:
        'expected a secret reference {env: NAME} or {file: PATH}; secrets are never written in the config file itself',
    },
  )
  .describe('secret reference: {env: NAME} or {file: PATH}');
export type SecretRef = z.infer<typeof SecretRef>;

const Url = z.url({ error: 'expected an absolute URL such as https://api.clickup.com/api' });

const ServerConfig = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8787),
  /** The URL at which ClickUp and Trading Grid reach this bridge (for webhook registration). */
  public_url: Url.optional(),
  body_limit_bytes: z.number().int().positive().default(1_048_576),
  /** Per-source webhook body limits (bytes), overriding body_limit_bytes. */
  body_limits: BodyLimitsBySource,
  /**
   * Answer webhooks on a thread of their own (a worker thread with its own store connection) instead of
   * the event loop the dispatcher runs its jobs on; other requests are forwarded to the main thread.
   */
  intake_thread: z.boolean().default(false),
});

const StoreConfig = z.strictObject({
  url: z
    .string()
    .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'expected sqlite:PATH or postgres://…')
    .default('sqlite:./data/gridbridge.db'),
  /** PostgreSQL: how often a follower tries to become leader and the leader checks it still is (ms). */
  leader_check_ms: z.number().int().min(200).max(60_000).default(2_000),
  /** PostgreSQL: longest one statement may run (ms; 0 = no limit). */
  statement_timeout_ms: z.number().int().min(0).max(3_600_000).default(30_000),
  /** PostgreSQL: longest a session may stay idle inside a transaction before the server ends it (ms). */
  idle_in_transaction_timeout_ms: z.number().int().min(1_000).max(3_600_000).default(60_000),
  /** PostgreSQL: give up opening a connection after this long (ms). */
  connect_timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
});

const ClickUpFields = z.strictObject({
  partner: z.string().default('Partner'),
  issue_type: z.string().default('Issue type'),
  transaction_ref: z.string().default('Transaction reference'),
  tg_case_id: z.string().default('TG case id'),
  value: z.string().optional().describe('currency field for the transaction value'),
});

/**
 * ClickUp status name (as on the list) → partner-visible status. Several ClickUp statuses may share one
 * partner status ("qa" and "in review" → in_review); the way back uses `status_to_clickup`, or else the
 * first ClickUp status listed for that partner status.
 */
const StatusMap = z.record(z.string().min(1), z.enum(PARTNER_STATUSES));
const StatusBackMap = z.partialRecord(z.enum(PARTNER_STATUSES), z.string().min(1));

const FieldPolicy = z.strictObject({
  owner: z.enum(['clickup', 'tradinggrid']),
  direction: z.enum(['to_clickup', 'to_tradinggrid', 'both', 'none']),
});

/** Two-way sync of cases (flows 2 and 3). */
const SyncConfig = z.strictObject({
  status: FieldPolicy.default({ owner: 'clickup', direction: 'both' }),
  /** A ClickUp comment that starts with this goes to the partner (prefix removed). */
  partner_comment_prefix: z.string().min(1).default('@partner'),
  /** Partner status set when the ClickUp task is created (null: leave the partner's status alone). */
  status_on_task_created: z.enum(PARTNER_STATUSES).nullable().default('received'),
  /** A linked case task deleted in ClickUp: leave the case unlinked (marked, nothing syncs to ClickUp) or create a new task. */
  on_task_deleted: z.enum(['leave_unlinked', 'recreate']).default('leave_unlinked'),
  /** Document kind given to files a person attaches in ClickUp when they go to the partner. */
  clickup_upload_kind: z.enum(['corrected', 'other']).default('corrected'),
});

const ClickUpConfig = z.strictObject({
  base_url: Url.default('https://api.clickup.com/api'),
  /** How long one ClickUp call may wait for its answer; a write that times out is looked up before it is sent again. */
  request_timeout_ms: z.number().int().positive().default(30_000),
  token: SecretRef,
  team_id: z.string().min(1),
  list_id: z.string().min(1).describe('the list partner cases are created in'),
  fields: ClickUpFields.prefault({}),
  status_map: StatusMap.default({
    open: 'received',
    received: 'received',
    'in review': 'in_review',
    'awaiting documents': 'awaiting_documents',
    escalated: 'escalated',
    resolved: 'resolved',
  }),
  status_to_clickup: StatusBackMap.default({}),
  webhook: z
    .strictObject({
      register: z.boolean().default(true),
      /** How often the webhook's health is checked (a failing one is re-enabled and missed changes polled). */
      health_cron: z.string().default('* * * * *'),
      secret: SecretRef.optional().describe(
        'known webhook secret; when absent the secret returned at registration is stored encrypted',
      ),
    })
    .prefault({}),
  /**
   * How often the health check reads a list that matched the mapping last time (two ClickUp calls a list);
   * a list with findings is read at every health check, and a refused write reads its list at once. 0: every check.
   */
  mapping_check_minutes: z.number().int().nonnegative().default(10),
  /**
   * Calls per minute assumed while ClickUp's answers carry no X-RateLimit-* headers (they may be missing on
   * success): the lowest plan's 100 unless you know your plan's limit. Headers, when present, always win.
   */
  assumed_rate_limit_per_minute: z.number().int().positive().default(100),
  /**
   * Hosts attachment URLs may be fetched from (flow 3, ClickUp → Trading Grid); `*.example.com` for any
   * subdomain. ClickUp serves uploaded files from t{workspace}.p.clickup-attachments.com (u{user}.… too) and
   * public files from attachments-public.clickup.com. Always https, and the address is still checked.
   */
  attachment_hosts: z
    .array(z.string())
    .default(['*.clickup-attachments.com', 'attachments.clickup.com', 'attachments-public.clickup.com']),
  /** Fetch attachments from loopback/private addresses (sandboxes on 127.0.0.1 only; never in production). */
  allow_private_addresses: z.boolean().default(false),
});

const TradingGridCommunity = z.strictObject({
  driver: z.literal('community'),
  base_url: Url,
  tenant_id: z.string().min(1),
  client_id: z.string().min(1),
  client_secret: SecretRef,
  webhook_secret: SecretRef,
  /** How often changes are polled, to recover webhooks that never arrived (cron); `off` relies on webhooks alone. */
  poll_cron: z.string().min(1).default('*/5 * * * *'),
});

/**
 * EDI only: the Trading Grid mailbox (section `mailbox`) is the whole Trading Grid side. No community
 * endpoint is called; partner names and tiers come from `partners.map` and the Active Community CSV.
 */
const TradingGridMailboxOnly = z.strictObject({
  driver: z.literal('mailbox'),
});

const TradingGridConfig = z.discriminatedUnion('driver', [TradingGridCommunity, TradingGridMailboxOnly], {
  error: 'tradinggrid.driver must be one of: community, mailbox',
});

const PartnerMapping = z.strictObject({
  name: z.string().optional(),
  /** The partner's tier where no community API says it (EDI-only deployments; the Active Community CSV wins when it has the partner). */
  tier: z.enum(PARTNER_TIERS).optional(),
  list_id: z.string().optional().describe('ClickUp list for this partner (default: clickup.list_id)'),
  /**
   * false: the partner is not on the community API (it trades with us over the EDI mailbox only), in a deployment
   * that has one: nothing is asked of or pushed to the community API about it; its name and tier come from here
   * and the Active Community CSV. Default true (an EDI-only deployment has no community API for anyone).
   */
  community: z.boolean().optional(),
});

const PartnersConfig = z.strictObject({
  /** When true, a case for a partner missing from `map` is held as needs_mapping instead of synced. */
  require_mapping: z.boolean().default(true),
  map: z.record(z.string(), PartnerMapping).default({}),
});

const DispatcherConfig = z.strictObject({
  concurrency: z.number().int().min(1).max(1000).default(32),
  max_attempts: z.number().int().min(1).max(100).default(10),
  backoff_base_ms: z.number().int().min(1).default(500),
  backoff_max_ms: z.number().int().min(1).default(300_000),
  /**
   * A remote that is unavailable (5xx, 408, connection refused or reset, timeout) does not use a job's
   * attempts for this long (minutes) from the job's first failure (jobs.failing_since, migration 021; not from
   * its creation): an outage of ClickUp or Trading Grid delays work instead
   * of dead-lettering it. 0: such failures use attempts like any other (the behaviour before this key).
   */
  outage_patience_minutes: z
    .number()
    .int()
    .min(0)
    .max(30 * 1440)
    .default(1440),
  lease_ms: z.number().int().min(1000).default(60_000),
  poll_ms: z.number().int().min(5).default(500),
  /**
   * PostgreSQL: a job whose commit only appends and upserts rows completes in one statement instead of a
   * transaction (src/store/foldedCommit.ts; about 20 → 7 SQL round trips per flow-1 case). Off by default
   * until the PostgreSQL chaos test is shown green with it on a quiet machine.
   */
  fold_completions: z.boolean().default(false),
  /**
   * Start claimed jobs one event-loop turn apart instead of a claimed batch in one turn, so webhook
   * acknowledgements wait behind less work. On by default: on a quiet machine it gave the lowest ack p99 of the
   * options on both stores (the intake bench, two sessions); it slows a SQLite drain by about a third, still far
   * above what any ClickUp plan lets a drain spend.
   */
  yield_between_jobs: z.boolean().default(true),
  /** A job found running with its worker gone (killed, out of memory, stuck) this many times is dead-lettered. */
  max_crashes: z.number().int().min(1).max(100).default(3),
  /** Longest one job may run before it is stopped (its remote calls refused) and retried (ms). */
  job_deadline_ms: z
    .number()
    .int()
    .min(1_000)
    .max(24 * 3_600_000)
    .default(15 * 60_000),
  /** Per job kind, overriding job_deadline_ms (e.g. {"mailbox.scan": 1800000}). */
  job_deadlines: z
    .record(
      z.string(),
      z
        .number()
        .int()
        .min(1_000)
        .max(24 * 3_600_000),
    )
    .default({}),
  /** Longest a shutdown waits for running jobs before stopping them and handing them back (ms). */
  shutdown_deadline_ms: z.number().int().min(0).max(600_000).default(10_000),
});

const DocumentsConfig = z.strictObject({
  max_bytes: z
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  content_types: z
    .array(z.string())
    .default([
      'application/pdf',
      'image/png',
      'image/jpeg',
      'text/plain',
      'text/csv',
      'application/edi-x12',
      'application/edifact',
      'application/octet-stream',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/zip',
    ]),
});

/** Operations console and admin API (/ui, /api): who may sign in, and how sessions behave. */
const AdminRole = z.enum(['admin', 'read_only']).describe('admin may replay and change; read_only may only look');
const AdminConfig = z.strictObject({
  tokens: z
    .array(z.strictObject({ name: z.string().min(1), role: AdminRole.default('admin'), token: SecretRef }))
    .default([]),
  users: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        role: AdminRole.default('admin'),
        password_hash: SecretRef.describe('scrypt hash printed by `gridbridge admin hash-password`'),
      }),
    )
    .default([]),
  session_ttl_minutes: z.number().int().min(5).max(10_080).default(480),
  /** Absolute lifetime of a console session, however often it is used (sliding expiry stops here). */
  session_max_hours: z.number().int().min(1).max(720).default(24),
  /** auto: Secure cookies when the request came over https (or X-Forwarded-Proto says so). */
  secure_cookies: z.enum(['auto', 'always', 'never']).default('auto'),
  sign_in_attempts_per_15_minutes: z.number().int().min(1).max(1000).default(10),
});

export const GridbridgeConfigShape = z.strictObject({
  server: ServerConfig.prefault({}),
  store: StoreConfig.prefault({}),
  clickup: ClickUpConfig,
  tradinggrid: TradingGridConfig,
  partners: PartnersConfig.prefault({}),
  sync: SyncConfig.prefault({}),
  /** What reaches a partner, per flow (src/config/sharingSchema.ts); nothing unless a rule says so. */
  sharing: SharingSection,
  /** Bulk-change guard: one person's mass change is held for an admin (src/config/sharingSchema.ts). */
  guards: GuardsSection,
  /** Business calendar, SLA policies, escalation routing, scorecards (src/config/slaSchema.ts). */
  calendar: CalendarSection,
  sla: SlaSection,
  routing: RoutingSection,
  /** Case categories that routing rules may match (src/flows/05-escalation/decisions/routing/caseCategories.ts). */
  categories: CategoriesSection,
  metrics: MetricsSection,
  sla_sweep_cron: SlaSweepCron,
  dispatcher: DispatcherConfig.prefault({}),
  documents: DocumentsConfig.prefault({}),
  admin: AdminConfig.prefault({}),
  /** Flows 4, 6 and 8 (onboarding, approvals, rollouts); each is off until its section names a list. */
  flows: FlowsConfig.prefault({}),
  /** Field mappings, value maps, users, filters, integration user (src/config/mappingSchema.ts). */
  mapping: MappingSection.prefault({}),
  mailbox: MailboxConfig.optional(),
  ac_csv: AcCsvConfig.optional(),
  /** The key sealing secrets kept in the store (src/config/secretsSchema.ts). */
  secrets: SecretsSection,
  /** Partner contacts, channels per partner and flow, SMTP, partner pages (src/config/partnerChannelSchema.ts). */
  partner_channel: PartnerChannelSection,
  /** How long finished rows are kept and when the prune job runs (src/config/retentionSchema.ts). */
  retention: RetentionSection,
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** What an EDI-only deployment (driver mailbox) cannot do is refused at load time, naming the key. */
export const GridbridgeConfig = GridbridgeConfigShape.superRefine((c, ctx) => {
  // A routing rule naming an undeclared category could never match: a typo would route silently elsewhere.
  for (const u of unknownRuleCategories(c.routing, c.categories))
    ctx.addIssue({
      code: 'custom',
      path: ['routing', u.rule, 'match', 'category', u.item],
      message: `unknown category "${u.category}"; declared in \`categories\`: ${c.categories.map((x) => x.name).join(', ') || 'none (a case has a category only when `categories` names it)'}`,
    });
  if (c.tradinggrid.driver !== 'mailbox') return;
  if (!c.mailbox)
    ctx.addIssue({
      code: 'custom',
      path: ['mailbox'],
      message: "tradinggrid.driver 'mailbox' needs a mailbox section (the EDI mailbox is the whole Trading Grid side)",
    });
  // Without the community API a notice reaches partners by e-mail only (flow 8 then runs on the partner pages).
  const pc = c.partner_channel;
  const noticesByEmail =
    pc.default_channels.includes('email') ||
    Object.values(pc.partners).some((p) => (p.flows.notices ?? p.channels ?? pc.default_channels).includes('email'));
  if (c.flows?.rollouts && !noticesByEmail)
    ctx.addIssue({
      code: 'custom',
      path: ['flows', 'rollouts'],
      message:
        "rollouts need a way to reach partners: tradinggrid.driver 'mailbox' has no community API, and no partner gets notices by e-mail (partner_channel): route notices to email for the partners, remove flows.rollouts, or use driver 'community'",
    });
});

export type GridbridgeConfig = z.infer<typeof GridbridgeConfig>;
/** The loaded configuration (short name used by the flow modules' `enabled`). */
export type Config = GridbridgeConfig;
export type TradingGridCommunityConfig = z.infer<typeof TradingGridCommunity>;

/** The community section when the driver is `community`; null for an EDI-only deployment. */
export function communityConfig(c: Pick<GridbridgeConfig, 'tradinggrid'>): TradingGridCommunityConfig | null {
  return c.tradinggrid.driver === 'community' ? c.tradinggrid : null;
}
export const PARTNER_TIER_VALUES = PARTNER_TIERS;
