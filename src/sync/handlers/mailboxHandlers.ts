import type { SyncContext } from '../context.ts';
import type { JobHandler } from '../dispatcher.ts';
import { mailboxScanHandler } from './mailboxScan.ts';
import { mailboxExceptionHandler } from './mailboxException.ts';
import { uploadMailboxFileHandler } from './uploadMailboxFile.ts';
import { acCsvScanHandler } from './acCsvScan.ts';

/** Job kinds of the `mailbox` (EDI) and `ac_csv` drivers. Registered whether or not configured: queued jobs outlive config changes. */
export function mailboxHandlers(ctx: SyncContext): [string, JobHandler][] {
  return [
    ['mailbox.scan', mailboxScanHandler(ctx)],
    ['mailbox.exception', mailboxExceptionHandler(ctx)],
    ['clickup.upload_mailbox_file', uploadMailboxFileHandler(ctx)],
    ['accsv.scan', acCsvScanHandler(ctx)],
  ];
}
