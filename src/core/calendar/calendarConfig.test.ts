import { describe, expect, it } from 'vitest';
import { businessCalendarConfigSchema } from './calendarConfig.ts';

const valid = {
  time_zone: 'Europe/Berlin',
  working_hours: { mon: ['08:00-12:00', '13:00-17:00'], fri: ['08:00-14:00'] },
  holidays: { country: 'DE', state: 'BY' },
  closures: [{ from: '2026-12-24', to: '2026-12-31', reason: 'year-end' }],
};

function firstIssue(input: unknown): { path: string; message: string } | undefined {
  const r = businessCalendarConfigSchema.safeParse(input);
  if (r.success) return undefined;
  const issue = r.error.issues[0]!;
  return { path: issue.path.join('.'), message: issue.message };
}

describe('businessCalendarConfigSchema', () => {
  it('accepts a full config and defaults holidays and closures', () => {
    expect(businessCalendarConfigSchema.parse(valid).closures).toHaveLength(1);
    expect(
      businessCalendarConfigSchema.parse({ time_zone: 'UTC', working_hours: { mon: ['09:00-17:00'] } }),
    ).toMatchObject({
      holidays: null,
      closures: [],
    });
  });

  it.each([
    ['an unknown time zone', { ...valid, time_zone: 'Europe/Atlantis' }, 'time_zone', 'unknown IANA time zone'],
    ['a malformed range', { ...valid, working_hours: { mon: ['8-12'] } }, 'working_hours.mon.0', "'HH:MM-HH:MM'"],
    [
      'a range ending before it starts',
      { ...valid, working_hours: { mon: ['17:00-08:00'] } },
      'working_hours.mon.0',
      'night shift',
    ],
    [
      'overlapping ranges',
      { ...valid, working_hours: { mon: ['08:00-12:00', '11:00-13:00'] } },
      'working_hours.mon',
      'overlap',
    ],
    [
      'a misspelt weekday',
      { ...valid, working_hours: { monday: ['08:00-12:00'] } },
      'working_hours',
      'Unrecognized key: "monday"',
    ],
    ['no working time at all', { ...valid, working_hours: { sat: [] } }, 'working_hours', 'at least one weekday'],
    ['an unknown country', { ...valid, holidays: { country: 'XX' } }, 'holidays.country', "no country 'XX'"],
    ['a lower-case country', { ...valid, holidays: { country: 'de' } }, 'holidays.country', 'ISO 3166-1'],
    ['an unknown state', { ...valid, holidays: { country: 'DE', state: 'XY' } }, 'holidays.state', 'known: BB'],
    [
      'an impossible closure date',
      { ...valid, closures: [{ from: '2026-02-30', to: '2026-03-01' }] },
      'closures.0.from',
      'YYYY-MM-DD',
    ],
    [
      'a closure ending before it starts',
      { ...valid, closures: [{ from: '2026-12-31', to: '2026-12-24' }] },
      'closures.0.to',
      "on or before 'to'",
    ],
  ])('rejects %s with a clear message', (_name, input, path, message) => {
    const issue = firstIssue(input);
    expect(issue).toBeDefined();
    expect(issue!.path).toBe(path);
    expect(issue!.message).toContain(message);
  });
});
