import { describe, expect, it } from 'vitest';
import { PartnerChannelSection } from '../../config/partnerChannelSchema.ts';
import { buildContactBook, parseAcContacts } from './contacts.ts';
import { channelsFor } from './channels.ts';
import { partnerChannelRoutes } from './route.ts';

const csv = [
  'Company ID,First Name,Last Name,Email,Phone,Role,Language',
  'P-MAIL,Erika,Muster,erika@mailonly.example,,Operations,de',
  'P-MAIL,Fritz,Finance,fritz@mailonly.example,,Finance,',
  'P-MAIL,No,Mail,,,,',
  'P-MAIL,Bad,Address,not-an-address,,,',
  ',Orphan,Row,o@x.example,,,',
].join('\r\n');

describe('partner contacts', () => {
  it('the AC contacts export gives name, address, role and language; bad rows are reported by line', () => {
    const r = parseAcContacts('contacts.csv', csv);
    expect(r.contacts).toEqual([
      {
        partnerId: 'P-MAIL',
        name: 'Erika Muster',
        email: 'erika@mailonly.example',
        role: 'operations',
        language: 'de',
        source: 'ac_csv',
      },
      {
        partnerId: 'P-MAIL',
        name: 'Fritz Finance',
        email: 'fritz@mailonly.example',
        role: 'finance',
        language: null,
        source: 'ac_csv',
      },
    ]);
    expect(r.problems.map((p) => [p.line, p.message])).toEqual([
      [4, 'contact "No Mail" of P-MAIL has no e-mail address'],
      [5, '"not-an-address" is not an e-mail address'],
      [6, 'no Company ID'],
    ]);
  });

  const section = PartnerChannelSection.parse({
    partners: {
      'P-MAIL': {
        channels: ['email'],
        flows: { scorecards: ['email', 'community'] },
        contacts: [{ name: 'Erika (config)', email: 'ERIKA@mailonly.example', role: 'operations' }],
      },
    },
    roles: { operations: ['case_status', 'notice'], finance: ['scorecard'], default: ['notice'] },
    smtp: { host: 'smtp.example', from: 'a@b.example' },
  });
  const book = buildContactBook(section, parseAcContacts('contacts.csv', csv).contacts);

  it.each([
    ['case_status', ['ERIKA@mailonly.example']],
    ['scorecard', ['fritz@mailonly.example']],
    ['decision', []],
  ] as const)('%s goes to the roles that receive it: %j (config wins over the export for one address)', (kind, to) => {
    expect(book.recipients('P-MAIL', kind).map((c) => c.email)).toEqual(to);
  });

  it.each([
    ['P-MAIL', 'case_status', ['email']],
    ['P-MAIL', 'scorecards', ['email', 'community']],
    ['P-OTHER', 'case_status', ['community']],
  ] as const)('partner %s, flow %s travels by %j', (partner, flow, channels) => {
    expect([...channelsFor(section, partner, flow)]).toEqual(channels);
  });

  it.each([
    ['default_channels', { default_channels: ['edi'] }, ['default_channels']],
    ["a partner's channels", { partners: { P: { channels: ['community', 'edi'] } } }, ['partners', 'P', 'channels']],
    [
      'one flow of a partner',
      { partners: { P: { flows: { case_documents: ['edi'] } } } },
      ['partners', 'P', 'flows', 'case_documents'],
    ],
  ])(
    'the edi channel named in %s is refused where it is named (it carries decisions and case statuses only)',
    (_where, raw, path) => {
      const r = PartnerChannelSection.safeParse(raw);
      expect(r.success).toBe(false);
      expect(r.error!.issues.map((i) => [i.path, i.message])).toEqual([
        [path, expect.stringContaining("the 'edi' partner channel carries decisions (865 / ORDRSP) and case statuses")],
      ]);
    },
  );
  it.each(['decisions', 'case_status'] as const)("the edi channel for a partner's %s is accepted", (flow) => {
    const r = PartnerChannelSection.safeParse({ partners: { P: { flows: { [flow]: ['edi', 'community'] } } } });
    expect(r.success).toBe(true);
    expect([...channelsFor(r.data!, 'P', flow)]).toEqual(['edi', 'community']);
  });
  it.each([
    ['no partner_channel section at all', undefined, false],
    ['the defaults (community for everyone)', {}, false],
    ['a partner routed to edi for its case statuses', { partners: { P: { flows: { case_status: ['edi'] } } } }, true],
    ['a partner listed with community only', { partners: { P: { channels: ['community'] } } }, true],
    [
      'default channels other than community',
      { default_channels: ['community', 'email'], smtp: { host: 'smtp.example', from: 'a@b.example' } },
      true,
    ],
  ])('%s: the partner channel routes = %s (with no e-mail in use too)', (_w, raw, routes) => {
    const section = raw === undefined ? undefined : PartnerChannelSection.parse(raw);
    expect(partnerChannelRoutes(section)).toBe(routes);
  });
  it('a partner on e-mail without an SMTP server is a config error saying what is missing', () => {
    const r = PartnerChannelSection.safeParse({ partners: { P: { channels: ['email'] } } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toContain('partner_channel.smtp (host, from) is required');
  });
});
