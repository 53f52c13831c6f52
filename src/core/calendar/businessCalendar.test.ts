import { describe, expect, it } from 'vitest';
import { at, wall } from './testing.ts';
import { BERLIN, NY, bavaria, berlin247, berlinNightOnSundays, newYork } from './testCalendars.ts';

describe('addBusinessHours (Berlin, Mon–Fri 08–12 + 13–17, Bavarian holidays, year-end closure)', () => {
  it.each([
    ['inside a morning block', '2026-03-02 09:00', 2, '2026-03-02 11:00'],
    ['skips the lunch break', '2026-03-02 11:00', 2, '2026-03-02 14:00'],
    ['starting in the lunch break counts from 13:00', '2026-03-02 12:30', 1, '2026-03-02 14:00'],
    ['ends exactly at a block end, not at the next start', '2026-03-02 08:00', 4, '2026-03-02 12:00'],
    ['zero hours is the start itself', '2026-03-02 09:00', 0, '2026-03-02 09:00'],
    ['zero hours at the weekend stays at the weekend', '2026-03-07 10:00', 0, '2026-03-07 10:00'],
    ['after closing time rolls to the next morning', '2026-03-02 17:00', 1, '2026-03-03 09:00'],
    ['one business day later', '2026-03-02 10:00', 8, '2026-03-03 10:00'],
    ['one business week later', '2026-03-02 10:00', 40, '2026-03-09 10:00'],
    ['over a weekend', '2026-03-06 16:00', 2, '2026-03-09 09:00'],
    ['started on a Saturday', '2026-03-07 10:00', 1, '2026-03-09 09:00'],
    ['over the spring-forward weekend (29 Mar)', '2026-03-27 16:00', 2, '2026-03-30 09:00'],
    ['over the fall-back weekend (25 Oct)', '2026-10-23 16:00', 2, '2026-10-26 09:00'],
    ['over Good Friday and Easter Monday', '2026-04-02 16:00', 2, '2026-04-07 09:00'],
    ['over Epiphany (a Bavarian, not a federal, holiday)', '2026-01-05 16:00', 2, '2026-01-07 09:00'],
    ['over the closure, New Year and a weekend', '2026-12-23 16:00', 2, '2027-01-04 09:00'],
    ['50 business days over Easter and 1 May', '2026-03-02 08:00', 400, '2026-05-13 17:00'],
  ])('%s: %s + %dh = %s', (_name, start, hours, expected) => {
    expect(wall(BERLIN, bavaria.addBusinessHours(at(BERLIN, start), hours))).toBe(expected);
  });

  it('lands on the right UTC instant after a DST change (09:00 CEST is 07:00Z)', () => {
    expect(bavaria.addBusinessHours(at(BERLIN, '2026-03-27 16:00'), 2).toISOString()).toBe('2026-03-30T07:00:00.000Z');
    expect(bavaria.addBusinessHours(at(BERLIN, '2026-10-23 16:00'), 2).toISOString()).toBe('2026-10-26T08:00:00.000Z');
  });

  it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY]])('rejects %s hours', (hours) => {
    expect(() => bavaria.addBusinessHours(at(BERLIN, '2026-03-02 09:00'), hours)).toThrow(RangeError);
  });
});

