// Micro-benchmark: CPU per job-sized group of store writes (an audit row, a field memory upsert, a case upsert
// and a status change, in one transaction on SQLite), through the ops as they are (fixed statements: built
// and compiled once) against the same statements built and compiled by Kysely on every call (what the ops
// did before). In-process, interleaved rounds (the machine is shared).
// node --import tsx bench/micro/storeWrites.ts
import { loadavg } from 'node:os';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { CaseRecord } from '../../src/core/case.ts';
import type { Database } from '../../src/store/schema.ts';
import { appendAudit } from '../../src/store/ops/audit.ts';
import { rememberField } from '../../src/store/ops/fieldMemory.ts';
import { saveCase } from '../../src/store/ops/cases.ts';
import { recordStatusChange } from '../../src/store/ops/recordStatusChange.ts';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';

type Trx = Transaction<Database>;

function aCase(i: number): CaseRecord {
  return {
    id: `C-${i % 500}`,
    source: 'community',
    partnerId: 'P-ACME',
    partnerName: 'Acme Retail',
    partnerTier: 'standard',
    kind: 'dispute',
    exception: null,
    title: `Case ${i}`,
    description: 'short-shipped pallet',
    transactionRef: null,
    value: null,
    partnerStatus: i % 2 ? 'received' : 'in_review',
    state: 'active',
    holdReason: null,
    slaDueAt: null,
    openedAt: 1_700_000_000_000,
    resolvedAt: null,
    updatedAt: 1_700_000_000_000 + i,
  };
}

async function viaOps(trx: Trx, i: number) {
  const c = aCase(i);
  await appendAudit(trx, { actor: 'bridge', entity: 'case', entityId: c.id, action: 'intake', after: { i } }, i);
  await rememberField(trx, 'case', c.id, 'status', 'agreed', { value: c.partnerStatus, at: i });
  await saveCase(trx, c);
  await recordStatusChange(trx, c.id, c.partnerStatus, i);
}

/** The same four statements built by Kysely on each call (the ops' code before fixed statements). */
async function viaBuilder(trx: Trx, i: number) {
  const c = aCase(i);
  await trx
    .insertInto('audit_log')
    .values({
      at: i,
      actor: 'bridge',
      entity: 'case',
      entity_id: c.id,
      action: 'intake',
      before: null,
      after: JSON.stringify({ i }),
    })
    .execute();
  await trx
    .insertInto('sync_hashes')
    .values({ entity: 'case', entity_id: c.id, side: 'agreed', field: 'status', hash: c.partnerStatus, synced_at: i })
    .onConflict((oc) =>
      oc
        .columns(['entity', 'entity_id', 'side', 'field'])
        .doUpdateSet({ hash: c.partnerStatus, synced_at: i })
        .where('sync_hashes.synced_at', '<=', i),
    )
    .execute();
  const row = {
    id: c.id,
    source: c.source,
    partner_id: c.partnerId,
    kind: c.kind,
    partner_status: c.partnerStatus,
    state: c.state,
    hold_reason: c.holdReason,
    sla_due_at: c.slaDueAt,
    opened_at: c.openedAt,
    resolved_at: c.resolvedAt,
    updated_at: c.updatedAt,
    data: JSON.stringify(c),
  };
  await trx
    .insertInto('cases')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, id: undefined }))
    .execute();
  await sql`
    INSERT INTO case_status_history (case_id, status, at)
    SELECT ${c.id}, ${c.partnerStatus}, ${i}
    WHERE COALESCE((SELECT h.status FROM case_status_history h WHERE h.case_id = ${c.id} ORDER BY h.at DESC, h.id DESC LIMIT 1), '') <> ${c.partnerStatus}`.execute(
    trx,
  );
}

async function round(db: Kysely<Database>, fn: (trx: Trx, i: number) => Promise<void>, n: number, from: number) {
  const cpu0 = process.cpuUsage();
  for (let i = from; i < from + n; i++) await db.transaction().execute((trx) => fn(trx, i));
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000 / n;
}

const { store, cleanup } = await tempSqliteStore();
const n = Number(process.env.N ?? 3000);
const rounds = Number(process.env.ROUNDS ?? 6);
let at = 1;
await round(store.db, viaBuilder, 500, (at += 500));
await round(store.db, viaOps, 500, (at += 500));
const a: number[] = [];
const b: number[] = [];
for (let r = 0; r < rounds; r++) {
  a.push(await round(store.db, viaBuilder, n, (at += n)));
  b.push(await round(store.db, viaOps, n, (at += n)));
}
const med = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
process.stdout.write(
  `${JSON.stringify({ n, rounds, cpu_ms_per_job_writes: { kysely_each_call: med(a), fixed_statements: med(b) }, kysely_each_call: a, fixed_statements: b, load_average: loadavg() }, null, 1)}\n`,
);
await cleanup();
