import { parseIsoDate, zonedWallTimeToUtc } from './zoned.ts';

/** Test helper: `'2026-03-27 16:00'` read as wall-clock time in `timeZone`. */
export function at(timeZone: string, local: string): Date {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})$/.exec(local);
  const day = m ? parseIsoDate(m[1]!) : undefined;
  if (!m || day === undefined) throw new Error(`at(): expected 'YYYY-MM-DD HH:MM', got '${local}'`);
  return new Date(zonedWallTimeToUtc(timeZone, day, Number(m[2]) * 60 + Number(m[3])));
}

/** Test helper: an instant as `'YYYY-MM-DD HH:MM'` wall-clock time in `timeZone`. */
export function wall(timeZone: string, d: Date): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}
