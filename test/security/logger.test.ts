import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../../src/server/logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, destination };
}

describe('log redaction', () => {
  it('redacts tokens, secrets, passwords, authorization headers and cookies by field name, at any of the first levels', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', destination });
    log.info(
      {
        token: 'pk_123456',
        clickup: { token: 'pk_abcdef', team: 't1' },
        config: { tradinggrid: { client_secret: 'tg-secret-1' } },
        req: { headers: { authorization: 'Bearer abc', cookie: 'gb_session=xyz', 'content-type': 'application/json' } },
        res: { headers: { 'set-cookie': 'gb_session=xyz' } },
        headers: { 'webhook-signature': 'v1,abc', 'x-signature': 'deadbeef' },
        password: 'hunter22',
      },
      'hello',
    );
    const out = lines.join('');
    for (const s of [
      'pk_123456',
      'pk_abcdef',
      'tg-secret-1',
      'Bearer abc',
      'gb_session=xyz',
      'hunter22',
      'v1,abc',
      'deadbeef',
    ])
      expect(out).not.toContain(s);
    expect(out).toContain('[redacted]');
    expect(out).toContain('"team":"t1"');
    expect(out).toContain('application/json');
  });

  it('scrubs known secret values wherever they appear: messages, error text, nested strings', () => {
    const { lines, destination } = capture();
    const secret = 'pk_live_0123456789';
    const log = createLogger({ level: 'info', destination, secrets: [secret, 'abc'] });
    log.warn(
      { detail: `GET https://api.example/?token=${secret} failed`, list: [`x ${secret}`] },
      `calling with ${secret}`,
    );
    log.error(new Error(`auth failed for ${secret}`));
    const out = lines.join('');
    expect(out).not.toContain(secret);
    expect(out.match(/\[redacted\]/g)!.length).toBeGreaterThanOrEqual(4);
    expect(out).toContain('auth failed for');
  });

  it.each([
    ['a secret in the middle', 'a-secret-value', 'x a-secret-value y', 'x [redacted] y'],
    ['every occurrence', 'a-secret-value', 'a-secret-value/a-secret-value', '[redacted]/[redacted]'],
    ['not too-short values (would shred ordinary words)', 'abc', 'abc abc', 'abc abc'],
  ])('scrubSecrets replaces %s', (_n, secret, text, expected) => {
    expect(scrubSecrets(text, [secret])).toBe(expected);
  });
});
