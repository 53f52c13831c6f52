import type { Store } from '../../store/db.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { listCasesAwaitingMapping } from '../../store/ops/cases.ts';
import { newJob } from '../catalogue.ts';

/** Cases held for a missing partner mapping that the config now maps are queued for intake again. */
export async function requeueHeldCases(store: Store, mappedPartners: readonly string[], now: number): Promise<number> {
  if (mappedPartners.length === 0) return 0;
  const held = await listCasesAwaitingMapping(store.db, mappedPartners);
  return enqueueJobs(
    store.db,
    held.map((c) =>
      newJob(
        'case.reintake',
        { caseId: c.id, source: c.source },
        { key: `case.reintake:${c.id}:${now}`, queueKey: `case:${c.id}` },
      ),
    ),
    now,
  );
}
