import { describe, expect, it } from 'vitest';
import { formatIsoDate } from '../calendar/zoned.ts';
import { parsePeriod, periodOf, periodRange, type PeriodKind } from './period.ts';

describe('parsePeriod', () => {
  it.each([
    ['2026', 'year', '2026-01-01', '2027-01-01'],
    ['2026-Q3', 'quarter', '2026-07-01', '2026-10-01'],
    ['2026-Q4', 'quarter', '2026-10-01', '2027-01-01'],
    ['2026-11', 'month', '2026-11-01', '2026-12-01'],
    ['2026-12', 'month', '2026-12-01', '2027-01-01'],
    ['2026-W48', 'week', '2026-11-23', '2026-11-30'],
    ['2026-W01', 'week', '2025-12-29', '2026-01-05'],
    ['2026-W53', 'week', '2026-12-28', '2027-01-04'],
    ['2027-W01', 'week', '2027-01-04', '2027-01-11'],
  ])('%s is a %s from %s until %s', (label, kind, first, end) => {
    const p = parsePeriod(label);
    expect(p).toMatchObject({ label, kind });
    expect(formatIsoDate(p!.firstDay)).toBe(first);
    expect(formatIsoDate(p!.endDay)).toBe(end);
  });

  it.each(['2026-Q5', '2026-13', '2026-00', '2027-W53', '2026-W00', '26-Q1', '2026-q3', 'Q3-2026', ''])(
    'rejects %j',
    (label) => {
      expect(parsePeriod(label)).toBeUndefined();
    },
  );
});

describe('periodRange and periodOf in a time zone', () => {
  it('a Berlin quarter starts at local midnight (CEST, 22:00Z the day before)', () => {
    const r = periodRange(parsePeriod('2026-Q3')!, 'Europe/Berlin');
    expect(new Date(r.start).toISOString()).toBe('2026-06-30T22:00:00.000Z');
    expect(new Date(r.end).toISOString()).toBe('2026-09-30T22:00:00.000Z');
  });

  it.each<[string, PeriodKind, string, string]>([
    ['2026-09-30T22:30:00Z', 'quarter', 'Europe/Berlin', '2026-Q4'],
    ['2026-09-30T22:30:00Z', 'quarter', 'UTC', '2026-Q3'],
    ['2026-11-26T12:00:00Z', 'week', 'UTC', '2026-W48'],
    ['2027-01-01T12:00:00Z', 'week', 'UTC', '2026-W53'],
    ['2025-12-30T12:00:00Z', 'week', 'UTC', '2026-W01'],
    ['2026-11-30T23:30:00Z', 'month', 'Europe/Berlin', '2026-12'],
    ['2026-01-01T03:00:00Z', 'year', 'America/New_York', '2025'],
  ])('%s is in the %s %s of %s', (iso, kind, tz, label) => {
    expect(periodOf(Date.parse(iso), kind, tz).label).toBe(label);
  });
});
