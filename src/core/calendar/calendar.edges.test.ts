import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from './businessCalendar.ts';
import { businessCalendarConfigSchema, parseTimeRange } from './calendarConfig.ts';
import { at, wall } from './testing.ts';
import {
  civilFromDayNumber,
  dayNumberFromCivil,
  formatIsoDate,
  isValidTimeZone,
  localDayNumber,
  offsetMinutes,
  parseIsoDate,
  zonedWallTimeToUtc,
} from './zoned.ts';

// The business calendar SLA due dates are counted in, at its edges: time ranges at their bounds, ranges that touch
// or come unsorted, DST gaps and repeats, closures' first and last days, a calendar with no business time, and
// every config refusal with its exact message.

const BERLIN = 'Europe/Berlin';
const cal = (working_hours: Record<string, string[]>, extra: object = {}) =>
  BusinessCalendar.fromConfig({ time_zone: BERLIN, working_hours, ...extra });

describe('parseTimeRange', () => {
  it.each<[string, [number, number] | undefined]>([
    ['08:00-12:00', [480, 720]],
    ['00:00-24:00', [0, 1440]],
    ['23:59-24:00', [1439, 1440]],
    ['00:00-00:01', [0, 1]],
    ['08:59-09:00', [539, 540]],
    ['24:00-24:00', undefined],
    ['23:00-22:59', undefined],
    ['08:00-08:00', undefined],
    ['08:60-09:00', undefined],
    ['08:00-09:60', undefined],
    ['08:00-25:00', undefined],
    ['08:00-24:01', undefined],
    ['x08:00-09:00', undefined],
    ['08:00-09:00x', undefined],
    ['8:00-9:00', undefined],
    ['08:00 - 09:00', undefined],
  ])('%s → %j', (text, want) => {
    expect(parseTimeRange(text)).toStrictEqual(want);
  });
});

describe('zoned time', () => {
  it.each([
    ['an ordinary Berlin morning (CET)', BERLIN, '2026-03-02', 9 * 60, '2026-03-02T08:00:00.000Z'],
    ['in the spring-forward gap: moved forward by the gap', BERLIN, '2026-03-29', 150, '2026-03-29T01:30:00.000Z'],
    ['the repeated hour of fall-back: the earlier instant', BERLIN, '2026-10-25', 150, '2026-10-25T00:30:00.000Z'],
    ['just after the repeated hour', BERLIN, '2026-10-25', 180, '2026-10-25T02:00:00.000Z'],
    ['midnight of the spring-forward day', BERLIN, '2026-03-29', 0, '2026-03-28T23:00:00.000Z'],
    ['24:00 is the next midnight', BERLIN, '2026-03-29', 1440, '2026-03-29T22:00:00.000Z'],
    ['New York gap (2:30 on 8 March)', 'America/New_York', '2026-03-08', 150, '2026-03-08T07:30:00.000Z'],
    ['UTC', 'UTC', '2026-01-01', 0, '2026-01-01T00:00:00.000Z'],
  ])('%s', (_n, tz, date, minute, iso) => {
    expect(new Date(zonedWallTimeToUtc(tz, parseIsoDate(date)!, minute)).toISOString()).toBe(iso);
  });

  it.each([
    [BERLIN, '2026-01-15T12:00:00Z', 60],
    [BERLIN, '2026-07-15T12:00:00Z', 120],
    ['America/New_York', '2026-01-15T12:00:00Z', -300],
    ['Asia/Kolkata', '2026-01-15T12:00:00Z', 330],
  ])('offset of %s at %s is %d min', (tz, iso, off) => {
    expect(offsetMinutes(tz, Date.parse(iso))).toBe(off);
  });

  it.each([
    [BERLIN, '2026-03-01T22:59:59.999Z', '2026-03-01'],
    [BERLIN, '2026-03-01T23:00:00.000Z', '2026-03-02'],
    ['America/New_York', '2026-03-02T04:59:59.999Z', '2026-03-01'],
    ['America/New_York', '2026-03-02T05:00:00.000Z', '2026-03-02'],
  ])('local day in %s of %s is %s', (tz, iso, date) => {
    expect(formatIsoDate(localDayNumber(tz, Date.parse(iso)))).toBe(date);
  });

  it.each([
    ['2026-03-02', { year: 2026, month: 3, day: 2, weekday: 0 }],
    ['2026-03-08', { year: 2026, month: 3, day: 8, weekday: 6 }],
    ['2024-02-29', { year: 2024, month: 2, day: 29, weekday: 3 }],
    ['1970-01-01', { year: 1970, month: 1, day: 1, weekday: 3 }],
    ['1969-12-31', { year: 1969, month: 12, day: 31, weekday: 2 }],
  ])('%s', (date, civil) => {
    const n = parseIsoDate(date)!;
    expect(civilFromDayNumber(n)).toStrictEqual(civil);
    expect(dayNumberFromCivil(civil.year, civil.month, civil.day)).toBe(n);
    expect(formatIsoDate(n)).toBe(date);
  });

  it.each(['2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-1-01', 'x2026-01-01', '2026-01-01x', ''])(
    'parseIsoDate refuses %j',
    (text) => {
      expect(parseIsoDate(text)).toBeUndefined();
    },
  );

  it.each([
    ['Europe/Berlin', true],
    ['UTC', true],
    ['Europe/Atlantis', false],
    ['', false],
  ])('isValidTimeZone(%j) is %s', (tz, ok) => {
    expect(isValidTimeZone(tz)).toBe(ok);
  });
});

