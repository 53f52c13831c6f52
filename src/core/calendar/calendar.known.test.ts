import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from './businessCalendar.ts';
import { businessCalendarConfigSchema, parseTimeRange } from './calendarConfig.ts';
import { parseIsoDate, zonedBoundToUtc, zonedWallTimeToUtc } from './zoned.ts';

// Known answers of the business calendar, worked out by hand from the tz database's transitions (Berlin: clocks go
// 02:00 CET → 03:00 CEST on 29 March 2026 at 01:00Z and back on 25 October at 01:00Z; New York: 02:00 EST → 03:00
// EDT on 8 March 2026 at 07:00Z). Tables only, no property runs: the mutation run of this module (npm run mutate
// businessCalendar) reruns its tests per mutant on a loaded machine.

const BERLIN = 'Europe/Berlin';
const NY = 'America/New_York';
const iso = (ms: number) => new Date(ms).toISOString();
const day = (date: string) => parseIsoDate(date)!;

describe('a bound of working hours in a spring-forward gap is the clock jump', () => {
  it.each([
    ['the gap start', BERLIN, '2026-03-29', 120, '2026-03-29T01:00:00.000Z'],
    ['inside the gap', BERLIN, '2026-03-29', 150, '2026-03-29T01:00:00.000Z'],
    ['the last minute of the gap', BERLIN, '2026-03-29', 179, '2026-03-29T01:00:00.000Z'],
    ['the gap end exists', BERLIN, '2026-03-29', 180, '2026-03-29T01:00:00.000Z'],
    ['the minute before the gap', BERLIN, '2026-03-29', 119, '2026-03-29T00:59:00.000Z'],
    ['a repeated time: the earlier instant', BERLIN, '2026-10-25', 150, '2026-10-25T00:30:00.000Z'],
    ['an ordinary time', BERLIN, '2026-03-02', 540, '2026-03-02T08:00:00.000Z'],
    ['inside New York’s gap', NY, '2026-03-08', 135, '2026-03-08T07:00:00.000Z'],
    ['midnight of New York’s spring-forward day', NY, '2026-03-08', 0, '2026-03-08T05:00:00.000Z'],
  ])('%s: %s %s minute %d → %s', (_n, tz, date, minute, want) => {
    expect(iso(zonedBoundToUtc(tz, day(date), minute))).toBe(want);
  });

  it('a wall time, unlike a bound, moves forward by the gap (Temporal’s “compatible”)', () => {
    expect(iso(zonedWallTimeToUtc(BERLIN, day('2026-03-29'), 150))).toBe('2026-03-29T01:30:00.000Z');
  });
});

describe('working hours across a spring-forward gap hold only the instants whose wall time they name', () => {
  // Sunday hours in Berlin on 29 March 2026; the day before and after have none.
  it.each<[string, string[], Array<[string, string]>, number]>([
    ['a range inside the gap holds nothing', ['02:00-02:30'], [], 0],
    ['one ending at the gap end holds nothing', ['02:00-03:00'], [], 0],
    [
      'one from inside the gap starts at the jump',
      ['02:30-04:00'],
      [['2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z']],
      1,
    ],
    ['one across the gap end', ['02:30-03:30'], [['2026-03-29T01:00:00.000Z', '2026-03-29T01:30:00.000Z']], 0.5],
    [
      'one into the gap ends at the jump',
      ['01:30-02:30'],
      [['2026-03-29T00:30:00.000Z', '2026-03-29T01:00:00.000Z']],
      0.5,
    ],
    [
      'one over the whole gap loses the hour',
      ['01:00-04:00'],
      [['2026-03-29T00:00:00.000Z', '2026-03-29T02:00:00.000Z']],
      2,
    ],
    [
      'two ranges meeting inside the gap are one block',
      ['00:00-02:30', '02:30-05:00'],
      [['2026-03-28T23:00:00.000Z', '2026-03-29T03:00:00.000Z']],
      4,
    ],
  ])('%s: %j', (_n, sun, intervals, hours) => {
    const c = BusinessCalendar.fromConfig({ time_zone: BERLIN, working_hours: { sun } });
    expect(c.describeDay('2026-03-29').intervals.map((i) => [i.from.toISOString(), i.to.toISOString()])).toStrictEqual(
      intervals,
    );
    expect(c.businessHoursBetween(new Date('2026-03-28T00:00:00Z'), new Date('2026-03-30T00:00:00Z'))).toBe(hours);
  });

  it('a shift starting inside the gap is open from the jump: business time, next start and due date', () => {
    const c = BusinessCalendar.fromConfig({ time_zone: BERLIN, working_hours: { sun: ['02:30-04:00'] } });
    expect(c.isBusinessTime(new Date('2026-03-29T01:00:00.000Z'))).toBe(true); // 03:00 CEST
    expect(c.isBusinessTime(new Date('2026-03-29T00:59:59.999Z'))).toBe(false); // 01:59:59.999 CET
    expect(iso(c.nextBusinessStartMs(Date.parse('2026-03-28T12:00:00Z')))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(c.addBusinessMs(Date.parse('2026-03-28T12:00:00Z'), 3_600_000))).toBe('2026-03-29T02:00:00.000Z');
  });

  it('New York: a shift 02:15-03:15 on 8 March 2026 is 03:00-03:15 EDT', () => {
    const c = BusinessCalendar.fromConfig({ time_zone: NY, working_hours: { sun: ['02:15-03:15'] } });
    expect(c.describeDay('2026-03-08').intervals).toStrictEqual([
      { from: new Date('2026-03-08T07:00:00.000Z'), to: new Date('2026-03-08T07:15:00.000Z') },
    ]);
  });
});

