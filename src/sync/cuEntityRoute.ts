import type { ClickUpWebhookEvent } from '../connectors/clickup/types.ts';
import type { Link } from '../store/ops/links.ts';
import type { SyncContext } from './context.ts';
import type { JobOutcome } from './dispatcher.ts';

/** Handles a ClickUp webhook for a task linked to one kind of entity (case, request, rollout, onboarding…). */
export type CuEntityRoute = (ctx: SyncContext, ev: ClickUpWebhookEvent, link: Link) => Promise<JobOutcome>;
