import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { loadConfigFile, type SecretSource } from '../../config/load.ts';
import type { GridbridgeConfig } from '../../config/schema.ts';
import { openMigratedStore } from '../../store/db.ts';
import { listSecretKeys, rotateSecrets, type RotationReport } from '../../store/ops/secrets.ts';
import { resolveSecretBox, SECRET_KEY_ENV } from '../../server/secretKeys.ts';

/** A new random 256-bit key, base64 (what `secrets.key` / GRIDBRIDGE_SECRET_KEY expect). */
export function generateSecretKey(): string {
  return randomBytes(32).toString('base64');
}

export interface RotateKeyInput {
  config: GridbridgeConfig;
  /** Extra old keys named on the command line, added to secrets.previous_keys. */
  oldKeys: Array<{ env: string } | { file: string }>;
  storeUrl?: string;
  source?: SecretSource;
  now?: () => number;
}

/**
 * Re-seal every stored secret with the current key (secrets.key or GRIDBRIDGE_SECRET_KEY), opening the
 * old values with secrets.previous_keys plus `oldKeys`. Safe to run while the bridge runs: each row is a
 * guarded update, and a bridge that lists the old key in previous_keys reads both until it restarts.
 */
export async function rotateKey(
  input: RotateKeyInput,
): Promise<{ ok: true; report: RotationReport; keyId: string } | { ok: false; problems: string[] }> {
  const cfg = {
    secrets: { ...input.config.secrets, previous_keys: [...input.config.secrets.previous_keys, ...input.oldKeys] },
  };
  const r = resolveSecretBox(cfg, input.source);
  if (!r.ok) return { ok: false, problems: r.problems.map((p) => `${p.path}: ${p.message}`) };
  if (!r.box) return { ok: false, problems: [`no current key: set secrets.key in the config or ${SECRET_KEY_ENV}`] };
  const store = await openMigratedStore(input.storeUrl ?? input.config.store.url);
  try {
    const report = await rotateSecrets(store.db, r.box, 'cli:secrets rotate-key', (input.now ?? Date.now)());
    return { ok: true, report, keyId: r.box.currentKeyId };
  } finally {
    await store.close();
  }
}

export function registerSecretsCommands(program: Command): void {
  const secrets = program.command('secrets').description('secrets sealed in the store (AES-256-GCM)');
  secrets
    .command('generate-key')
    .description('print a new random 256-bit key for secrets.key / GRIDBRIDGE_SECRET_KEY')
    .action(() => {
      process.stdout.write(`${generateSecretKey()}\n`);
    });
  secrets
    .command('status')
    .description('list stored secrets by name with the id of the key that sealed each (never values)')
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .action(async (opts: { config: string }) => {
      const c = loadConfigFile(opts.config);
      if (!c.ok) {
        for (const p of c.problems) process.stderr.write(`${opts.config}: ${p.path || '(file)'}: ${p.message}\n`);
        process.exitCode = 1;
        return;
      }
      const box = resolveSecretBox(c.config);
      const current = box.ok && box.box ? box.box.currentKeyId : null;
      const store = await openMigratedStore(c.config.store.url);
      try {
        const rows = await listSecretKeys(store.db);
        if (rows.length === 0) process.stdout.write('no stored secrets\n');
        for (const row of rows)
          process.stdout.write(
            `${row.name}  key ${row.keyId}${row.keyId === current ? ' (current)' : current ? ' (old: run secrets rotate-key)' : ''}  updated ${new Date(row.updatedAt).toISOString()}\n`,
          );
      } finally {
        await store.close();
      }
    });
  secrets
    .command('rotate-key')
    .description(
      're-seal stored secrets with the current key; old keys come from secrets.previous_keys or --old-key-env/--old-key-file',
    )
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .option(
      '--old-key-env <name>',
      'environment variable holding the previous key (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option(
      '--old-key-file <path>',
      'file holding the previous key (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--store <url>', 'store URL (instead of the config file)')
    .action(async (opts: { config: string; oldKeyEnv: string[]; oldKeyFile: string[]; store?: string }) => {
      const c = loadConfigFile(opts.config);
      if (!c.ok) {
        for (const p of c.problems) process.stderr.write(`${opts.config}: ${p.path || '(file)'}: ${p.message}\n`);
        process.exitCode = 1;
        return;
      }
      const r = await rotateKey({
        config: c.config,
        oldKeys: [...opts.oldKeyEnv.map((env) => ({ env })), ...opts.oldKeyFile.map((file) => ({ file }))],
        storeUrl: opts.store,
      });
      if (!r.ok) {
        for (const p of r.problems) process.stderr.write(`${p}\n`);
        process.exitCode = 1;
        return;
      }
      const { rotated, alreadyCurrent, unreadable } = r.report;
      process.stdout.write(
        `current key ${r.keyId}: ${rotated.length} re-sealed, ${alreadyCurrent.length} already current, ${unreadable.length} unreadable\n`,
      );
      for (const u of unreadable) process.stderr.write(`  ${u.name}: ${u.reason}\n`);
      if (unreadable.length > 0) process.exitCode = 1;
    });
}