describe('how far a search walks', () => {
  // Weekdays 08:00-12:00, closed from Monday 2 March 2026 for 3,700 days (to Thursday 17 April 2036): the first
  // business time is on day 3,700 after the start day, the last a search may reach before it gives up.
  const closed3700 = BusinessCalendar.fromConfig({
    time_zone: BERLIN,
    working_hours: {
      mon: ['08:00-12:00'],
      tue: ['08:00-12:00'],
      wed: ['08:00-12:00'],
      thu: ['08:00-12:00'],
      fri: ['08:00-12:00'],
    },
    closures: [{ from: '2026-03-02', to: '2036-04-17' }],
  });
  const start = Date.parse('2026-03-02T00:00:00Z'); // 01:00 in Berlin, day 0 of the search

  it('finds business time on the 3,700th day after the start day', () => {
    expect(iso(closed3700.nextBusinessStartMs(start))).toBe('2036-04-18T06:00:00.000Z'); // 08:00 CEST
    expect(iso(closed3700.addBusinessMs(start, 3_600_000))).toBe('2036-04-18T07:00:00.000Z');
  });

  it('counts only days without business time in a row: 700 hours at one hour a week take 700 weeks', () => {
    const sundays = BusinessCalendar.fromConfig({ time_zone: BERLIN, working_hours: { sun: ['10:00-11:00'] } });
    // The 700th Sunday from Monday 2 March 2026 is 31 July 2039, 11:00 CEST; about 4,200 empty days on the way.
    expect(iso(sundays.addBusinessMs(start, 700 * 3_600_000))).toBe('2039-07-31T09:00:00.000Z');
  });
});

describe('dates and ranges at their bounds', () => {
  it.each<[string, [number, number] | undefined]>([
    ['08:00-08:59', [480, 539]],
    ['00:00-23:59', [0, 1439]],
    // A minute of 60 or more is refused even where the start would still come before the end.
    ['08:60-10:00', undefined],
    ['08:99-10:00', undefined],
  ])('parseTimeRange(%j) is %j', (text, want) => {
    expect(parseTimeRange(text)).toStrictEqual(want);
  });

  it.each<[string, number | undefined]>([
    // Date.UTC reads years 0-99 as 1900-1999: a year that does not come back is refused.
    ['0099-01-01', undefined],
    ['2026-01-31', 20484],
    ['2026-12-31', 20818],
  ])('parseIsoDate(%j) is %j', (text, want) => {
    expect(parseIsoDate(text)).toBe(want);
  });
});

describe('config refusals said once, whole', () => {
  const issues = (over: object) => {
    const r = businessCalendarConfigSchema.safeParse({
      time_zone: BERLIN,
      working_hours: { mon: ['08:00-12:00'] },
      ...over,
    });
    return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
  };
  it.each<[string, object, string[][]]>([
    [
      'three ranges overlapping twice: one issue',
      { working_hours: { mon: ['08:00-10:00', '09:00-11:00', '10:30-12:00'] } },
      [['working_hours.mon', 'time ranges overlap: 08:00-10:00, 09:00-11:00, 10:30-12:00']],
    ],
    [
      'a malformed range beside a good one: only the malformed one is named',
      { working_hours: { mon: ['09:00-10:00', '8-12', '10:00-11:00'] } },
      [
        [
          'working_hours.mon.1',
          "expected a time range 'HH:MM-HH:MM' with start before end (e.g. '08:00-12:00'; '24:00' allowed as end; split a night shift into '22:00-24:00' and '00:00-06:00' of the next day)",
        ],
      ],
    ],
    [
      'an unknown state: the known ones listed',
      { holidays: { country: 'NL', state: 'XY' } },
      [['holidays.state', "date-holidays knows no state 'XY' in NL (known: GR, NH, ZH)"]],
    ],
  ])('%s', (_n, over, want) => {
    expect(issues(over)).toStrictEqual(want);
  });
});

