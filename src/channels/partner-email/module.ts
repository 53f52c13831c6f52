import type { FlowModule } from '../../sync/flowModule.ts';
import { partnerEmailJobs } from './jobs.ts';
import { partnerDigestHandler, partnerEmailHandler } from './sendHandlers.ts';
import { partnerActionHandler } from './actionHandlers.ts';

/** E-mail and partner pages: messages to partners without a community account, and what they answer. */
export const partnerEmailChannel: FlowModule = {
  id: 'partner-email',
  title: 'Partner e-mail and pages',
  enabled: () => true,
  jobs: {
    'partner.email': { schema: partnerEmailJobs['partner.email'], handler: partnerEmailHandler },
    'partner.digest': { schema: partnerEmailJobs['partner.digest'], handler: partnerDigestHandler },
    'partner.action': { schema: partnerEmailJobs['partner.action'], handler: partnerActionHandler },
  },
};
