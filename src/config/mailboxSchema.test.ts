import { describe, expect, it } from 'vitest';
import { parseConfigText } from './load.ts';
import { MINIMAL_CONFIG_YAML } from './minimalConfig.fixture.ts';

const base = MINIMAL_CONFIG_YAML;

const mailbox = `
mailbox:
  name: acme-edi
  transport:
    type: sftp
    host: sftp.tradinggrid.example.com
    username: gridbridge
    private_key: { file: /run/secrets/tg_sftp_key }
    host_key_sha256: SHA256:${'x'.repeat(43)}
    folders: { inbound: /inbound, outbound: /outbound, archive: /archive, quarantine: /quarantine }
  scan_cron: "*/5 * * * *"
  our_ids: ["ZZ:GRIDBRIDGE"]
  defaults: { fa_hours: 8 }
  partners:
    "ZZ:ACMESUPPLY": { partner_id: P-ACME, asn_hours: 12 }
    "mailbox:acme-edi": { partner_id: P-INTERNAL }
  calendar:
    time_zone: Europe/Berlin
    working_hours: { mon: ["08:00-17:00"], tue: ["08:00-17:00"] }
ac_csv:
  transport: { type: folder, inbound: /data/ac/in, outbound: /data/ac/out, archive: /data/ac/archive, quarantine: /data/ac/bad }
`;

describe('mailbox and ac_csv config', () => {
  it('reads a full SFTP mailbox and a folder ac_csv section, with defaults filled in', () => {
    const r = parseConfigText(base + mailbox);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.mailbox).toMatchObject({
      name: 'acme-edi',
      transport: { type: 'sftp', port: 22, ready_timeout_ms: 10_000 },
      defaults: { fa_hours: 8, asn_hours: 48 },
      settle_seconds: 0,
    });
    expect(r.config.mailbox!.partners['ZZ:ACMESUPPLY']).toEqual({ partner_id: 'P-ACME', asn_hours: 12 });
    expect(r.config.ac_csv).toMatchObject({ transport: { type: 'folder' }, scan_cron: '*/15 * * * *' });
  });

  it('both sections are optional', () => {
    const r = parseConfigText(base);
    expect(r.ok && r.config.mailbox === undefined && r.config.ac_csv === undefined).toBe(true);
  });

  it.each([
    [
      'an unknown transport type',
      (s: string) => s.replace('type: sftp', 'type: ftps'),
      'mailbox.transport.type',
      "'folder', 'sftp' or 'as2'",
    ],
    [
      'a host key that is not a SHA256 fingerprint',
      (s: string) => s.replace(`SHA256:${'x'.repeat(43)}`, 'ab:cd:ef'),
      'mailbox.transport.host_key_sha256',
      'ssh-keygen -lf',
    ],
    [
      'a password written in the file',
      (s: string) => s.replace('private_key: { file: /run/secrets/tg_sftp_key }', 'password: hunter2'),
      'mailbox.transport.password',
      'never written in the config file',
    ],
    [
      'no credential at all',
      (s: string) => s.replace('    private_key: { file: /run/secrets/tg_sftp_key }\n', ''),
      'mailbox.transport.password',
      'password or private_key',
    ],
    [
      'a partner key that is not an EDI address',
      (s: string) => s.replace('"ZZ:ACMESUPPLY"', '"ACMESUPPLY"'),
      'mailbox.partners.ACMESUPPLY',
      "'qualifier:id'",
    ],
    [
      'a partner without its Trading Grid id',
      (s: string) => s.replace('{ partner_id: P-ACME, asn_hours: 12 }', '{ asn_hours: 12 }'),
      'mailbox.partners.ZZ:ACMESUPPLY.partner_id',
      'expected string, received undefined',
    ],
    [
      'an unknown window key',
      (s: string) => s.replace('defaults: { fa_hours: 8 }', 'defaults: { fa_hour: 8 }'),
      'mailbox.defaults',
      'fa_hour',
    ],
    [
      'no own EDI address',
      (s: string) => s.replace('our_ids: ["ZZ:GRIDBRIDGE"]', 'our_ids: []'),
      'mailbox.our_ids',
      'our own EDI addresses',
    ],
    [
      'a calendar time zone that does not exist',
      (s: string) => s.replace('Europe/Berlin', 'Mars/Olympus'),
      'mailbox.calendar.time_zone',
      'IANA',
    ],
    [
      'an incomplete ac_csv folder transport',
      (s: string) => s.replace(', quarantine: /data/ac/bad', ''),
      'ac_csv.transport.quarantine',
      'expected string, received undefined',
    ],
  ])('reports %s with its path', (_what, edit, path, words) => {
    const r = parseConfigText(base + edit(mailbox));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const p = r.problems.find((x) => x.path === path);
    expect(p, JSON.stringify(r.problems)).toBeDefined();
    expect(p!.message).toContain(words);
  });
});

describe('mailbox.partners.<address>.send', () => {
  const withSend = (send: string) =>
    base + mailbox.replace('{ partner_id: P-ACME, asn_hours: 12 }', `{ partner_id: P-ACME, send: ${send} }`);

  it('fills in the X12 and EDIFACT defaults a partner does not name', () => {
    const r = parseConfigText(withSend("{ standard: x12, x12: { component: '>' } }"));
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.mailbox!.partners['ZZ:ACMESUPPLY']!.send).toMatchObject({
      standard: 'x12',
      via: 'mailbox',
      test: false,
      decisions: true,
      status: 'none',
      x12: { element: '*', component: '>', segment: '~', interchange_version: '00401', group_version: '004010' },
      edifact: { syntax_id: 'UNOC', syntax_version: '3', message_release: '96A' },
    });
  });

  it.each([
    ['{ standard: x12, status: "824" }', '824'],
    ['{ standard: x12, status: "864" }', '864'],
    ['{ standard: edifact, status: APERAK }', 'APERAK'],
  ])('accepts a case status document for its standard: %s', (send, status) => {
    const r = parseConfigText(withSend(send));
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.mailbox!.partners['ZZ:ACMESUPPLY']!.send!.status).toBe(status);
  });

  it.each([
    ['824 for an EDIFACT partner', '{ standard: edifact, status: "824" }', /824 is X12/],
    ['APERAK for an X12 partner', '{ standard: x12, status: APERAK }', /APERAK is EDIFACT/],
    ['a separator of two characters', "{ standard: x12, x12: { segment: '~~' } }", /one character/],
  ])('refuses %s', (_w, send, message) => {
    const r = parseConfigText(withSend(send));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => p.message).join('\n')).toMatch(message);
  });
});
