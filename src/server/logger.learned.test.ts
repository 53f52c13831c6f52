import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { addLogSecret, configSecretValues, createLogger } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _e, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('log scrubbing of secrets beyond the resolved connector secrets', () => {
  it('a secret learned at run time (webhook secret, access token) is scrubbed from then on, in messages and fields', () => {
    const { lines, logger } = capture();
    addLogSecret(logger, 'eyJhbGciOi.access-token-value');
    logger.warn(
      { detail: 'GET /cases?token=eyJhbGciOi.access-token-value failed' },
      'request with eyJhbGciOi.access-token-value',
    );
    expect(lines.join('')).not.toContain('access-token-value');
    expect(lines.join('')).toContain('[redacted]');
  });

  it('every {env}/{file} reference in the config is collected: admin tokens, SFTP password and passphrase, secrets.key', () => {
    const env: Record<string, string> = {
      ADMIN: 'admin-token-0123456789',
      SFTP_PW: 'sftp-password-x',
      PASS: 'key-passphrase-y',
      KEY: 'c2VjcmV0cy1rZXktYmFzZTY0',
    };
    const config = {
      admin: { tokens: [{ name: 'ops', token: { env: 'ADMIN' } }] },
      mailbox: { transport: { kind: 'sftp', password: { env: 'SFTP_PW' }, passphrase: { env: 'PASS' } } },
      secrets: { key: { env: 'KEY' }, previous_keys: [] },
      store: { url: 'sqlite:x' },
    };
    const values = configSecretValues(config, (ref) => ('env' in ref ? (env[ref.env] ?? null) : null));
    expect(values.sort()).toEqual(Object.values(env).sort());
    const { lines, logger } = capture();
    for (const v of values) addLogSecret(logger, v);
    logger.error(
      { err: new Error(`auth failed for sftp-password-x with key-passphrase-y`) },
      'admin-token-0123456789 c2VjcmV0cy1rZXktYmFzZTY0',
    );
    for (const v of values) expect(lines.join('')).not.toContain(v);
  });
});