describe('day plans', () => {
  it('ranges touching or given out of order are one block each day', () => {
    const c = cal({ mon: ['13:00-17:00', '08:00-12:00', '12:00-13:00'] });
    expect(c.describeDay('2026-03-02')).toStrictEqual({
      date: '2026-03-02',
      intervals: [{ from: at(BERLIN, '2026-03-02 08:00'), to: at(BERLIN, '2026-03-02 17:00') }],
    });
    expect(c.businessHoursBetween(at(BERLIN, '2026-03-02 00:00'), at(BERLIN, '2026-03-03 00:00'))).toBe(9);
  });

  it('separate ranges stay separate', () => {
    const c = cal({ mon: ['13:00-17:00', '08:00-12:00'] });
    expect(c.describeDay('2026-03-02').intervals).toStrictEqual([
      { from: at(BERLIN, '2026-03-02 08:00'), to: at(BERLIN, '2026-03-02 12:00') },
      { from: at(BERLIN, '2026-03-02 13:00'), to: at(BERLIN, '2026-03-02 17:00') },
    ]);
  });

  it('a range inside the spring-forward gap is no business time; one across it loses the hour', () => {
    const c = cal({ sun: ['02:00-03:00', '03:00-05:00'] });
    expect(c.describeDay('2026-03-29').intervals).toStrictEqual([
      { from: new Date('2026-03-29T01:00:00.000Z'), to: new Date('2026-03-29T03:00:00.000Z') },
    ]);
    expect(c.businessHoursBetween(new Date('2026-03-28T00:00:00Z'), new Date('2026-03-30T00:00:00Z'))).toBe(2);
  });

  it.each([
    ['the closure begins', '2026-08-03', { closedReason: 'closure: summer' }],
    ['the closure ends', '2026-08-07', { closedReason: 'closure: summer' }],
    ['the day after', '2026-08-10', {}],
    ['a closure without reason', '2026-09-01', { closedReason: 'closure: company closure' }],
    ['a weekend inside the closure: no hours, no reason', '2026-08-08', {}],
  ] as Array<[string, string, { closedReason?: string }]>)('%s (%s)', (_n, date, reason) => {
    const c = cal(
      { mon: ['08:00-12:00'], tue: ['08:00-12:00'], wed: ['08:00-12:00'], thu: ['08:00-12:00'], fri: ['08:00-12:00'] },
      {
        closures: [
          { from: '2026-08-03', to: '2026-08-07', reason: 'summer' },
          { from: '2026-09-01', to: '2026-09-01' },
        ],
      },
    );
    const d = c.describeDay(date);
    expect({ ...d, intervals: d.intervals.length }).toStrictEqual({
      date,
      ...reason,
      intervals: reason.closedReason || date === '2026-08-08' ? 0 : 1,
    });
  });

  it('a holiday names itself; a region of a state is read', () => {
    const c = cal({ mon: ['08:00-12:00'], tue: ['08:00-12:00'] }, { holidays: { country: 'DE', state: 'BY' } });
    expect(c.describeDay('2026-04-06')).toStrictEqual({
      date: '2026-04-06',
      closedReason: 'holiday: Ostermontag',
      intervals: [],
    });
    expect(() => c.describeDay('2026-4-6')).toThrow("describeDay: expected YYYY-MM-DD, got '2026-4-6'");
  });
});

