import type { FlowModule } from '../../sync/flowModule.ts';
import { untypedJob } from '../../sync/untypedJob.ts';
import { partnerDigestHandler, partnerEmailHandler } from './sendHandlers.ts';
import { partnerActionHandler } from './actionHandlers.ts';

/** E-mail and partner pages: messages to partners without a community account, and what they answer. */
export const partnerEmailChannel: FlowModule = {
  id: 'partner-email',
  title: 'Partner e-mail and pages',
  enabled: () => true,
  jobs: {
    'partner.email': untypedJob(partnerEmailHandler),
    'partner.digest': untypedJob(partnerDigestHandler),
    'partner.action': untypedJob(partnerActionHandler),
  },
};
