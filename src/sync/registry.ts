import type { SyncContext } from './context.ts';
import type { JobHandler } from './dispatcher.ts';
import type { AnyFlowJobSpec, FlowModule, TypedJobHandler } from './flowModule.ts';
import type { Scheduler } from './scheduler.ts';
import type { TgEventRoute } from './tgEventRoute.ts';
import type { CuEntityRoute } from './cuEntityRoute.ts';
import { tgEventHandler } from './tgEvent.ts';
import { cuEventHandler } from './cuEvent.ts';
import { engineJobs, parsePayload } from './engineJobs.ts';

export { describePayloadIssues } from './engineJobs.ts';
import { jobSchemas } from '../flows/catalogue.ts';
import { intakeFlow } from '../flows/01-case-intake/module.ts';
import { statusSyncFlow } from '../flows/02-status-sync/module.ts';
import { documentsFlow } from '../flows/03-documents/module.ts';
import { onboardingFlow } from '../flows/04-onboarding/module.ts';
import { escalationFlow } from '../flows/05-escalation/module.ts';
import { approvalsFlow } from '../flows/06-approvals/module.ts';
import { scorecardsFlow } from '../flows/07-scorecards/module.ts';
import { rolloutsFlow } from '../flows/08-rollouts/module.ts';
import { mailboxChannel } from '../channels/tradinggrid-mailbox/module.ts';
import { partnerEmailChannel } from '../channels/partner-email/module.ts';
import { ediPartnerChannel } from '../channels/edi-partner/module.ts';
import { retentionModule } from './retention/module.ts';

/** The eight flows, then the channels that are not an API call (their jobs and schedules), then retention. */
export const flowModules: readonly FlowModule[] = [
  intakeFlow,
  statusSyncFlow,
  documentsFlow,
  onboardingFlow,
  escalationFlow,
  approvalsFlow,
  scorecardsFlow,
  rolloutsFlow,
  mailboxChannel,
  partnerEmailChannel,
  ediPartnerChannel,
  retentionModule,
];

/** Job kinds the engine itself runs: no flow may claim them. */
export const ENGINE_KINDS = ['tg.event', 'cu.event', 'tradinggrid.poll', 'clickup.webhook_health'] as const;

export class RegistryError extends Error {
  override name = 'RegistryError';
}

export interface Registry {
  /** Job kind → handler (each parses its payload with its kind's schema first). */
  handlers: Map<string, JobHandler>;
  /** The Trading Grid routes of the enabled flows, in the order they are tried. */
  tgRoutes: ReadonlyArray<{ module: string; name: string; order: number }>;
  /** Entity type → flow module taking ClickUp changes of tasks linked to it (enabled flows only). */
  cuEntities: Readonly<Record<string, string>>;
  /** Adds the schedules of the enabled flows. */
  registerSchedules: (scheduler: Scheduler) => void;
}

/**
 * Checks the modules fit together: one module per job kind and per ClickUp entity, no flow claiming an
 * engine kind, and a handler for every kind of the job catalogue. Throws a RegistryError naming the modules.
 */
export function checkModules(
  modules: readonly FlowModule[],
  catalogueKinds: readonly string[] = Object.keys(jobSchemas),
): void {
  const problems: string[] = [];
  const owner = new Map<string, string>();
  const entity = new Map<string, string>();
  const ids = new Set<string>();
  for (const m of modules) {
    if (ids.has(m.id)) problems.push(`two flow modules have the id '${m.id}'`);
    ids.add(m.id);
    for (const kind of Object.keys(m.jobs)) {
      if ((ENGINE_KINDS as readonly string[]).includes(kind))
        problems.push(`job kind '${kind}' belongs to the engine, but flow module '${m.id}' claims it`);
      const first = owner.get(kind);
      if (first !== undefined)
        problems.push(`job kind '${kind}' is claimed by two flow modules: '${first}' and '${m.id}'`);
      else owner.set(kind, m.id);
    }
    for (const e of Object.keys(m.cuRoutes ?? {})) {
      const first = entity.get(e);
      if (first !== undefined)
        problems.push(`ClickUp changes of '${e}' tasks are claimed by two flow modules: '${first}' and '${m.id}'`);
      else entity.set(e, m.id);
    }
  }
  for (const kind of catalogueKinds)
    if (!owner.has(kind))
      problems.push(`job kind '${kind}' is in the job catalogue but no flow module has a handler for it`);
  if (problems.length > 0) throw new RegistryError(`the flow modules do not fit together: ${problems.join('; ')}`);
}

/** The handler of one kind: the stored payload is parsed first; one that does not parse is a dead letter saying why. */
function parsingHandler(kind: string, spec: AnyFlowJobSpec, ctx: SyncContext): JobHandler {
  // Sound: this handler is only ever called with what this spec's own schema parsed (see AnyFlowJobSpec).
  const run = spec.handler(ctx) as TypedJobHandler<unknown>;
  return async (job) => {
    const parsed = parsePayload(kind, spec.schema, job.payload);
    return parsed.ok ? run({ ...job, payload: parsed.payload }) : parsed.refused;
  };
}

/**
 * Builds the engine's view of the flows: the handler of every job kind (of every module, enabled or not:
 * stored jobs must drain), and the Trading Grid routes, ClickUp entity routes and schedules of the enabled ones.
 */
export function buildRegistry(
  ctx: SyncContext,
  modules: readonly FlowModule[] = flowModules,
  catalogueKinds?: readonly string[],
): Registry {
  checkModules(modules, catalogueKinds);
  const enabled = modules.filter((m) => m.enabled(ctx.config));
  // Lower order first; equal orders keep the modules' order.
  const routes = enabled
    .flatMap((m) => (m.tgRoutes ?? []).map((r) => ({ module: m.id, ...r })))
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.order - b.r.order || a.i - b.i)
    .map(({ r }) => r);
  const cuRoutes: Record<string, CuEntityRoute> = {};
  const cuEntities: Record<string, string> = {};
  for (const m of enabled) {
    for (const [e, route] of Object.entries(m.cuRoutes ?? {})) {
      cuRoutes[e] = route;
      cuEntities[e] = m.id;
    }
  }
  const tgRoutes: TgEventRoute[] = routes.map((r) => r.route);
  // The engine's event jobs are parsed at claim like every flow's job.
  const handlers = new Map<string, JobHandler>([
    [
      'tg.event',
      parsingHandler('tg.event', { schema: engineJobs['tg.event'], handler: (c) => tgEventHandler(c, tgRoutes) }, ctx),
    ],
    [
      'cu.event',
      parsingHandler('cu.event', { schema: engineJobs['cu.event'], handler: (c) => cuEventHandler(c, cuRoutes) }, ctx),
    ],
  ]);
  for (const m of modules)
    for (const [kind, spec] of Object.entries(m.jobs)) handlers.set(kind, parsingHandler(kind, spec, ctx));
  return {
    handlers,
    tgRoutes: routes.map(({ module, name, order }) => ({ module, name, order })),
    cuEntities,
    registerSchedules: (scheduler) => {
      for (const m of enabled) m.schedules?.(scheduler, ctx);
    },
  };
}
