// The bridge of the `intake` bench in a process of its own: `node --import tsx bench/intakeBridge.ts CONFIG.json`
// with the sandboxes' secrets in its environment (as `gridbridge start` reads them). INTAKE_NO_DISPATCH=1
// starts it without the dispatcher (the baseline: intake alone). Prints `READY <url>` once listening.
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { startBridge } from '../src/server/bridge.ts';
import type { GridbridgeConfig } from '../src/config/schema.ts';
import type { ResolvedSecrets } from '../src/config/load.ts';

const { config, secrets } = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  config: GridbridgeConfig;
  secrets: ResolvedSecrets;
};
const bridge = await startBridge({
  config,
  secrets,
  logger: pino({ level: 'error' }),
  manualDispatch: process.env.INTAKE_NO_DISPATCH === '1',
});
process.stdout.write(`READY ${bridge.url}\n`);
process.on('SIGTERM', () => {
  void bridge.stop().then(() => process.exit(0));
});
