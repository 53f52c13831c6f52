import type { Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { SyncContext } from '../../sync/context.ts';
import { checked, type Job } from '../catalogue.ts';
import { FieldResolver, type FieldNames } from './clickupFields.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { enqueueGuarded } from './partnerGuard.ts';
import { saveFlowRecordOrThrow, type FlowRecord } from '../../store/ops/flowRecords.ts';
import type { ClickUpTask } from '../../connectors/clickup/types.ts';

/** Helpers the group flows (4, 6, 8) share: their own field names per list, and "save state + jobs" in one commit. */

const resolvers = new WeakMap<SyncContext, Map<string, FieldResolver>>();

/** A FieldResolver for one flow's field names (flows name their fields apart from the case list's). */
export function flowFields(ctx: SyncContext, flow: string, names: FieldNames): FieldResolver {
  let m = resolvers.get(ctx);
  if (!m) resolvers.set(ctx, (m = new Map()));
  let r = m.get(flow);
  if (!r) m.set(flow, (r = new FieldResolver(ctx.clickup, names)));
  return r;
}

/** A list's fields changed in ClickUp (renamed, deleted): every flow's resolver reads them afresh at its next write. */
export function forgetFlowFields(ctx: SyncContext, listId: string): void {
  for (const r of resolvers.get(ctx)?.values() ?? []) r.forget(listId);
}

/** Save a flow record (guarded by the version read) and enqueue its jobs, in the caller's transaction. */
/** `actor`: the ClickUp person whose change queued the jobs; their partner-visible ones go through the bulk-change guard. */
export async function commitFlow<T>(
  ctx: SyncContext,
  trx: Transaction<Database>,
  rec: { flow: string; id: string; state: string; lookup?: string | null; data: T },
  readVersion: number,
  jobs: readonly Job[],
  actor: string | null = null,
): Promise<void> {
  const now = ctx.now();
  await saveFlowRecordOrThrow(trx, rec, readVersion, now);
  await enqueueFlowJobs(ctx, trx, jobs, actor);
}

/** Enqueue jobs in the caller's transaction; a person's partner-visible ones go through the bulk-change guard. */
export async function enqueueFlowJobs(
  ctx: SyncContext,
  trx: Transaction<Database>,
  jobs: readonly Job[],
  actor: string | null = null,
): Promise<void> {
  if (actor) await enqueueGuarded(ctx, trx, actor, jobs);
  else await enqueueJobs(trx, checked(jobs), ctx.now(), ctx.config.dispatcher.max_attempts);
}

export const versionOf = (r: FlowRecord<unknown> | null): number => r?.version ?? 0;

/** A task whose status is of the closed or done kind counts as finished. */
export function isTaskFinished(t: Pick<ClickUpTask, 'status'>): boolean {
  return t.status.type === 'closed' || t.status.type === 'done';
}

/** The label of a drop-down custom field as the task shows it (value is an option id or an orderindex). */
export function dropDownLabel(t: ClickUpTask, fieldName: string): string | null {
  const f = (t.custom_fields ?? []).find((x) => x.name.trim().toLowerCase() === fieldName.trim().toLowerCase());
  if (!f || f.value === undefined || f.value === null || f.value === '') return null;
  const opts = f.type_config?.options ?? [];
  const o = opts.find(
    (x) =>
      x.id === f.value ||
      (typeof f.value === 'number' && Number(x.orderindex) === f.value) ||
      String(x.orderindex) === String(f.value),
  );
  return (o?.name ?? o?.label ?? String(f.value)) || null;
}

/** Who made a ClickUp change, from a webhook history item. */
export function changedBy(items: ReadonlyArray<{ user?: unknown }> | undefined): string | null {
  for (const i of items ?? []) {
    const u = i.user as { username?: string; email?: string } | undefined;
    if (u?.username || u?.email) return u.username ?? u.email ?? null;
  }
  return null;
}
