import { tzOffset } from '@date-fns/tz';

/** Milliseconds in one civil (24 h) day; local days are counted in these units. */
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** True when the runtime knows this IANA time zone name (e.g. `Europe/Berlin`). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** UTC offset in minutes of `timeZone` at the instant `utcMs` (+60 for CET). */
export function offsetMinutes(timeZone: string, utcMs: number): number {
  return tzOffset(timeZone, new Date(utcMs));
}

/** Day number (days since 1970-01-01) of a civil date; proleptic Gregorian, no time zone. */
export function dayNumberFromCivil(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** Civil date of a day number. */
export function civilFromDayNumber(dayNumber: number): { year: number; month: number; day: number; weekday: number } {
  const d = new Date(dayNumber * DAY_MS);
  // weekday: 0 = Monday ... 6 = Sunday (ISO order, matches our `mon..sun` config keys).
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: (d.getUTCDay() + 6) % 7,
  };
}

/** `YYYY-MM-DD` → day number; returns undefined for a malformed or impossible date. */
export function parseIsoDate(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const n = dayNumberFromCivil(y, mo, d);
  const back = civilFromDayNumber(n);
  return back.year === y && back.month === mo && back.day === d ? n : undefined;
}

/** Day number → `YYYY-MM-DD`. */
export function formatIsoDate(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The UTC instant of a local wall-clock time (`dayNumber` + `minuteOfDay`, 0..1440) in `timeZone`.
 * Resolves DST like Temporal's 'compatible' disambiguation: a wall time that does not exist
 * (spring-forward gap) moves forward by the gap; a repeated one (fall-back) takes the earlier instant.
 */
export function zonedWallTimeToUtc(timeZone: string, dayNumber: number, minuteOfDay: number): number {
  const r = resolveWallTime(timeZone, dayNumber * DAY_MS + minuteOfDay * 60_000);
  return typeof r === 'number' ? r : r.afterGapMs;
}

/**
 * The UTC instant a bound of local working hours stands for: like zonedWallTimeToUtc, but a wall time in a
 * spring-forward gap is the instant of the clock's jump, not moved forward by the gap. On the night Berlin's
 * clocks go from 02:00 to 03:00, a range '02:00-02:30' holds no instant (moved forward, it would be 03:00-03:30,
 * hours nobody configured), '02:30-04:00' holds 03:00-04:00 and '01:30-02:30' holds 01:30-02:00.
 */
export function zonedBoundToUtc(timeZone: string, dayNumber: number, minuteOfDay: number): number {
  const r = resolveWallTime(timeZone, dayNumber * DAY_MS + minuteOfDay * 60_000);
  if (typeof r === 'number') return r;
  // The jump lies in (beforeGapMs, afterGapMs]: the first instant whose offset is no longer the old one.
  let lo = r.beforeGapMs;
  let hi = r.afterGapMs;
  const old = offsetMinutes(timeZone, lo);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMinutes(timeZone, mid) === old) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * The instant of wall time `wall` (ms as if UTC), the earlier of two when it repeats; in a spring-forward gap, the
 * wall time read with the offset after the gap (an instant before the gap) and with the one before it (after).
 */
function resolveWallTime(timeZone: string, wall: number): number | { beforeGapMs: number; afterGapMs: number } {
  // Offsets a day either side bracket any single transition near this wall time.
  const before = offsetMinutes(timeZone, wall - DAY_MS);
  const after = offsetMinutes(timeZone, wall + DAY_MS);
  const candidates: number[] = [];
  for (const off of before === after ? [before] : [before, after]) {
    const t = wall - off * 60_000;
    if (offsetMinutes(timeZone, t) === off) candidates.push(t);
  }
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: read with the offset in force before the transition, the wall time lands after it.
  return { beforeGapMs: wall - after * 60_000, afterGapMs: wall - before * 60_000 };
}

/** Local day number of the instant `utcMs` in `timeZone`. */
export function localDayNumber(timeZone: string, utcMs: number): number {
  return Math.floor((utcMs + offsetMinutes(timeZone, utcMs) * 60_000) / DAY_MS);
}
