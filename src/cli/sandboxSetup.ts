import { validateConfig, type ResolvedSecrets } from '../config/load.ts';
import type { GridbridgeConfig } from '../config/schema.ts';
import { sandboxSla } from './sandboxSla.ts';
import { sandboxMapping } from './demo/sandboxMapping.ts';
import { groupFlowsForSandbox } from './demo/groupFlowsConfig.ts';

export interface SandboxEndpoints {
  clickup: {
    url: string;
    token: string;
    teamId: string;
    lists: { cases: string; onboarding?: string; approvals?: string; rollouts?: string };
  };
  tradinggrid: { url: string; tenantId: string; clientId: string; clientSecret: string; webhookSecret: string };
}

/**
 * The config a bridge needs to talk to both sandboxes, built through the same schema a user's file
 * goes through (so defaults and checks are the real ones). Secrets come from the sandboxes directly.
 */
/** `ediOnly`: Trading Grid is the EDI mailbox alone (driver mailbox): no community endpoint, no rollouts (they need it). */
export function configForSandboxes(
  sb: SandboxEndpoints,
  overrides: {
    storeUrl: string;
    port?: number;
    partners?: Record<string, { name?: string; tier?: string; community?: boolean }>;
    extra?: Record<string, unknown>;
    ediOnly?: boolean;
    clickupUnmetered?: boolean;
  },
): { config: GridbridgeConfig; secrets: ResolvedSecrets } {
  const flows = groupFlowsForSandbox(sb.clickup.lists);
  // Without the community API rollouts reach partners by e-mail only: kept when the extra config routes some partner there.
  const pc = overrides.extra?.['partner_channel'] as
    | {
        default_channels?: string[];
        partners?: Record<string, { channels?: string[]; flows?: { notices?: string[] } }>;
      }
    | undefined;
  const noticesByEmail = Boolean(
    pc?.default_channels?.includes('email') ||
    Object.values(pc?.partners ?? {}).some((p) =>
      (p.flows?.notices ?? p.channels ?? pc?.default_channels ?? []).includes('email'),
    ),
  );
  if (overrides.ediOnly && !noticesByEmail) delete flows.rollouts;
  const raw = {
    server: { host: '127.0.0.1', port: overrides.port ?? 0 },
    store: { url: overrides.storeUrl },
    clickup: {
      base_url: sb.clickup.url,
      token: { env: 'GRIDBRIDGE_SANDBOX_CLICKUP_TOKEN' },
      team_id: sb.clickup.teamId,
      list_id: sb.clickup.lists.cases,
      webhook: { register: true },
      attachment_hosts: ['127.0.0.1', 'localhost'],
      allow_private_addresses: true,
      // A sandbox started with rateLimitPerMinute: null meters nothing and sends no rate-limit headers;
      // only then is a budget above ClickUp's lowest plan assumed.
      ...(overrides.clickupUnmetered ? { assumed_rate_limit_per_minute: 1_000_000 } : {}),
    },
    tradinggrid: overrides.ediOnly
      ? { driver: 'mailbox' }
      : {
          driver: 'community',
          base_url: sb.tradinggrid.url,
          tenant_id: sb.tradinggrid.tenantId,
          client_id: sb.tradinggrid.clientId,
          client_secret: { env: 'GRIDBRIDGE_SANDBOX_TG_SECRET' },
          webhook_secret: { env: 'GRIDBRIDGE_SANDBOX_TG_WEBHOOK_SECRET' },
        },
    partners: {
      require_mapping: true,
      map: overrides.partners ?? {
        'P-ACME': { name: 'Acme Retail' },
        'P-GLOBEX': { name: 'Globex Logistics' },
        'P-INITECH': { name: 'Initech Supply' },
      },
    },
    ...sandboxSla(),
    dispatcher: { concurrency: 32, poll_ms: 50, backoff_base_ms: 100, backoff_max_ms: 5_000 },
    log_level: 'warn',
    flows,
    mapping: sandboxMapping(),
    // What the demo's team marks for partners: a "partner-" file name, a file in an "@partner" comment, or the
    // task's "Share with partner" checkbox. Everything else stays internal (the default shares no file).
    // On approval tasks only a "partner-" file goes, with the decision (by e-mail: requests take no documents).
    sharing: {
      cases: { files: { ways: ['name_prefix', 'partner_comment', 'checkbox'], name_prefix: 'partner-' } },
      approvals: { files: { ways: ['name_prefix'], name_prefix: 'partner-' } },
    },
    ...overrides.extra,
  };
  const r = validateConfig(raw);
  if (!r.ok)
    throw new Error(`sandbox config is invalid: ${r.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return {
    config: r.config,
    secrets: overrides.ediOnly
      ? { clickupToken: sb.clickup.token, clickupWebhookSecret: null, tgClientSecret: null, tgWebhookSecret: null }
      : {
          clickupToken: sb.clickup.token,
          clickupWebhookSecret: null,
          tgClientSecret: sb.tradinggrid.clientSecret,
          tgWebhookSecret: sb.tradinggrid.webhookSecret,
        },
  };
}
