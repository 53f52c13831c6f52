import type { Logger } from 'pino';
import type { GridbridgeConfig } from '../config/schema.ts';
import type { Store } from '../store/db.ts';
import { readSecret, storeSecret } from '../store/ops/secrets.ts';
import { resolveSecretBox } from './secretKeys.ts';

/** Name under which the secret ClickUp returned at webhook registration is kept (sealed). */
export const CLICKUP_WEBHOOK_SECRET = 'clickup.webhook.secret';

export interface LearnedSecrets {
  /** Start-up problems (key missing or malformed): the bridge refuses to start with them. */
  problems: string[];
  /** The ClickUp webhook secret kept from an earlier registration, so deliveries verify before registration runs again. */
  clickUpWebhookSecret: string | null;
  /** Keeps a newly registered secret sealed in the store; absent when no key is configured. */
  persistClickUpWebhookSecret?: (secret: string) => Promise<void>;
  /** Reads the kept secret again: a follower instance picks up what the leader registered. */
  reloadClickUpWebhookSecret?: () => Promise<string | null>;
}

/**
 * Secrets the bridge learns at run time, sealed at rest with `secrets.key` (or GRIDBRIDGE_SECRET_KEY).
 * Without a key nothing is written: the ClickUp webhook secret then lives in memory only and is fetched
 * again at registration.
 */
export async function openLearnedSecrets(
  store: Store,
  config: GridbridgeConfig,
  logger: Logger,
  now: () => number,
): Promise<LearnedSecrets> {
  const r = resolveSecretBox(config);
  if (!r.ok) return { problems: r.problems.map((p) => `${p.path}: ${p.message}`), clickUpWebhookSecret: null };
  const box = r.box;
  if (!box) {
    logger.info(
      'no secrets.key (or GRIDBRIDGE_SECRET_KEY): the ClickUp webhook secret is kept in memory only (fetched again at registration)',
    );
    return { problems: [], clickUpWebhookSecret: null };
  }
  let stored: string | null = null;
  try {
    stored = await readSecret(store.db, box, CLICKUP_WEBHOOK_SECRET);
  } catch (e) {
    logger.warn(
      { error: (e as Error).message },
      'the stored ClickUp webhook secret cannot be opened; it is replaced at the next registration',
    );
  }
  return {
    problems: [],
    clickUpWebhookSecret: stored,
    persistClickUpWebhookSecret: async (secret) => {
      await storeSecret(store.db, box, CLICKUP_WEBHOOK_SECRET, secret, 'gridbridge:webhook-registration', now());
    },
    reloadClickUpWebhookSecret: () => readSecret(store.db, box, CLICKUP_WEBHOOK_SECRET),
  };
}
