import type { Transaction } from 'kysely';
import type { GridbridgeConfig } from '../../config/schema.ts';
import { effectiveFieldMappings } from '../../config/mappingSchema.ts';
import { CASE_KINDS, humanKind } from '../../core/case.ts';
import type { Database } from '../../store/schema.ts';
import type { Store } from '../../store/db.ts';
import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import type { NewJob } from '../../store/ops/enqueueJobs.ts';
import { readCursor, saveCursorOver } from '../../store/ops/cursors.ts';
import { countHeldByActor, latestChangeState, recordChange } from '../../store/ops/partnerChanges.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { settleHeldChanges } from '../shared/partnerGuard.ts';
import { clickUpValuesOf } from '../01-case-intake/mapping/values.ts';
import { caseListIds, toDefinition } from '../01-case-intake/mapping/runtime.ts';
import { REQUEST_KINDS } from '../../connectors/tradinggrid/events.ts';
import { humanRequestKind } from '../06-approvals/decisions/approvals.ts';
import { forgetFlowFields } from '../shared/flowSupport.ts';
import {
  fieldDrift,
  listsDue,
  mappingDrift,
  statusDrift,
  type Drift,
  type ExpectedNames,
} from './decisions/mappingDrift.ts';
import { toPartnerStatus } from './decisions/statusMap.ts';

/** Where the last check's findings are kept (per list), for the handlers, doctor and the console. */
const CURSOR = 'clickup.mapping_health';
/** Held changes of one list wait under this actor (the bulk guard's table: the console and `held` list them). */
export const MAPPING_HOLD_PREFIX = 'gridbridge:mapping:';
const holdActor = (listId: string) => `${MAPPING_HOLD_PREFIX}${listId}`;
/** A case task moved to a ClickUp status the status map does not know: held under this actor, per status. */
export const UNMAPPED_HOLD_PREFIX = `${MAPPING_HOLD_PREFIX}unmapped:`;
export const unmappedActor = (clickUpStatus: string) => `${UNMAPPED_HOLD_PREFIX}${clickUpStatus.trim().toLowerCase()}`;

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

/** Names flow 4, 6 or 8 writes on (or reads from) its list, as the start-up check (groupFlowSetup) knows them. */
function flowExpected(config: GridbridgeConfig): Array<{ listId: string; names: ExpectedNames }> {
  const out: Array<{ listId: string; names: ExpectedNames }> = [];
  const fieldsOf = (path: string, f: Record<string, string | undefined>, options: Record<string, string[]> = {}) =>
    Object.entries(f)
      .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length > 0)
      .map(([k, name]) => ({
        name,
        mapping: `${path}.fields.${k}`,
        ...(options[k]?.length ? { options: options[k] } : {}),
      }));
  const a = config.flows?.approvals;
  if (a) {
    const byStatus = a.decision.source === 'status';
    const statuses = [
      ...(byStatus
        ? [
            { name: a.decision.approved, mapping: 'flows.approvals.decision.approved' },
            { name: a.decision.rejected, mapping: 'flows.approvals.decision.rejected' },
          ]
        : []),
      ...(a.withdrawn_status ? [{ name: a.withdrawn_status, mapping: 'flows.approvals.withdrawn_status' }] : []),
    ];
    const fields = fieldsOf('flows.approvals', a.fields, { request_type: REQUEST_KINDS.map(humanRequestKind) });
    if (!byStatus)
      fields.push({
        name: a.decision.field,
        mapping: 'flows.approvals.decision',
        options: [a.decision.approved, a.decision.rejected],
      });
    out.push({ listId: a.list_id, names: { statuses, fields } });
  }
  const o = config.flows?.onboarding;
  if (o) {
    const workstreams = [
      ...new Set(
        Object.values(o.groups).flatMap((g) => g.steps.map((s) => s.workstream).filter((w): w is string => !!w)),
      ),
    ];
    out.push({
      listId: o.list_id,
      names: { statuses: [], fields: fieldsOf('flows.onboarding', o.fields, { workstream: workstreams }) },
    });
  }
  const r = config.flows?.rollouts;
  if (r)
    out.push({
      listId: r.list_id,
      names: {
        statuses: r.ready_status ? [{ name: r.ready_status, mapping: 'flows.rollouts.ready_status' }] : [],
        fields: fieldsOf('flows.rollouts', r.fields),
      },
    });
  return out;
}

