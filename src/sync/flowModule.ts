import type { z } from 'zod';
import type { Config } from '../config/schema.ts';
import type { SyncContext } from './context.ts';
import type { JobContext, JobOutcome } from './dispatcher.ts';
import type { Scheduler } from './scheduler.ts';
import type { TgEventRoute } from './tgEventRoute.ts';
import type { CuEntityRoute } from './cuEntityRoute.ts';

/** A job handler whose payload was parsed with its kind's schema when the job was claimed. */
export type TypedJobHandler<P> = (job: Omit<JobContext, 'payload'> & { payload: P }) => Promise<JobOutcome>;

export interface FlowJobSpec<P = unknown> {
  /** Parsed at claim time: a stored payload that does not parse is a dead letter naming the reason. */
  schema: z.ZodType<P>;
  handler: (ctx: SyncContext) => TypedJobHandler<P>;
}

/**
 * A job spec of any payload type, as a module's `jobs` record holds them: the schema gives some payload
 * (covariant, so `unknown`) and the handler takes some payload (contravariant, so `never`). The registry
 * joins each handler only with its own schema's parse result, which is what makes that call sound.
 */
export interface AnyFlowJobSpec {
  schema: z.ZodType<unknown>;
  handler: (ctx: SyncContext) => TypedJobHandler<never>;
}

/** Declares one flow to the engine; src/sync/registry.ts loads the eight of them. */
export interface FlowModule {
  /** '01-case-intake' … '08-rollouts' */
  id: string;
  title: string;
  /** False: its jobs are still registered (stored jobs must drain) but its routes and schedules are not. */
  enabled: (config: Config) => boolean;
  jobs: Record<string, AnyFlowJobSpec>;
  /** Trading Grid event routes; the registry orders all flows' routes by `order` (lower first; first answer wins). */
  tgRoutes?: ReadonlyArray<{ name: string; order: number; route: TgEventRoute }>;
  /** ClickUp changes, by the entity type the task is linked to ('case', 'approval', 'onboarding', 'rollout', ...). */
  cuRoutes?: Readonly<Record<string, CuEntityRoute>>;
  schedules?: (scheduler: Scheduler, ctx: SyncContext) => void;
}
