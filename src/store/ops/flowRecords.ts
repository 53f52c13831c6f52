import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

/** Row of `flow_records` (migration 003); kept beside its ops so the shared schema file stays untouched. */
export interface FlowRecordsTable {
  flow: string;
  id: string;
  state: string;
  lookup: string | null;
  version: number;
  data: string;
  updated_at: number;
}

type FlowDatabase = Database & { flow_records: FlowRecordsTable };
type Db = Kysely<Database> | Transaction<Database>;
const flowDb = (db: Db) => db as unknown as Kysely<FlowDatabase>;

export interface FlowRecord<T> {
  flow: string;
  id: string;
  state: string;
  /** Secondary key to find the record by (e.g. the Trading Grid notice of a rollout). */
  lookup: string | null;
  version: number;
  data: T;
}

function fromRow<T>(r: FlowRecordsTable): FlowRecord<T> {
  return {
    flow: r.flow,
    id: r.id,
    state: r.state,
    lookup: r.lookup,
    version: Number(r.version),
    data: JSON.parse(r.data) as T,
  };
}

export async function getFlowRecord<T>(db: Db, flow: string, id: string): Promise<FlowRecord<T> | null> {
  const r = await flowDb(db)
    .selectFrom('flow_records')
    .selectAll()
    .where('flow', '=', flow)
    .where('id', '=', id)
    .executeTakeFirst();
  return r ? fromRow<T>(r) : null;
}

export async function findFlowRecordByLookup<T>(db: Db, flow: string, lookup: string): Promise<FlowRecord<T> | null> {
  const r = await flowDb(db)
    .selectFrom('flow_records')
    .selectAll()
    .where('flow', '=', flow)
    .where('lookup', '=', lookup)
    .executeTakeFirst();
  return r ? fromRow<T>(r) : null;
}

export async function listFlowRecords<T>(
  db: Db,
  flow: string,
  states: readonly string[],
  limit = 1000,
): Promise<Array<FlowRecord<T>>> {
  if (states.length === 0) return [];
  const rows = await flowDb(db)
    .selectFrom('flow_records')
    .selectAll()
    .where('flow', '=', flow)
    .where('state', 'in', [...states])
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => fromRow<T>(r));
}

/**
 * Insert a record (expectVersion 0) or replace the version the caller read: one guarded statement, so
 * two workers deciding on the same record cannot both win. Returns false when the caller's read is stale.
 */
export async function saveFlowRecord<T>(
  db: Db,
  rec: { flow: string; id: string; state: string; lookup?: string | null; data: T },
  expectVersion: number,
  now: number,
): Promise<boolean> {
  const data = JSON.stringify(rec.data);
  if (expectVersion === 0) {
    const res = await flowDb(db)
      .insertInto('flow_records')
      .values({
        flow: rec.flow,
        id: rec.id,
        state: rec.state,
        lookup: rec.lookup ?? null,
        version: 1,
        data,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(['flow', 'id']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const res = await flowDb(db)
    .updateTable('flow_records')
    .set({ state: rec.state, lookup: rec.lookup ?? null, version: expectVersion + 1, data, updated_at: now })
    .where('flow', '=', rec.flow)
    .where('id', '=', rec.id)
    .where('version', '=', expectVersion)
    .executeTakeFirst();
  return Number(res.numUpdatedRows ?? 0) === 1;
}

/** Thrown inside a commit when a guarded save lost the race: the dispatcher retries the job, which reads again. */
export class StaleFlowRecord extends Error {
  constructor(flow: string, id: string) {
    super(`${flow} ${id} changed while this job decided; deciding again`);
  }
}

/** saveFlowRecord that aborts the surrounding transaction on a lost race. */
export async function saveFlowRecordOrThrow<T>(
  db: Db,
  rec: { flow: string; id: string; state: string; lookup?: string | null; data: T },
  expectVersion: number,
  now: number,
): Promise<void> {
  if (!(await saveFlowRecord(db, rec, expectVersion, now))) throw new StaleFlowRecord(rec.flow, rec.id);
}

/** The latest `limit` records of the given flows, newest first, with their data as stored (the admin API's overview). */
export async function listRecentFlowRows(
  db: Db,
  flows: readonly string[],
  limit: number,
): Promise<Array<Pick<FlowRecordsTable, 'flow' | 'id' | 'state' | 'data' | 'updated_at'>>> {
  return flowDb(db)
    .selectFrom('flow_records')
    .select(['flow', 'id', 'state', 'data', 'updated_at'])
    .where('flow', 'in', [...flows])
    .orderBy('updated_at', 'desc')
    .limit(limit)
    .execute();
}
