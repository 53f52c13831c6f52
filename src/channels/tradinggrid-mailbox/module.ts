import type { FlowModule } from '../../sync/flowModule.ts';
import { untypedJob } from '../../sync/untypedJob.ts';
import { mailboxScanHandler } from './mailboxScan.ts';
import { mailboxExceptionHandler } from './mailboxException.ts';
import { uploadMailboxFileHandler } from './uploadMailboxFile.ts';
import { acCsvScanHandler } from './acCsvScan.ts';
import { registerMailboxSchedules } from './mailboxSchedules.ts';

/** The Trading Grid mailbox (EDI files) and the AC CSV drop: the cases they carry enter flow 1. */
export const mailboxChannel: FlowModule = {
  id: 'tradinggrid-mailbox',
  title: 'Trading Grid mailbox',
  enabled: () => true,
  jobs: {
    'mailbox.scan': untypedJob(mailboxScanHandler),
    'mailbox.exception': untypedJob(mailboxExceptionHandler),
    'clickup.upload_mailbox_file': untypedJob(uploadMailboxFileHandler),
    'accsv.scan': untypedJob(acCsvScanHandler),
  },
  schedules: registerMailboxSchedules,
};
