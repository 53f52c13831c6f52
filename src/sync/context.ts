import type { Logger } from 'pino';
import type { Store } from '../store/db.ts';
import type { ClickUpClient } from '../connectors/clickup/index.ts';
import type { TradingGridPort } from '../connectors/tradinggrid/port.ts';
import type { GridbridgeConfig } from '../config/schema.ts';
import type { FieldResolver } from '../flows/shared/clickupFields.ts';
import type { PartnerCache } from '../flows/shared/partnerCache.ts';
import type { ClickUpWebhookState } from './clickupWebhook.ts';
import type { MappingRuntime } from '../flows/01-case-intake/mapping/runtime.ts';
import type { PartnerChannelRuntime } from '../channels/partner-email/runtime.ts';

/** Everything a job handler may use. Built once at start-up by the engine. */
export interface SyncContext {
  store: Store;
  config: GridbridgeConfig;
  clickup: ClickUpClient;
  tg: TradingGridPort;
  fields: FieldResolver;
  partners: PartnerCache;
  logger: Logger;
  now: () => number;
  /** Our ClickUp webhook: its secret changes when it is recreated. */
  webhook: ClickUpWebhookState;
  /** Wake the dispatcher after storing work outside a job. */
  wake: () => void;
  /** Configured field mappings, filters, users and the integration user; absent in bare test contexts. */
  mapping?: MappingRuntime;
  /** E-mail and partner pages; absent when partner_channel is not set up. */
  partnerChannel?: PartnerChannelRuntime;
}
