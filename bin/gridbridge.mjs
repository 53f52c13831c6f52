#!/usr/bin/env node
// The compiled build (dist/, `npm run build`) when it is complete and not older than the sources; otherwise the
// TypeScript sources directly through tsx's loader: no build step needed to try it or to develop (bin/buildEntry.mjs).
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chooseEntry } from './buildEntry.mjs';

const chosen = chooseEntry(fileURLToPath(new URL('..', import.meta.url)));
if (chosen.entry === 'sources') {
  // A build that exists but is older than the sources is not run; say so, or its speed would be missed quietly.
  if (chosen.stale)
    process.stderr.write(`gridbridge: running the sources through tsx (${chosen.why}; \`npm run build\` again)\n`);
  const { register } = await import('tsx/esm/api');
  register();
}
await import(pathToFileURL(chosen.main).href);