describe('adding and counting business time at the edges', () => {
  const c = cal({ mon: ['08:00-12:00', '13:00-17:00'], tue: ['08:00-12:00', '13:00-17:00'] });
  it.each([
    ['a whole day from its opening', '2026-03-02 08:00', 8, '2026-03-02 17:00'],
    ['a whole day and a minute', '2026-03-02 08:00', 8 + 1 / 60, '2026-03-03 08:01'],
    ['from before opening', '2026-03-02 06:00', 1, '2026-03-02 09:00'],
    ['to the end of the morning block', '2026-03-02 11:00', 1, '2026-03-02 12:00'],
    ['a minute past the morning block', '2026-03-02 11:00', 1 + 1 / 60, '2026-03-02 13:01'],
    ['from the last minute', '2026-03-02 16:59', 1 / 60, '2026-03-02 17:00'],
    ['two whole days, over to next week', '2026-03-02 08:00', 17, '2026-03-09 09:00'],
  ])('%s: %s + %dh = %s', (_n, start, hours, end) => {
    expect(wall(BERLIN, c.addBusinessHours(at(BERLIN, start), hours))).toBe(end);
  });

  it.each([
    ['a start that is no time', Number.NaN, 1, 'addBusinessMs: start is not a valid time (NaN)'],
    ['a negative amount', 0, -1, 'addBusinessMs: amount must be a finite number >= 0, got -1'],
    [
      'an infinite amount',
      0,
      Number.POSITIVE_INFINITY,
      'addBusinessMs: amount must be a finite number >= 0, got Infinity',
    ],
  ])('addBusinessMs refuses %s', (_n, start, ms, message) => {
    expect(() => c.addBusinessMs(start, ms)).toThrow(new RangeError(message));
  });

  it('businessMsBetween refuses a time that is no time, and counts partial days at both ends', () => {
    expect(() => c.businessMsBetween(Number.NaN, 0)).toThrow(
      new RangeError('businessMsBetween: invalid time (NaN, 0)'),
    );
    expect(() => c.businessMsBetween(0, Number.POSITIVE_INFINITY)).toThrow(
      new RangeError('businessMsBetween: invalid time (0, Infinity)'),
    );
    expect(c.businessHoursBetween(at(BERLIN, '2026-03-02 16:00'), at(BERLIN, '2026-03-03 09:00'))).toBe(2);
    expect(c.businessHoursBetween(at(BERLIN, '2026-03-02 12:00'), at(BERLIN, '2026-03-02 13:00'))).toBe(0);
    expect(Object.is(c.businessHoursBetween(at(BERLIN, '2026-03-02 12:30'), at(BERLIN, '2026-03-02 12:00')), 0)).toBe(
      true,
    );
  });

  it('next business start and business time at the block edges', () => {
    expect(c.isBusinessTime(at(BERLIN, '2026-03-02 13:00'))).toBe(true);
    expect(c.isBusinessTime(new Date(at(BERLIN, '2026-03-02 13:00').getTime() - 1))).toBe(false);
    expect(wall(BERLIN, c.nextBusinessStart(at(BERLIN, '2026-03-02 09:30')))).toBe('2026-03-02 09:30');
    expect(wall(BERLIN, c.nextBusinessStart(at(BERLIN, '2026-03-02 12:00')))).toBe('2026-03-02 13:00');
  });

  it('a calendar with no business time for ten years says so instead of looping', () => {
    const closed = cal({ mon: ['08:00-12:00'] }, { closures: [{ from: '2026-01-01', to: '2040-12-31' }] });
    expect(() => closed.addBusinessMs(Date.parse('2026-03-02T00:00:00Z'), 1)).toThrow(
      'business calendar (Europe/Berlin) has no business time for 3700 days after 2026-03-02',
    );
    expect(() => closed.nextBusinessStartMs(Date.parse('2026-03-02T00:00:00Z'))).toThrow(
      'business calendar (Europe/Berlin) has no business time for 3700 days after 2026-03-02T00:00:00.000Z',
    );
  });
});

