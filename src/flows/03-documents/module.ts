import type { FlowModule } from '../../sync/flowModule.ts';
import { uploadToClickUpHandler } from './uploadToClickUpHandler.ts';
import { uploadToTradingGridHandler } from './uploadToTradingGridHandler.ts';
import { documentAddedRoute } from './routes.ts';
import { documentJobs } from './jobs.ts';

/** Flow 3: documents of a linked case, both ways (ClickUp files reach it through flow 2's case route). */
export const documentsFlow: FlowModule = {
  id: '03-documents',
  title: 'Documents',
  enabled: () => true,
  jobs: {
    'clickup.upload_document': { schema: documentJobs['clickup.upload_document'], handler: uploadToClickUpHandler },
    'tradinggrid.upload_document': {
      schema: documentJobs['tradinggrid.upload_document'],
      handler: uploadToTradingGridHandler,
    },
  },
  tgRoutes: [{ name: 'document.added', order: 130, route: documentAddedRoute }],
};
