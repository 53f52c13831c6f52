import type { Command } from 'commander';
import { hashPassword } from '../../server/admin/password.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('console sign-in helpers');
  admin
    .command('hash-password')
    .description('read a password on stdin, print its scrypt hash for admin.users[].password_hash (store it in a file or env var)')
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
}
