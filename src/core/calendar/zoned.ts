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
  const wall = dayNumber * DAY_MS + minuteOfDay * 60_000;
  // Offsets a day either side bracket any single transition near this wall time.
  const before = offsetMinutes(timeZone, wall - DAY_MS);
  const after = offsetMinutes(timeZone, wall + DAY_MS);
  const candidates: number[] = [];
  for (const off of before === after ? [before] : [before, after]) {
    const t = wall - off * 60_000;
    if (offsetMinutes(timeZone, t) === off) candidates.push(t);
  }
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: interpret with the offset in force before the transition, which lands after it.
  return wall - before * 60_000;
}

/** Local day number of the instant `utcMs` in `timeZone`. */
export function localDayNumber(timeZone: string, utcMs: number): number {
  return Math.floor((utcMs + offsetMinutes(timeZone, utcMs) * 60_000) / DAY_MS);
}
