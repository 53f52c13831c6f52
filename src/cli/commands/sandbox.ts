import type { Command } from 'commander';
import { startClickUpSandbox } from '../../sandbox/clickup/server.ts';
import { startTradingGridSandbox } from '../../sandbox/tradinggrid/index.ts';
import { onShutdown } from './start.ts';

export function registerSandboxCommands(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description('run a simulator of ClickUp or Trading Grid on 127.0.0.1 (for trying gridbridge without accounts)');
  sandbox
    .command('clickup')
    .option('-p, --port <port>', 'port (0 = any free one)', (v) => Number(v), 0)
    .option('--rate-limit <perMinute>', 'requests per minute per token, or "none"', '100')
    .option('--time-scale <factor>', 'virtual time runs this many times faster', (v) => Number(v), 1)
    .description(
      'ClickUp API v2 look-alike: seeded workspace, rate-limit headers, signed webhooks, control API under /_sandbox',
    )
    .action(async (opts: { port: number; rateLimit: string; timeScale: number }) => {
      const rate = opts.rateLimit === 'none' ? null : Number(opts.rateLimit);
      if (rate !== null && !(rate > 0)) {
        process.stderr.write(`--rate-limit must be a positive number or "none" (got ${opts.rateLimit})\n`);
        process.exitCode = 1;
        return;
      }
      const s = await startClickUpSandbox({ port: opts.port, rateLimitPerMinute: rate, timeScale: opts.timeScale });
      process.stdout.write(
        `${JSON.stringify({ url: s.url, control: `${s.origin}/_sandbox`, token: s.token, team_id: s.teamId, space_id: s.spaceId, lists: s.lists }, null, 2)}\n`,
      );
      onShutdown(() => s.close());
    });
  sandbox
    .command('tradinggrid')
    .option('-p, --port <port>', 'port (0 = any free one)', (v) => Number(v), 0)
    .option('--webhook-url <url>', 'where to deliver signed events (e.g. http://127.0.0.1:8787/webhooks/tradinggrid)')
    .description(
      'Trading Grid community-contract look-alike: OAuth2, paging, idempotent writes, signed events, partner controls under /_sandbox',
    )
    .action(async (opts: { port: number; webhookUrl?: string }) => {
      const s = await startTradingGridSandbox({ port: opts.port, webhookUrl: opts.webhookUrl });
      process.stdout.write(
        `${JSON.stringify({ url: s.url, tenant_id: s.tenantId, client_id: s.clientId, client_secret: s.clientSecret, webhook_secret: s.webhookSecret, webhook_url: opts.webhookUrl ?? null }, null, 2)}\n`,
      );
      onShutdown(() => s.close());
    });
}
