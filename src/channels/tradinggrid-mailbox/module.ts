import type { FlowModule } from '../../sync/flowModule.ts';
import { mailboxJobs } from './jobs.ts';
import { mailboxScanHandler } from './mailboxScan.ts';
import { mailboxExceptionHandler } from './mailboxException.ts';
import { uploadMailboxFileHandler } from './uploadMailboxFile.ts';
import { acCsvScanHandler } from './acCsvScan.ts';
import { registerMailboxSchedules } from './mailboxSchedules.ts';
import { as2MdnHandler } from './as2Mdn.ts';

/** The Trading Grid mailbox (EDI files) and the AC CSV drop: the cases they carry enter flow 1. */
export const mailboxChannel: FlowModule = {
  id: 'tradinggrid-mailbox',
  title: 'Trading Grid mailbox',
  enabled: () => true,
  jobs: {
    'mailbox.scan': { schema: mailboxJobs['mailbox.scan'], handler: mailboxScanHandler },
    'mailbox.exception': { schema: mailboxJobs['mailbox.exception'], handler: mailboxExceptionHandler },
    'clickup.upload_mailbox_file': {
      schema: mailboxJobs['clickup.upload_mailbox_file'],
      handler: uploadMailboxFileHandler,
    },
    'accsv.scan': { schema: mailboxJobs['accsv.scan'], handler: acCsvScanHandler },
    'as2.mdn': { schema: mailboxJobs['as2.mdn'], handler: as2MdnHandler },
  },
  schedules: registerMailboxSchedules,
};