describe('businessHoursBetween', () => {
  it.each([
    ['same block', '2026-03-02 09:00', '2026-03-02 11:30', 2.5],
    ['across lunch', '2026-03-02 11:00', '2026-03-02 14:00', 2],
    ['a whole working day', '2026-03-02 00:00', '2026-03-03 00:00', 8],
    ['Friday afternoon to Monday morning', '2026-03-06 16:00', '2026-03-09 09:00', 2],
    ['a weekend only', '2026-03-07 00:00', '2026-03-09 00:00', 0],
    ['a holiday week (Good Friday, Easter Monday)', '2026-03-30 00:00', '2026-04-07 00:00', 32],
    ['the closure', '2026-12-24 00:00', '2027-01-01 00:00', 0],
    ['reversed arguments are negative', '2026-03-02 11:00', '2026-03-02 09:00', -2],
    ['equal instants', '2026-03-02 11:00', '2026-03-02 11:00', 0],
  ])('%s: %s → %s = %dh', (_name, a, b, hours) => {
    expect(bavaria.businessHoursBetween(at(BERLIN, a), at(BERLIN, b))).toBeCloseTo(hours, 9);
  });

  it.each([
    ['spring-forward day has 23 real hours', '2026-03-29 00:00', '2026-03-30 00:00', 23],
    ['fall-back day has 25 real hours', '2026-10-25 00:00', '2026-10-26 00:00', 25],
    ['an ordinary day has 24', '2026-03-28 00:00', '2026-03-29 00:00', 24],
  ])('24/7 calendar: %s', (_name, a, b, hours) => {
    expect(berlin247.businessHoursBetween(at(BERLIN, a), at(BERLIN, b))).toBe(hours);
  });

  it.each([
    ['01:00–04:00 on the spring-forward night is 2 real hours', '2026-03-29', 2],
    ['01:00–04:00 on the fall-back night is 4 real hours', '2026-10-25', 4],
    ['01:00–04:00 on an ordinary Sunday is 3 hours', '2026-03-22', 3],
  ])('%s', (_name, date, hours) => {
    const d = new Date(`${date}T00:00:00Z`);
    expect(
      berlinNightOnSundays.businessHoursBetween(new Date(d.getTime() - 86_400_000), new Date(d.getTime() + 86_400_000)),
    ).toBe(hours);
  });

  it('24 business hours from midnight before spring-forward end at 01:00 the next day', () => {
    expect(wall(BERLIN, berlin247.addBusinessHours(at(BERLIN, '2026-03-29 00:00'), 24))).toBe('2026-03-30 01:00');
  });
});

describe('isBusinessTime and nextBusinessStart', () => {
  it.each([
    ['opening minute', '2026-03-02 08:00', true, '2026-03-02 08:00'],
    ['last minute before lunch', '2026-03-02 11:59', true, '2026-03-02 11:59'],
    ['lunch starts (half-open block)', '2026-03-02 12:00', false, '2026-03-02 13:00'],
    ['closing time', '2026-03-02 17:00', false, '2026-03-03 08:00'],
    ['Friday evening', '2026-03-06 18:00', false, '2026-03-09 08:00'],
    ['Saturday', '2026-03-07 10:00', false, '2026-03-09 08:00'],
    ['Epiphany', '2026-01-06 10:00', false, '2026-01-07 08:00'],
    ['in the closure', '2026-12-28 10:00', false, '2027-01-04 08:00'],
  ])('%s: %s business=%s, next start %s', (_name, t, business, next) => {
    expect(bavaria.isBusinessTime(at(BERLIN, t))).toBe(business);
    expect(wall(BERLIN, bavaria.nextBusinessStart(at(BERLIN, t)))).toBe(next);
  });

  it('explains why a working weekday is closed', () => {
    expect(bavaria.describeDay('2026-01-06').closedReason).toBe('holiday: Heilige Drei Könige');
    expect(bavaria.describeDay('2026-12-28').closedReason).toBe('closure: year-end shutdown');
    expect(bavaria.describeDay('2026-03-07')).toEqual({ date: '2026-03-07', intervals: [] });
  });
});

describe('time zones', () => {
  it.each([
    ['New York over its spring-forward weekend (8 Mar)', '2026-03-06 16:00', 2, '2026-03-09 10:00'],
    ['New York over Thanksgiving', '2026-11-25 16:00', 2, '2026-11-27 10:00'],
    ['New York over Independence Day (observed Friday 3 Jul)', '2026-07-02 16:00', 2, '2026-07-06 10:00'],
  ])('%s: %s + %dh = %s', (_name, start, hours, expected) => {
    expect(wall(NY, newYork.addBusinessHours(at(NY, start), hours))).toBe(expected);
  });

  it('the same instant is business time in Berlin and not yet in New York', () => {
    const t = at(BERLIN, '2026-03-02 14:30'); // 08:30 in New York
    expect(bavaria.isBusinessTime(t)).toBe(true);
    expect(newYork.isBusinessTime(t)).toBe(false);
    expect(wall(NY, newYork.nextBusinessStart(t))).toBe('2026-03-02 09:00');
  });

  it('between 8 and 29 March New York is on summer time and Berlin is not: 5 h apart', () => {
    const t = at(NY, '2026-03-10 09:00');
    expect(wall(BERLIN, t)).toBe('2026-03-10 14:00');
  });
});
