// Entry of the intake thread (server.intake_thread): a worker starts without the parent's loader, so it
// registers tsx itself, like bin/gridbridge.mjs, before loading the TypeScript.
import { register } from 'tsx/esm/api';
register();
await import('./intakeWorker.ts');
