import { describe, expect, it } from 'vitest';
import { As2TransportConfig } from './as2Schema.ts';

const valid = {
  type: 'as2',
  inbound: '/in',
  outbound: '/out',
  archive: '/archive',
  quarantine: '/quarantine',
  as2_id: 'GRIDBRIDGE',
  certificate: { file: '/etc/gb/as2.crt' },
  private_key: { env: 'AS2_KEY' },
  partners: { 'ACME AS2': { url: 'https://as2.acme.example/as2', certificate: { file: '/etc/gb/acme.crt' } } },
};

const problem = (v: unknown) => {
  const r = As2TransportConfig.safeParse(v);
  if (r.success) return null;
  return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
};

describe('AS2 transport config', () => {
  it('takes a partner with defaults: signed and encrypted both ways, AES-256, PKCS #1 v1.5, synchronous MDN', () => {
    const c = As2TransportConfig.parse(valid);
    expect(c.partners['ACME AS2']).toMatchObject({
      require_signed: true,
      require_encrypted: true,
      sign: true,
      encrypt: true,
      cipher: 'aes256-cbc',
      key_transport: 'rsa-pkcs1',
      mdn: 'sync',
    });
    expect(c.path).toBe('/as2');
  });

  it.each([
    [
      'a certificate written inline',
      { partners: { X: { certificate: '-----BEGIN' } } },
      'partners.X.certificate',
      'secret reference',
    ],
    [
      'an unknown cipher',
      { partners: { X: { certificate: { env: 'C' }, cipher: 'rc2' } } },
      'partners.X.cipher',
      'aes256-cbc',
    ],
    ['an AS2 id with a control character', { as2_id: 'GB\n' }, 'as2_id', 'printable ASCII'],
    ['no partner', { partners: {} }, 'partners', 'at least one AS2 partner'],
    [
      'a partner URL that is not a URL',
      { partners: { X: { certificate: { env: 'C' }, url: 'as2.example' } } },
      'partners.X.url',
      'AS2 URL',
    ],
  ])('says where %s is wrong', (_what, patch, path, words) => {
    const p = problem({ ...valid, ...patch });
    expect(p).toContain(`${path}: `);
    expect(p).toContain(words);
  });
});
