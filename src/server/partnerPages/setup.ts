import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { GridbridgeConfig } from '../../config/schema.ts';
import type { Store } from '../../store/db.ts';
import { resolveSecret } from '../../config/load.ts';
import { keepFirstSecret, readSecret, storeSecret } from '../../store/ops/secrets.ts';
import { resolveSecretBox } from '../secretKeys.ts';
import { buildPartnerChannel } from '../../channels/partner-email/setup.ts';
import type { MailSender, PartnerChannelRuntime } from '../../channels/partner-email/runtime.ts';

/** Name of the generated page-link key kept (sealed) in the store. */
export const PAGES_KEY_SECRET = 'partner_pages.hmac_key';

/** Whether any partner or the default uses e-mail: without, the partner channel stays off (nothing changes). */
export function partnerChannelInUse(config: GridbridgeConfig): boolean {
  const s = config.partner_channel;
  return (
    s.default_channels.includes('email') ||
    Object.values(s.partners).some(
      (p) =>
        (p.channels ?? s.default_channels).includes('email') ||
        Object.values(p.flows).some((f) => f?.includes('email')),
    )
  );
}

/**
 * The partner channel of one bridge: SMTP password and page key resolved (the key from
 * `partner_channel.pages.key`, else generated once and sealed in the store with `secrets.key`; every
 * instance on one database reads the same), contacts and templates loaded.
 */
export async function openPartnerChannel(o: {
  store: Store;
  config: GridbridgeConfig;
  logger: Logger;
  now: () => number;
  baseUrl: () => string;
  mailer?: MailSender;
}): Promise<{ runtime: PartnerChannelRuntime | null; problems: string[] }> {
  const { config, logger } = o;
  if (!partnerChannelInUse(config)) return { runtime: null, problems: [] };
  const s = config.partner_channel;
  const problems: string[] = [];
  let smtpPassword: string | undefined;
  if (s.smtp?.password) {
    const r = resolveSecret(s.smtp.password, 'partner_channel.smtp.password');
    if (r.ok) smtpPassword = r.value;
    else problems.push(`${r.problem.path}: ${r.problem.message}`);
  }
  let pageKey: Buffer | null = null;
  if (s.pages.key) {
    const r = resolveSecret(s.pages.key, 'partner_channel.pages.key');
    if (!r.ok) problems.push(`${r.problem.path}: ${r.problem.message}`);
    else if (r.value.length < 32)
      problems.push('partner_channel.pages.key: use at least 32 characters (e.g. `gridbridge secrets generate-key`)');
    else pageKey = createHash('sha256').update(r.value).digest();
  } else {
    const box = resolveSecretBox(config);
    if (box.ok && box.box) {
      let kept: string | null = null;
      let unreadable = false;
      try {
        kept = await readSecret(o.store.db, box.box, PAGES_KEY_SECRET);
      } catch {
        unreadable = true;
      }
      if (kept === null) {
        const fresh = randomBytes(32).toString('base64url');
        if (unreadable) {
          // Sealed with a key no longer configured: replaced (the links it signed stop working), as before.
          await storeSecret(o.store.db, box.box, PAGES_KEY_SECRET, fresh, 'gridbridge:partner-pages', o.now());
          kept = await readSecret(o.store.db, box.box, PAGES_KEY_SECRET);
        } else {
          // Insert-if-absent, then read back: of instances starting at the same time, the first key kept is every one's.
          kept = await keepFirstSecret(
            o.store.db,
            box.box,
            PAGES_KEY_SECRET,
            fresh,
            'gridbridge:partner-pages',
            o.now(),
          );
        }
      }
      if (kept) pageKey = createHash('sha256').update(kept).digest();
    }
  }
  const senderName = /^\s*"?([^"<]+?)"?\s*</.exec(s.smtp?.from ?? '')?.[1]?.trim() ?? 'gridbridge';
  const built = buildPartnerChannel({
    section: s,
    smtpPassword,
    pageKey,
    pagesBaseUrl: () => (s.pages.base_url ?? config.server.public_url ?? o.baseUrl()).replace(/\/+$/, ''),
    senderName,
    logger,
    mailer: o.mailer,
  });
  for (const w of built.warnings) logger.warn(w);
  problems.push(...built.problems);
  return { runtime: built.runtime, problems };
}
