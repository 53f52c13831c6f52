import { civilFromDayNumber, dayNumberFromCivil, localDayNumber, zonedWallTimeToUtc } from '../calendar/zoned.ts';

export type PeriodKind = 'year' | 'quarter' | 'month' | 'week';

/** A reporting period: `2026`, `2026-Q3`, `2026-11`, `2026-W48` (ISO week, Monday start). */
export interface Period {
  label: string;
  kind: PeriodKind;
  /** Local day numbers: first day and the day after the last. */
  firstDay: number;
  endDay: number;
}

/** Parses a period label; undefined when malformed or impossible (e.g. `2026-W54`, `2026-13`). */
export function parsePeriod(label: string): Period | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})$/.exec(label))) {
    const y = Number(m[1]);
    return { label, kind: 'year', firstDay: dayNumberFromCivil(y, 1, 1), endDay: dayNumberFromCivil(y + 1, 1, 1) };
  }
  if ((m = /^(\d{4})-Q([1-4])$/.exec(label))) {
    const y = Number(m[1]);
    const q = Number(m[2]);
    return {
      label,
      kind: 'quarter',
      firstDay: dayNumberFromCivil(y, 3 * q - 2, 1),
      endDay: dayNumberFromCivil(y, 3 * q + 1, 1),
    };
  }
  if ((m = /^(\d{4})-(\d{2})$/.exec(label))) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    if (mo < 1 || mo > 12) return undefined;
    return { label, kind: 'month', firstDay: dayNumberFromCivil(y, mo, 1), endDay: dayNumberFromCivil(y, mo + 1, 1) };
  }
  if ((m = /^(\d{4})-W(\d{2})$/.exec(label))) {
    const y = Number(m[1]);
    const w = Number(m[2]);
    if (w < 1 || w > isoWeeksInYear(y)) return undefined;
    const first = isoWeekOneMonday(y) + (w - 1) * 7;
    return { label, kind: 'week', firstDay: first, endDay: first + 7 };
  }
  return undefined;
}

/** Like parsePeriod, but throws a RangeError naming the accepted forms. */
export function parsePeriodOrThrow(label: string): Period {
  const p = parsePeriod(label);
  if (!p) throw new RangeError(`unknown period '${label}': expected YYYY, YYYY-Qn, YYYY-MM or YYYY-Www (ISO week)`);
  return p;
}

/** The UTC instants `[start, end)` of a period, its days read in `timeZone`. */
export function periodRange(period: Period, timeZone: string): { start: number; end: number } {
  return {
    start: zonedWallTimeToUtc(timeZone, period.firstDay, 0),
    end: zonedWallTimeToUtc(timeZone, period.endDay, 0),
  };
}

/** The period of `kind` containing the instant `utcMs` in `timeZone`. */
export function periodOf(utcMs: number, kind: PeriodKind, timeZone: string): Period {
  const day = localDayNumber(timeZone, utcMs);
  const c = civilFromDayNumber(day);
  const pad = (n: number) => String(n).padStart(2, '0');
  switch (kind) {
    case 'year':
      return parsePeriodOrThrow(String(c.year));
    case 'quarter':
      return parsePeriodOrThrow(`${c.year}-Q${Math.floor((c.month - 1) / 3) + 1}`);
    case 'month':
      return parsePeriodOrThrow(`${c.year}-${pad(c.month)}`);
    case 'week': {
      // The ISO year is the year of this week's Thursday.
      const thursday = day - c.weekday + 3;
      const isoYear = civilFromDayNumber(thursday).year;
      const week = Math.floor((thursday - isoWeekOneMonday(isoYear)) / 7) + 1;
      return parsePeriodOrThrow(`${isoYear}-W${pad(week)}`);
    }
  }
}

function isoWeekOneMonday(year: number): number {
  const jan4 = dayNumberFromCivil(year, 1, 4);
  return jan4 - civilFromDayNumber(jan4).weekday;
}

function isoWeeksInYear(year: number): number {
  return (isoWeekOneMonday(year + 1) - isoWeekOneMonday(year)) / 7;
}
