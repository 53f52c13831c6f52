import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bavaria, berlin247, berlinNightOnSundays, newYork } from './testCalendars.ts';

// The business calendar's properties over random instants and amounts (300 runs each): left out of its mutation run
// (scripts/mutate.mjs, module businessCalendar), where they took about 4 s a mutant at a load of 20; the known-answer
// tables (businessCalendar.test.ts, calendar.edges.test.ts, calendar.known.test.ts) stand in for them there.

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
