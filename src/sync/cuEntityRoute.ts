import type { CuEvent } from './engineJobs.ts';
import type { Link } from '../store/ops/links.ts';
import type { SyncContext } from './context.ts';
import type { JobOutcome } from './dispatcher.ts';

/** Handles a ClickUp webhook for a task linked to one kind of entity (case, request, rollout, onboarding…). */
export type CuEntityRoute = (ctx: SyncContext, ev: CuEvent, link: Link) => Promise<JobOutcome>;
