export { createCommunityDriver, listParams, type CommunityDriver, type CommunityDriverOptions } from './driver.ts';
export { pollChanges } from './pollChanges.ts';
