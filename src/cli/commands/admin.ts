import type { Command } from 'commander';
import { hashPassword } from '../../server/admin/password.ts';
import { openMigratedStore } from '../../store/db.ts';
import { revokeAdminSessions } from '../../store/ops/adminSessions.ts';
import { storeUrlFrom } from '../loadConfigForCommand.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('console sign-in helpers');
  admin
    .command('hash-password')
    .description(
      'read a password on stdin, print its scrypt hash for admin.users[].password_hash (store it in a file or env var)',
    )
    .action(async () => {
      if (process.stdin.isTTY) process.stderr.write('password (then Enter and Ctrl-D): ');
      const pw = await readStdin();
      if (pw.length < 12) {
        process.stderr.write('use at least 12 characters\n');
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${await hashPassword(pw)}\n`);
    });
  admin
    .command('revoke-sessions')
    .description(
      'sign everyone out of the console (or one user / token with --actor): their sessions end at their next request',
    )
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .option('--store <url>', 'store URL (instead of the config file)')
    .option('--actor <name>', "only this user name, or token:<name> for a token's sessions")
    .action(async (opts: { config: string; store?: string; actor?: string }) => {
      const store = await openMigratedStore(storeUrlFrom(opts));
      try {
        const n = await revokeAdminSessions(store.db, opts.actor);
        process.stdout.write(`${n} session(s) revoked${opts.actor ? ` for ${opts.actor}` : ''}\n`);
      } finally {
        await store.close();
      }
    });
}
