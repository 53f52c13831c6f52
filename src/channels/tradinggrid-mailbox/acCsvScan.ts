import type { SyncContext } from '../../sync/context.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import type { MailboxPayload } from './jobs.ts';
import { AcCsvDriver, type AcPartnerEvent } from '../../connectors/tradinggrid/accsv/acCsvDriver.ts';
import type { AcRowProblem } from '../../connectors/tradinggrid/accsv/acCsv.ts';
import { recordInboundEvent } from '../../store/ops/recordInboundEvent.ts';
import { newEngineJob } from '../../sync/engineJobs.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { openTransport } from './mailboxRuntime.ts';
import { SqlAcSnapshotState } from './sqlMailboxState.ts';

/**
 * `accsv.scan` (scheduled): read Active Community exports, and put each partner event in the inbox as a
 * `tg.event` job for the flows that take trading_partner events. Unlike webhook events these are full
 * (data holds the whole partner from the export) and say `source: 'ac_csv'`: a route should use the data
 * rather than re-read the partner from the community API, which may not know it. A bad row is logged and
 * kept in the audit log with its file and line; the good rows go on.
 */
export function acCsvScanHandler(ctx: SyncContext): TypedJobHandler<MailboxPayload<'accsv.scan'>> {
  return async () => {
    const cfg = ctx.config.ac_csv;
    if (!cfg) return { status: 'done' };
    const transport = await openTransport(cfg.transport, 'ac_csv.transport');
    if (!transport.ok) return { status: 'fail', error: `ac_csv: ${transport.error.detail}` };
    const deliver = async ({ events, problems }: { events: AcPartnerEvent[]; problems: AcRowProblem[] }) => {
      const now = ctx.now();
      for (const ev of events) {
        await recordInboundEvent(
          ctx.store.db,
          { source: 'ac_csv', eventId: ev.id, type: ev.type, payload: ev },
          newEngineJob(
            'tg.event',
            { ...ev, source: 'ac_csv' },
            { key: `tg.event:${ev.id}`, queueKey: `partner:${ev.data.id}` },
          ),
          now,
        );
      }
      for (const p of problems) {
        ctx.logger.warn({ file: p.file, line: p.line, problem: p.message }, 'AC CSV row skipped');
        await appendAudit(
          ctx.store.db,
          {
            actor: 'ac_csv',
            entity: 'ac_csv_file',
            entityId: p.file,
            action: 'row_rejected',
            after: { line: p.line, message: p.message },
          },
          now,
        );
      }
    };
    const driver = new AcCsvDriver(transport.value, new SqlAcSnapshotState(ctx.store.db, ctx.now), { deliver });
    try {
      const r = await driver.scanOnce(new Date(ctx.now()));
      if (!r.ok) {
        if (!r.error.retryable) return { status: 'fail', error: `ac_csv: ${r.error.detail} [${r.error.code}]` };
        ctx.logger.warn({ error: r.error }, 'AC CSV scan failed; the next slot tries again');
        return { status: 'done' };
      }
      if (r.value.files.length > 0)
        ctx.logger.info(
          { files: r.value.files, events: r.value.events.length, problems: r.value.problems.length },
          'AC CSV export read',
        );
      return { status: 'done' };
    } finally {
      await driver.close();
    }
  };
}
