import type { FlowModule } from '../flowModule.ts';
import type { SyncContext } from '../context.ts';
import { pruneRetention } from '../../store/ops/pruneRetention.ts';
import { RetentionSection, type RetentionConfig } from '../../config/retentionSchema.ts';
import type { Config } from '../../config/schema.ts';
import { engineJobs } from '../engineJobs.ts';

/** The retention section; hand-built configs (tests, tools) without one get the defaults. */
const retentionOf = (c: Config): RetentionConfig =>
  (c as { retention?: RetentionConfig }).retention ?? RetentionSection.parse(undefined);

/** One pass of retention: every table, in bounded batches; what is left over waits for the next run. */
export function pruneHandler(ctx: SyncContext) {
  return async () => {
    const r = retentionOf(ctx.config);
    const results = await pruneRetention(
      ctx.store.db,
      r,
      { batchSize: r.batch_size, maxBatches: r.max_batches },
      ctx.now(),
    );
    const deleted = results.filter((x) => x.deleted > 0);
    if (deleted.length > 0 || results.some((x) => x.more)) {
      ctx.logger.info(
        {
          pruned: Object.fromEntries(deleted.map((x) => [x.table, x.deleted])),
          more: results.filter((x) => x.more).map((x) => x.table),
        },
        'retention: pruned old rows',
      );
    }
    return { status: 'done' as const };
  };
}

/**
 * Retention: `store.prune` runs on `retention.cron` and deletes rows past their
 * `retention.*_days`. An engine module, not a flow: it is loaded by src/sync/registry.ts like the
 * channels. Off with `retention.enabled: false` (stored prune jobs still drain).
 */
export const retentionModule: FlowModule = {
  id: 'retention',
  title: 'Retention and pruning',
  enabled: (c) => retentionOf(c).enabled,
  jobs: { 'store.prune': { schema: engineJobs['store.prune'], handler: pruneHandler } },
  schedules: (scheduler, ctx) => scheduler.add({ kind: 'store.prune', cron: retentionOf(ctx.config).cron }),
};
