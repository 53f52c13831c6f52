import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from './businessCalendar.ts';

// The business calendar's properties over random instants and amounts (300 runs each): left out of its mutation run
// (scripts/mutate.mjs, module businessCalendar), where they took about 4 s a mutant at a load of 20; the known-answer
// tables (businessCalendar.test.ts, calendar.edges.test.ts, calendar.known.test.ts) stand in for them there.

const BERLIN = 'Europe/Berlin';
const NY = 'America/New_York';
const weekdays = (ranges: string[]) => ({ mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges });

const bavaria = BusinessCalendar.fromConfig({
  time_zone: BERLIN,
  working_hours: weekdays(['08:00-12:00', '13:00-17:00']),
  holidays: { country: 'DE', state: 'BY' },
  closures: [{ from: '2026-12-24', to: '2026-12-31', reason: 'year-end shutdown' }],
});
const newYork = BusinessCalendar.fromConfig({
  time_zone: NY,
  working_hours: weekdays(['09:00-17:00']),
  holidays: { country: 'US' },
});
const allDay = ['00:00-24:00'];
const berlin247 = BusinessCalendar.fromConfig({
  time_zone: BERLIN,
  working_hours: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
});
const berlinNightOnSundays = BusinessCalendar.fromConfig({
  time_zone: BERLIN,
  working_hours: { sun: ['01:00-04:00'] },
});

describe('properties', () => {
  const start = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) });
  it('businessHoursBetween(start, addBusinessHours(start, h)) === h', () => {
    fc.assert(
      fc.property(start, fc.integer({ min: 0, max: 2_000 * 60 }), (s, minutes) => {
        for (const cal of [bavaria, newYork, berlin247, berlinNightOnSundays]) {
          const end = cal.addBusinessMs(s, minutes * 60_000);
          expect(cal.businessMsBetween(s, end)).toBe(minutes * 60_000);
          if (minutes > 0) expect(cal.isBusinessTimeMs(end - 1)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
  it('businessHoursBetween is additive: (a,b) + (b,c) = (a,c)', () => {
    fc.assert(
      fc.property(start, start, start, (a, b, c) => {
        expect(bavaria.businessMsBetween(a, b) + bavaria.businessMsBetween(b, c)).toBe(bavaria.businessMsBetween(a, c));
      }),
      { numRuns: 300 },
    );
  });
});
