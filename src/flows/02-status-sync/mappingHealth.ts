import type { Transaction } from 'kysely';
import type { GridbridgeConfig } from '../../config/schema.ts';
import { effectiveFieldMappings } from '../../config/mappingSchema.ts';
import { CASE_KINDS, humanKind } from '../../core/case.ts';
import type { Database } from '../../store/schema.ts';
import type { Store } from '../../store/db.ts';
import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import type { NewJob } from '../../store/ops/enqueueJobs.ts';
import { readCursor, writeCursor } from '../../store/ops/cursors.ts';
import { countHeldByActor, recordChange } from '../../store/ops/partnerChanges.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { settleHeldChanges } from '../shared/partnerGuard.ts';
import { clickUpValuesOf } from '../01-case-intake/mapping/values.ts';
import { caseListIds, toDefinition } from '../01-case-intake/mapping/runtime.ts';
import { mappingDrift, type Drift, type ExpectedNames } from './decisions/mappingDrift.ts';

/** Where the last check's findings are kept (per list), for the handlers, doctor and the console. */
const CURSOR = 'clickup.mapping_health';
/** Held changes of one list wait under this actor (the bulk guard's table: the console and `held` list them). */
export const MAPPING_HOLD_PREFIX = 'gridbridge:mapping:';
const holdActor = (listId: string) => `${MAPPING_HOLD_PREFIX}${listId}`;

export interface MappingHealth {
  /** When a list was last read, per list. */
  checked: Record<string, number>;
  drift: Drift[];
}

/** The names the config writes on a case list: statuses of the status map, mapped fields and their options. */
export function expectedNames(config: GridbridgeConfig): ExpectedNames {
  const statuses = [
    ...Object.keys(config.clickup.status_map).map((name) => ({
      name,
      mapping: `clickup.status_map["${name}"]`,
    })),
    ...Object.entries(config.clickup.status_to_clickup)
      .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length > 0)
      .map(([k, name]) => ({ name, mapping: `clickup.status_to_clickup.${k}` })),
  ];
  const fields: Array<ExpectedNames['fields'][number]> = [];
  for (const m of effectiveFieldMappings(config)) {
    if (typeof m.clickup !== 'object') continue;
    const logical = m.origin === 'fields' ? m.name : `mapping.fields "${m.name ?? m.clickup.custom_field}"`;
    // The issue type is written as the kind's label (intake) unless a value map says otherwise.
    const options = m.values
      ? clickUpValuesOf(m).map(String)
      : m.tradinggrid === 'kind'
        ? CASE_KINDS.map(humanKind)
        : undefined;
    fields.push({
      name: m.clickup.custom_field,
      mapping: logical ?? m.clickup.custom_field,
      ...(options ? { options } : {}),
    });
  }
  return { statuses, fields };
}

export async function readMappingHealth(db: Store['db'] | Transaction<Database>): Promise<MappingHealth> {
  const raw = await readCursor(db, CURSOR);
  if (!raw) return { checked: {}, drift: [] };
  try {
    const v = JSON.parse(raw) as MappingHealth;
    return { checked: v.checked ?? {}, drift: Array.isArray(v.drift) ? v.drift : [] };
  } catch {
    return { checked: {}, drift: [] };
  }
}

/**
 * Read each case list's statuses and fields, compare them with the mapping, keep what differs, and send the
 * changes held for a list that is right again (each once: a held row is released by one guarded update).
 * A list that cannot be read keeps its last findings. Runs with the ClickUp health check, at start-up too.
 */
export async function checkMappingHealth(
  ctx: SyncContext,
  only?: readonly string[],
): Promise<{ drift: Drift[]; released: number }> {
  const expected = expectedNames(ctx.config);
  const lists = only ?? caseListIds(ctx.config);
  const before = await readMappingHealth(ctx.store.db);
  const now = ctx.now();
  const checked = { ...before.checked };
  let drift = before.drift.filter((d) => !lists.includes(d.listId));
  const clean: string[] = [];
  for (const listId of lists) {
    const [list, fields] = [await ctx.clickup.getList(listId), await ctx.clickup.getListFields(listId)];
    if (!list.ok || !fields.ok) {
      drift.push(...before.drift.filter((d) => d.listId === listId));
      continue;
    }
    const found = mappingDrift(expected, {
      listId,
      statuses: list.value.statuses.map((s) => s.status),
      fields: fields.value.map((f) => {
        const d = toDefinition(f);
        return { name: d.name, type: d.type, options: (d.options ?? []).map((o) => o.name ?? o.label ?? '') };
      }),
    });
    checked[listId] = now;
    drift = [...drift, ...found];
    // What changed on the list since the last check: the fields the writes resolve by name are read afresh.
    const was = before.drift.filter((d) => d.listId === listId).map((d) => d.reason);
    if (was.length !== found.length || found.some((d) => !was.includes(d.reason)))
      await ctx.fields.load(listId).catch(() => undefined); // unreadable now: the next write loads it
    if (found.length === 0) clean.push(listId);
  }
  await writeCursor(ctx.store.db, CURSOR, JSON.stringify({ checked, drift }), now);
  const newOnes = drift.filter((d) => !before.drift.some((b) => b.listId === d.listId && b.reason === d.reason));
  for (const d of newOnes) ctx.logger.warn({ list: d.listId, what: d.what, name: d.name }, d.reason);
  let released = 0;
  const heldLists = new Set((await countHeldByActor(ctx.store.db)).map((h) => h.actor));
  for (const listId of clean) {
    if (!heldLists.has(holdActor(listId))) continue;
    const n = await settleHeldChanges(
      ctx.store.db,
      { actor: holdActor(listId) },
      'released',
      'gridbridge:mapping_check',
      now,
      ctx.config.dispatcher.max_attempts,
    );
    if (n > 0) ctx.logger.info({ list: listId, released: n }, 'the mapping fits the list again: held changes sent');
    released += n;
  }
  if (released > 0) ctx.wake();
  return { drift, released };
}

/**
 * Hold a change the list cannot take until the mapping fits again: kept with its job (under a new key, so
 * its release enqueues it once) and the reason, audited on the case; the health check releases it.
 */
export function holdForMapping(ctx: SyncContext, job: NewJob, caseId: string, d: Drift): JobOutcome {
  return {
    status: 'done',
    commit: async (trx) => {
      const now = ctx.now();
      const held = { ...job, key: `${job.key}:held:${now}` };
      await recordChange(trx, { actor: holdActor(d.listId), at: now, job: held, state: 'held', reason: d.reason });
      await appendAudit(
        trx,
        {
          actor: 'gridbridge',
          entity: 'case',
          entityId: caseId,
          action: 'held_mapping',
          after: { kind: job.kind, list: d.listId, what: d.what, name: d.name, mapping: d.mapping, reason: d.reason },
        },
        now,
      );
      ctx.logger.warn({ caseId, kind: job.kind, list: d.listId }, `change held: ${d.reason}`);
    },
  };
}
