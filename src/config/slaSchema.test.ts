import { describe, expect, it } from 'vitest';
import { parseConfigText } from './load.ts';
import { MINIMAL_CONFIG_YAML } from './minimalConfig.fixture.ts';

const minimal = MINIMAL_CONFIG_YAML;

const full = `${minimal}
calendar:
  time_zone: Europe/Berlin
  working_hours: { mon: ['08:00-12:00', '13:00-17:00'], tue: ['08:00-17:00'], wed: ['08:00-17:00'], thu: ['08:00-17:00'], fri: ['08:00-15:00'] }
  holidays: { country: DE, state: BY }
  closures: [{ from: '2026-12-24', to: '2026-12-31', reason: year-end }]
sla:
  default: { response_hours: 8, resolution_hours: 40, reminder_at: [0.5, 0.75] }
  policies:
    - { kind: dispute, tier: strategic, response_hours: 2, resolution_hours: 16 }
    - { kind: fa_overdue, resolution_hours: 4 }
routing:
  - { name: big strategic disputes, match: { kind: [dispute], tier: [strategic], value_min: 10000, currency: EUR }, route_to: { manager: kam@example.com } }
  - { route_to: { manager: ops@example.com, list_id: "77" } }
metrics: { push_cron: '0 6 * * *', period_kind: quarter }
sla_sweep_cron: '*/2 * * * *'
`;

describe('config: calendar, sla, routing, metrics', () => {
  it('a minimal config gets a weekday calendar, a 40 business-hour SLA, no routing table and both schedules', () => {
    const r = parseConfigText(minimal);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.calendar.time_zone).toBe('UTC');
    expect(r.config.calendar.working_hours.mon).toEqual(['09:00-17:00']);
    expect(r.config.calendar.working_hours.sat).toBeUndefined();
    expect(r.config.sla.default).toMatchObject({ response_hours: 8, resolution_hours: 40, reminder_at: [0.75] });
    expect(r.config.sla.pause_statuses).toEqual(['awaiting_documents']);
    expect(r.config.routing).toBeUndefined();
    expect(r.config.metrics).toEqual({ push_cron: '0 * * * *', period_kind: 'month' });
    expect(r.config.sla_sweep_cron).toBe('*/5 * * * *');
  });

  it('reads a full example', () => {
    const r = parseConfigText(full);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.calendar.holidays).toEqual({ country: 'DE', state: 'BY' });
    expect(r.config.sla.policies).toHaveLength(2);
    expect(r.config.routing?.[1]?.route_to.list_id).toBe('77');
    expect(r.config.metrics.period_kind).toBe('quarter');
  });

  it.each([
    ['an unknown time zone', full.replace('Europe/Berlin', 'Europe/Atlantis'), 'calendar.time_zone', /IANA/],
    [
      'a malformed working-hours range',
      full.replace("fri: ['08:00-15:00']", "fri: ['15:00-08:00']"),
      'calendar.working_hours.fri[0]',
      /HH:MM-HH:MM/,
    ],
    ['an unknown holiday state', full.replace('state: BY', 'state: XX'), 'calendar.holidays.state', /no state 'XX'/],
    [
      'an SLA policy for an unknown kind',
      full.replace('kind: fa_overdue', 'kind: complaint'),
      'sla.policies[1].kind',
      /unknown kind/,
    ],
    ['a misspelt SLA key', full.replace('reminder_at: [0.5, 0.75]', 'reminders: [0.5]'), 'sla.default', /reminders/],
    [
      'a routing table without a default rule',
      full.replace('  - { route_to: { manager: ops@example.com, list_id: "77" } }\n', ''),
      'routing[0]',
      /must be the default/,
    ],
    [
      'a routing manager that is not an e-mail',
      full.replace('ops@example.com', 'ops'),
      'routing[1].route_to.manager',
      /e-mail/,
    ],
    [
      'a routing rule naming a category nobody declared',
      full
        .replace(
          '  - { route_to: { manager: ops@example.com, list_id: "77" } }\n',
          '  - { match: { category: [customs, sanctons] }, route_to: { manager: trade@example.com } }\n  - { route_to: { manager: ops@example.com, list_id: "77" } }\n',
        )
        .concat(
          'categories:\n  - { name: customs, match: { kind: [compliance_issue] } }\n  - { name: sanctions, match: { document_type: [export_licence] } }\n',
        ),
      'routing[1].match.category[1]',
      /unknown category "sanctons"; declared in `categories`: customs, sanctions/,
    ],
    [
      'a category rule without any categories declared',
      full.replace(
        '  - { route_to: { manager: ops@example.com, list_id: "77" } }\n',
        '  - { match: { category: [customs] }, route_to: { manager: trade@example.com } }\n  - { route_to: { manager: ops@example.com, list_id: "77" } }\n',
      ),
      'routing[1].match.category[0]',
      /unknown category "customs"; declared in `categories`: none/,
    ],
    [
      'a category that says nothing about which cases',
      full.concat('categories:\n  - { name: customs, match: {} }\n'),
      'categories[0].match',
      /needs `kind` and\/or `document_type`/,
    ],
    [
      'a category declared twice',
      full.concat(
        'categories:\n  - { name: customs, match: { kind: [compliance_issue] } }\n  - { name: customs, match: { kind: [dispute] } }\n',
      ),
      'categories[1].name',
      /declared twice/,
    ],
    ['a bad cron expression', full.replace("'*/2 * * * *'", "'every two minutes'"), 'sla_sweep_cron', /cron/],
    [
      'an unknown period kind',
      full.replace('period_kind: quarter', 'period_kind: fortnight'),
      'metrics.period_kind',
      /^Invalid option: expected one of .*"quarter"/,
    ],
  ])('reports %s with its path', (_name, text, path, message) => {
    const r = parseConfigText(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const p = r.problems.find((x) => x.path === path);
    expect(p, JSON.stringify(r.problems)).toBeDefined();
    expect(p!.message).toMatch(message);
  });
});
