import type { FlowModule } from '../../sync/flowModule.ts';
import { ediPartnerJobs } from './jobs.ts';
import { sendEdiFileHandler } from './send.ts';
import { functionalAckHandler } from './functionalAck.ts';
import { as2MdnInHandler, as2MdnOverdueHandler } from './as2Send.ts';

/** EDI written back to partners (decisions, case statuses): each file queued with its control numbers, then sent. */
export const ediPartnerChannel: FlowModule = {
  id: 'edi-partner',
  title: 'EDI to partners',
  enabled: () => true,
  jobs: {
    'edi.send_file': { schema: ediPartnerJobs['edi.send_file'], handler: sendEdiFileHandler },
    'edi.functional_ack': { schema: ediPartnerJobs['edi.functional_ack'], handler: functionalAckHandler },
    'edi.as2_mdn': { schema: ediPartnerJobs['edi.as2_mdn'], handler: as2MdnInHandler },
    'edi.as2_mdn_overdue': { schema: ediPartnerJobs['edi.as2_mdn_overdue'], handler: as2MdnOverdueHandler },
  },
};
