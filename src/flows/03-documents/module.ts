import type { FlowModule } from '../../sync/flowModule.ts';
import { uploadDocumentHandler } from '../../sync/handlers/uploadDocument.ts';
import { uploadToTradingGridHandler } from '../../sync/handlers/caseEffects.ts';
import { documentJobs } from './jobs.ts';

/** Flow 3: documents of a linked case, both ways. */
export const documentsFlow: FlowModule = {
  id: '03-documents',
  title: 'Documents',
  enabled: () => true,
  jobs: {
    'clickup.upload_document': { schema: documentJobs['clickup.upload_document'], handler: uploadDocumentHandler },
    'tradinggrid.upload_document': { schema: documentJobs['tradinggrid.upload_document'], handler: uploadToTradingGridHandler },
  },
};