/**
 * Every list the bridge writes to or reads from by name, with the names it needs there: the case lists
 * (flows 1-3), the approvals list (flow 6: the decision's statuses or field), onboarding groups (flow 4) and
 * rollout plans (flow 8). Escalation tasks (flow 5) name no status or field, so their lists are not read.
 */
export function expectedByList(config: GridbridgeConfig): Map<string, ExpectedNames> {
  const m = new Map<string, ExpectedNames>();
  const add = (listId: string, n: ExpectedNames) => {
    const had = m.get(listId);
    m.set(listId, had ? { statuses: [...had.statuses, ...n.statuses], fields: [...had.fields, ...n.fields] } : n);
  };
  const cases = expectedNames(config);
  for (const id of caseListIds(config)) add(id, cases);
  for (const f of flowExpected(config)) add(f.listId, f.names);
  return m;
}

export async function readMappingHealth(db: Store['db'] | Transaction<Database>): Promise<MappingHealth> {
  return parseMappingHealth(await readCursor(db, CURSOR));
}

/** The cursor the last mapping check's findings are kept in (read with other rows by `getCaseWithLink`). */
export const MAPPING_HEALTH_CURSOR = CURSOR;

/** The findings kept in the mapping-health cursor (`raw`: its value, null when unset). */
export function parseMappingHealth(raw: string | null | undefined): MappingHealth {
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
export function checkMappingHealth(
  ctx: SyncContext,
  only?: readonly string[],
): Promise<{ drift: Drift[]; released: number }> {
  // One check at a time in a process: a check that read a list before a rename must not write its findings
  // over those of one that read it after (the minute's check and a refused write's check may overlap). Checks of
  // other instances are not serialised (a write's re-read runs on any instance): the save merges per list.
  const run = (running.get(ctx) ?? Promise.resolve()).then(
    () => checkNow(ctx, only),
    () => checkNow(ctx, only),
  );
  running.set(
    ctx,
    run.catch(() => undefined),
  );
  return run;
}
const running = new WeakMap<SyncContext, Promise<unknown>>();

/**
 * The health check's part: the lists due (`listsDue`: every list at a process's first check, then a healthy
 * list every `clickup.mapping_check_minutes` and a drifting one every time), and held statuses the map now names.
 */
export async function scheduledMappingCheck(ctx: SyncContext): Promise<{ drift: Drift[]; released: number }> {
  const first = !checkedOnce.has(ctx);
  checkedOnce.add(ctx);
  const all = [...expectedByList(ctx.config).keys()];
  const due = listsDue(
    all,
    await readMappingHealth(ctx.store.db),
    ctx.now(),
    ctx.config.clickup.mapping_check_minutes * 60_000,
    first,
  );
  return checkMappingHealth(ctx, due);
}
const checkedOnce = new WeakSet<SyncContext>();

/**
 * `base` (the saved findings) with this check's readings put in per list, each only when no later reading of that
 * list is saved (`checked`: when the reading of the list began); lists this check did not read keep base's.
 */
function withReadings(base: MappingHealth, read: ReadonlyMap<string, { at: number; drift: Drift[] }>): MappingHealth {
  const checked = { ...base.checked };
  const ours = new Set<string>();
  for (const [listId, r] of read) {
    const theirs = base.checked[listId];
    if (theirs !== undefined && theirs > r.at) continue;
    checked[listId] = r.at;
    ours.add(listId);
  }
  return {
    checked,
    drift: [...base.drift.filter((d) => !ours.has(d.listId)), ...[...ours].flatMap((id) => read.get(id)!.drift)],
  };
}

async function checkNow(ctx: SyncContext, only?: readonly string[]): Promise<{ drift: Drift[]; released: number }> {
  const byList = expectedByList(ctx.config);
  const lists = only ?? [...byList.keys()];
  const caseLists = new Set(caseListIds(ctx.config));
  const beforeRaw = await readCursor(ctx.store.db, CURSOR);
  const before = parseMappingHealth(beforeRaw);
  const now = ctx.now();
  /** What this check read, per list: when it began reading it, and the drift found there. */
  const read = new Map<string, { at: number; drift: Drift[] }>();
  for (const listId of lists) {
    const at = ctx.now();
    const [list, fields] = [await ctx.clickup.getList(listId), await ctx.clickup.getListFields(listId)];
    // A list that cannot be read keeps its last findings.
    if (!list.ok || !fields.ok) continue;
    const expected = byList.get(listId);
    if (!expected) {
      read.set(listId, { at, drift: [] });
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
    read.set(listId, { at, drift: found });
    // What changed on the list since the last check: the fields the writes resolve by name are read afresh.
    const was = before.drift.filter((d) => d.listId === listId).map((d) => d.reason);
    if (was.length !== found.length || found.some((d) => !was.includes(d.reason))) {
      if (caseLists.has(listId)) await ctx.fields.load(listId).catch(() => undefined); // unreadable: the next write loads it
      forgetFlowFields(ctx, listId);
    }
  }
  // Saved over the findings as this check read them (one guarded statement, saveCursorOver). Another instance's
  // check, or a write's re-read of one list (writeDrift), may have saved meanwhile: a blind write put this
  // check's older reading of a list over theirs (a rename they found dropped, so writes went out to a field or
  // status that is gone) and dropped their findings on lists this check did not read. Merged per list: the
  // latest reading of each list stands.
  const savedRaw = await saveCursorOver(
    ctx.store.db,
    CURSOR,
    beforeRaw,
    JSON.stringify(withReadings(before, read)),
    (theirs) => JSON.stringify(withReadings(parseMappingHealth(theirs), read)),
    now,
  );
  const saved = parseMappingHealth(savedRaw);
  const drift = saved.drift;
  // The lists whose saved findings are this check's: a later reading (another instance's) may stand instead.
  const ours = (listId: string) => saved.checked[listId] === read.get(listId)?.at;
  const clean = [...read].filter(([id, r]) => byList.has(id) && r.drift.length === 0 && ours(id)).map(([id]) => id);
  const newOnes = drift.filter(
    (d) => ours(d.listId) && !before.drift.some((b) => b.listId === d.listId && b.reason === d.reason),
  );
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
  released += await releaseMappedStatuses(ctx, now);
  if (released > 0) ctx.wake();
  return { drift, released };
}

/**
 * Changes held because a case task moved to a ClickUp status the status map did not know: sent once the map
 * names that status (config is read at start-up, so after a restart with the new mapping). Each held row is
 * released by one guarded update, so a second check or instance sends nothing twice.
 */
async function releaseMappedStatuses(ctx: SyncContext, now: number): Promise<number> {
  let released = 0;
  for (const h of await countHeldByActor(ctx.store.db)) {
    if (!h.actor.startsWith(UNMAPPED_HOLD_PREFIX)) continue;
    const status = h.actor.slice(UNMAPPED_HOLD_PREFIX.length);
    if (!toPartnerStatus(status, ctx.config.clickup.status_map)) continue;
    const n = await settleHeldChanges(
      ctx.store.db,
      { actor: h.actor },
      'released',
      'gridbridge:mapping_check',
      now,
      ctx.config.dispatcher.max_attempts,
    );
    if (n > 0)
      ctx.logger.info({ status, released: n }, 'the status map now names this ClickUp status: held changes sent');
    released += n;
  }
  return released;
}

/**
 * The drift that stops a write to a flow's list: a status it sets, or a field (by its ClickUp name) or an
 * option it writes. `known`: from the last check, no call; otherwise the list is read now (after ClickUp refused
 * a write, or a field value did not fit), so a rename between two checks holds the write too.
 */
export async function writeDrift(
  ctx: SyncContext,
  listId: string,
  w: { status?: string | null; fields?: Record<string, string | undefined>; values?: Record<string, unknown> },
  known: boolean,
): Promise<Drift | null> {
  const written = new Set(
    Object.entries(w.fields ?? {})
      .filter(([k, name]) => name && w.values?.[k] !== null && w.values?.[k] !== undefined)
      .map(([, name]) => name!.trim().toLowerCase()),
  );
  const pick = (drift: readonly Drift[]) =>
    (w.status ? statusDrift(drift, listId, w.status) : null) ??
    (w.fields
      ? fieldDrift(
          drift.filter((d) =>
            d.what === 'field'
              ? written.has(d.name.trim().toLowerCase())
              : d.what !== 'option' || written.has((d.field ?? '').trim().toLowerCase()),
          ),
          listId,
          w.values ?? {},
        )
      : null);
  if (known) return pick((await readMappingHealth(ctx.store.db)).drift);
  return pick((await checkMappingHealth(ctx, [listId])).drift);
}

/** What a held change is about, for its audit row (a case, an approval request, a task group). */
export interface HeldOn {
  entity: string;
  id: string;
}

/**
 * Hold a change the list cannot take until the mapping fits again: kept with its job (under a new key, so
 * its release enqueues it once) and the reason, audited on its case (or request, or group); the health check
 * releases it. `actor` defaults to the list's (released when the list fits the mapping again).
 */
export function holdForMapping(
  ctx: SyncContext,
  job: NewJob,
  on: string | HeldOn,
  d: Pick<Drift, 'listId' | 'what' | 'name' | 'mapping' | 'reason'>,
): JobOutcome {
  const target = typeof on === 'string' ? { entity: 'case', id: on } : on;
  return {
    status: 'done',
    commit: (trx) => recordMappingHold(ctx, trx, { job, on: target, d }),
  };
}

/**
 * Keep one held change of the mapping (the commit of `holdForMapping`, or a route's own in its transaction),
 * under a new key: the job that held it is done, its release enqueues the change once, and a change released
 * too early (by an admin, before the mapping fits) is held again rather than lost. `once`: the change comes
 * from a ClickUp delivery that may come again (a redelivery, the catch-up): held once, and one an admin
 * dropped stays dropped. `actor` defaults to the list's (released when the list fits the mapping again).
 */
export async function recordMappingHold(
  ctx: SyncContext,
  trx: Transaction<Database>,
  h: {
    job: NewJob;
    on: HeldOn;
    d: Pick<Drift, 'listId' | 'what' | 'name' | 'mapping' | 'reason'>;
    actor?: string;
    once?: boolean;
  },
): Promise<void> {
  const { on, d } = h;
  const now = ctx.now();
  if (h.once) {
    const before = await latestChangeState(trx, h.job.key);
    if (before === 'held' || before === 'dropped') return;
  }
  const job = { ...h.job, key: `${h.job.key}:held:${now}` };
  const fresh = await recordChange(trx, {
    actor: h.actor ?? holdActor(d.listId),
    at: now,
    job,
    state: 'held',
    reason: d.reason,
    ...(on.entity === 'case' ? { caseId: on.id } : {}),
  });
  if (!fresh) return;
  await appendAudit(
    trx,
    {
      actor: 'gridbridge',
      entity: on.entity,
      entityId: on.id,
      action: 'held_mapping',
      after: { kind: job.kind, list: d.listId, what: d.what, name: d.name, mapping: d.mapping, reason: d.reason },
    },
    now,
  );
  ctx.logger.warn({ [on.entity]: on.id, kind: job.kind, list: d.listId }, `change held: ${d.reason}`);
}

/** Held changes of the mapping, grouped as the console and doctor show them (one line per list or status). */
export async function mappingHolds(
  db: Store['db'] | Transaction<Database>,
): Promise<Array<{ actor: string; n: number; kind: 'list' | 'unmapped_status'; name: string }>> {
  return (await countHeldByActor(db))
    .filter((h) => h.actor.startsWith(MAPPING_HOLD_PREFIX))
    .map((h) =>
      h.actor.startsWith(UNMAPPED_HOLD_PREFIX)
        ? { ...h, kind: 'unmapped_status' as const, name: h.actor.slice(UNMAPPED_HOLD_PREFIX.length) }
        : { ...h, kind: 'list' as const, name: h.actor.slice(MAPPING_HOLD_PREFIX.length) },
    );
}