describe('businessCalendarConfigSchema: every refusal whole', () => {
  const valid = { time_zone: 'Europe/Berlin', working_hours: { mon: ['08:00-12:00'] } };
  const issues = (input: unknown) => {
    const r = businessCalendarConfigSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
  };
  it.each<[string, object, string[][]]>([
    ['touching ranges', { working_hours: { mon: ['08:00-12:00', '12:00-13:00'] } }, []],
    [
      'overlap given out of order',
      { working_hours: { mon: ['11:00-13:00', '08:00-12:00'] } },
      [['working_hours.mon', 'time ranges overlap: 11:00-13:00, 08:00-12:00']],
    ],
    [
      'overlap at the third range',
      { working_hours: { tue: ['08:00-09:00', '10:00-11:00', '10:30-12:00'] } },
      [['working_hours.tue', 'time ranges overlap: 08:00-09:00, 10:00-11:00, 10:30-12:00']],
    ],
    [
      'a malformed range',
      { working_hours: { mon: ['08:00-12:00'], wed: ['8-12'] } },
      [
        [
          'working_hours.wed.0',
          "expected a time range 'HH:MM-HH:MM' with start before end (e.g. '08:00-12:00'; '24:00' allowed as end; split a night shift into '22:00-24:00' and '00:00-06:00' of the next day)",
        ],
      ],
    ],
    [
      'no weekday with hours',
      { working_hours: { mon: [], sun: [] } },
      [
        [
          'working_hours',
          'working_hours needs at least one weekday with a time range, otherwise no SLA could ever be due',
        ],
      ],
    ],
    [
      'a time zone unknown',
      { time_zone: 'Mars/Olympus' },
      [['time_zone', "unknown IANA time zone (e.g. 'Europe/Berlin', 'America/New_York')"]],
    ],
    ['a state with a known region', { holidays: { country: 'CH', state: 'ZH' } }, []],
    [
      'an unknown region of a state',
      { holidays: { country: 'DE', state: 'BY', region: 'XX' } },
      [['holidays.region', "date-holidays knows no region 'XX' in DE-BY"]],
    ],
    ['a known region of a state', { holidays: { country: 'DE', state: 'BY', region: 'A' } }, []],
    [
      'a region without its state',
      { holidays: { country: 'DE', region: 'A' } },
      [['holidays.region', 'a region needs its state']],
    ],
    [
      'a state of a country without states',
      { holidays: { country: 'LU', state: 'X' } },
      [['holidays.state', "date-holidays knows no state 'X' in LU (the country has no states)"]],
    ],
    [
      'an unknown country',
      { holidays: { country: 'QQ', state: 'X' } },
      [['holidays.country', "date-holidays knows no country 'QQ'"]],
    ],
    [
      'a country code not in capitals',
      { holidays: { country: 'DEU' } },
      [
        ['holidays.country', "expected an ISO 3166-1 alpha-2 country code in capitals, e.g. 'DE'"],
        ['holidays.country', "date-holidays knows no country 'DEU'"],
      ],
    ],
    ['a one-day closure', { closures: [{ from: '2026-12-24', to: '2026-12-24' }] }, []],
    // A date that is no date is said once: not also "from must be on or before to".
    [
      'a closure end that is no date',
      { closures: [{ from: '2026-12-24', to: '24.12.2026' }] },
      [['closures.0.to', "expected a calendar date 'YYYY-MM-DD' (e.g. '2026-12-24')"]],
    ],
    [
      'a closure start that is no date',
      { closures: [{ from: '2026-02-30', to: '2026-01-01' }] },
      [['closures.0.from', "expected a calendar date 'YYYY-MM-DD' (e.g. '2026-12-24')"]],
    ],
    [
      'a closure ending the day before it starts',
      { closures: [{ from: '2026-12-24', to: '2026-12-23' }] },
      [['closures.0.to', "closure 'from' must be on or before 'to' (both days are closed, inclusive)"]],
    ],
  ])('%s', (_n, over, want) => {
    expect(issues({ ...valid, ...over })).toStrictEqual(want);
  });
});
