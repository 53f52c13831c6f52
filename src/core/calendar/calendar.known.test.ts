import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from './businessCalendar.ts';
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
