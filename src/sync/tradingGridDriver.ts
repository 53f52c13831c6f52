import type { GridbridgeConfig } from '../config/schema.ts';
import type { ResolvedSecrets } from '../config/load.ts';
import {
  createCommunityDriver,
  type CommunityDriver,
  type CommunityDriverOptions,
} from '../connectors/tradinggrid/community/index.ts';

/**
 * The community driver the config names, or null in an EDI-only deployment (`tradinggrid.driver: mailbox`),
 * which has no community endpoint to call. Commands that only make sense against the community API
 * (backfill, the online config check of partners) say so when this is null.
 */
export function communityDriverFor(
  config: Pick<GridbridgeConfig, 'tradinggrid'>,
  secrets: Pick<ResolvedSecrets, 'tgClientSecret'>,
  opts: Omit<CommunityDriverOptions, 'baseUrl' | 'tenantId' | 'clientId' | 'clientSecret'> = {},
): CommunityDriver | null {
  const tg = config.tradinggrid;
  if (tg.driver !== 'community') return null;
  if (secrets.tgClientSecret === null) throw new Error('tradinggrid.client_secret was not resolved');
  return createCommunityDriver({
    ...opts,
    baseUrl: tg.base_url,
    tenantId: tg.tenant_id,
    clientId: tg.client_id,
    clientSecret: secrets.tgClientSecret,
  });
}