describe('the local day of an instant, whatever day was looked up before', () => {
  // dayOf guesses an instant's day with the offset of the day looked up last; a summer guess (+2 h) reads a winter
  // evening a day late, a winter guess (+1 h) reads a summer midnight a day early. Each case on a fresh calendar.
  it('a winter evening after a summer lookup: Thursday 15 January 2026, 23:30 CET', () => {
    const c = BusinessCalendar.fromConfig({ time_zone: BERLIN, working_hours: { thu: ['23:00-24:00'] } });
    expect(c.isBusinessTimeMs(Date.parse('2026-07-15T12:00:00Z'))).toBe(false);
    expect(c.isBusinessTimeMs(Date.parse('2026-01-15T22:30:00Z'))).toBe(true);
  });

  it('a summer midnight after a winter lookup: Thursday 16 July 2026, 00:00 and 00:30 CEST', () => {
    const c = BusinessCalendar.fromConfig({ time_zone: BERLIN, working_hours: { thu: ['00:00-01:00'] } });
    expect(c.isBusinessTimeMs(Date.parse('2026-01-15T12:00:00Z'))).toBe(false);
    expect(c.isBusinessTimeMs(Date.parse('2026-07-15T22:00:00Z'))).toBe(true);
    const d = BusinessCalendar.fromConfig({ time_zone: BERLIN, working_hours: { thu: ['00:00-01:00'] } });
    expect(d.isBusinessTimeMs(Date.parse('2026-01-15T12:00:00Z'))).toBe(false);
    expect(d.isBusinessTimeMs(Date.parse('2026-07-15T22:30:00Z'))).toBe(true);
  });
});

describe('a day without working hours has no reason to be closed', () => {
  const c = BusinessCalendar.fromConfig({
    time_zone: BERLIN,
    working_hours: { mon: ['08:00-12:00'], fri: ['08:00-12:00'] },
    holidays: { country: 'DE', state: 'BY' },
    closures: [{ from: '2026-08-07', to: '2026-08-10', reason: 'summer' }],
  });
  it.each<[string, string, { closedReason?: string; intervals: number }]>([
    ['a Saturday inside a closure', '2026-08-08', { intervals: 0 }],
    ['a Friday inside it', '2026-08-07', { closedReason: 'closure: summer', intervals: 0 }],
    ['a holiday on a Saturday (Mariä Himmelfahrt)', '2026-08-15', { intervals: 0 }],
    [
      'a holiday on a Wednesday, no hours that day (Allerheiligen is a Sunday; Reformationstag is not Bavarian)',
      '2026-11-04',
      { intervals: 0 },
    ],
    ['a holiday on a Monday (Pfingstmontag)', '2026-05-25', { closedReason: 'holiday: Pfingstmontag', intervals: 0 }],
  ])('%s (%s)', (_n, date, want) => {
    const d = c.describeDay(date);
    expect({ ...d, intervals: d.intervals.length }).toStrictEqual({ date, ...want });
  });
});

describe('config refusals of our own: code custom, path and message', () => {
  const issues = (over: object) => {
    const r = businessCalendarConfigSchema.safeParse({
      time_zone: BERLIN,
      working_hours: { mon: ['08:00-12:00'] },
      ...over,
    });
    return r.success ? [] : r.error.issues.map((i) => [i.code, i.path.join('.'), i.message]);
  };
  it.each<[string, object, string[][]]>([
    [
      'overlapping ranges',
      { working_hours: { mon: ['08:00-12:00', '11:00-13:00'] } },
      [['custom', 'working_hours.mon', 'time ranges overlap: 08:00-12:00, 11:00-13:00']],
    ],
    [
      'an unknown country',
      { holidays: { country: 'QQ' } },
      [['custom', 'holidays.country', "date-holidays knows no country 'QQ'"]],
    ],
    [
      'an unknown state',
      { holidays: { country: 'LU', state: 'X' } },
      [['custom', 'holidays.state', "date-holidays knows no state 'X' in LU (the country has no states)"]],
    ],
    [
      'an unknown region',
      { holidays: { country: 'DE', state: 'BY', region: 'XX' } },
      [['custom', 'holidays.region', "date-holidays knows no region 'XX' in DE-BY"]],
    ],
    [
      'a region without its state',
      { holidays: { country: 'DE', region: 'A' } },
      [['custom', 'holidays.region', 'a region needs its state']],
    ],
    ['a country alone is enough', { holidays: { country: 'DE' } }, []],
    ['a country and state without region', { holidays: { country: 'DE', state: 'BY' } }, []],
  ])('%s', (_n, over, want) => {
    expect(issues(over)).toStrictEqual(want);
  });
});
