import Holidays from 'date-holidays';
import { z } from 'zod';
import { isValidTimeZone, parseIsoDate } from './zoned.ts';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const RANGE_RE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

/** `'08:00-12:00'` → `[480, 720]` minutes of the day; `'24:00'` is allowed as an end. Undefined when malformed. */
export function parseTimeRange(text: string): [number, number] | undefined {
  const m = RANGE_RE.exec(text);
  if (!m) return undefined;
  const [h1, m1, h2, m2] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  if (h1 > 23 || m1 > 59 || m2 > 59 || h2 > 24 || (h2 === 24 && m2 !== 0)) return undefined;
  const from = h1 * 60 + m1;
  const to = h2 * 60 + m2;
  return from < to ? [from, to] : undefined;
}

const timeRangeSchema = z.string().refine((s) => parseTimeRange(s) !== undefined, {
  message:
    "expected a time range 'HH:MM-HH:MM' with start before end (e.g. '08:00-12:00'; '24:00' allowed as end; " +
    "split a night shift into '22:00-24:00' and '00:00-06:00' of the next day)",
});

const dayHoursSchema = z.array(timeRangeSchema).superRefine((ranges, ctx) => {
  const parsed = ranges.map(parseTimeRange).filter((r): r is [number, number] => r !== undefined);
  const sorted = [...parsed].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]![0] < sorted[i - 1]![1]) {
      ctx.addIssue({ code: 'custom', message: `time ranges overlap: ${ranges.join(', ')}` });
      return;
    }
  }
});

const isoDateSchema = z.string().refine((s) => parseIsoDate(s) !== undefined, {
  message: "expected a calendar date 'YYYY-MM-DD' (e.g. '2026-12-24')",
});

export const holidaysConfigSchema = z
  .object({
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, { message: "expected an ISO 3166-1 alpha-2 country code in capitals, e.g. 'DE'" }),
    state: z.string().min(1).optional(),
    region: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((h, ctx) => {
    const hd = new Holidays();
    const countries = hd.getCountries() ?? {};
    if (!(h.country in countries)) {
      ctx.addIssue({ code: 'custom', path: ['country'], message: `date-holidays knows no country '${h.country}'` });
      return;
    }
    if (h.state !== undefined) {
      const states = hd.getStates(h.country) ?? {};
      if (!(h.state in states)) {
        const known = Object.keys(states);
        ctx.addIssue({
          code: 'custom',
          path: ['state'],
          message:
            `date-holidays knows no state '${h.state}' in ${h.country}` +
            (known.length ? ` (known: ${known.join(', ')})` : ' (the country has no states)'),
        });
        return;
      }
      if (h.region !== undefined) {
        const regions = hd.getRegions(h.country, h.state) ?? {};
        if (!(h.region in regions)) {
          ctx.addIssue({
            code: 'custom',
            path: ['region'],
            message: `date-holidays knows no region '${h.region}' in ${h.country}-${h.state}`,
          });
        }
      }
    } else if (h.region !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['region'], message: 'a region needs its state' });
    }
  });

export const closureSchema = z
  .object({ from: isoDateSchema, to: isoDateSchema, reason: z.string().min(1).optional() })
  .strict()
  // A date that is no date is refused above, once: the order is only checked between two dates.
  .refine((c) => (parseIsoDate(c.from) ?? -Infinity) <= (parseIsoDate(c.to) ?? Infinity), {
    message: "closure 'from' must be on or before 'to' (both days are closed, inclusive)",
    path: ['to'],
  });

/** Business calendar config: local working hours per weekday in `time_zone`, public holidays, closures (inclusive local dates). */
export const businessCalendarConfigSchema = z
  .object({
    time_zone: z
      .string()
      .refine(isValidTimeZone, { message: "unknown IANA time zone (e.g. 'Europe/Berlin', 'America/New_York')" }),
    working_hours: z
      .object(
        Object.fromEntries(WEEKDAYS.map((d) => [d, dayHoursSchema.optional()])) as Record<
          Weekday,
          z.ZodOptional<typeof dayHoursSchema>
        >,
      )
      .strict()
      .refine((wh) => WEEKDAYS.some((d) => (wh[d]?.length ?? 0) > 0), {
        message: 'working_hours needs at least one weekday with a time range, otherwise no SLA could ever be due',
      }),
    holidays: holidaysConfigSchema.nullable().default(null),
    closures: z.array(closureSchema).default([]),
  })
  .strict();

export type BusinessCalendarConfig = z.input<typeof businessCalendarConfigSchema>;
export type ParsedBusinessCalendarConfig = z.output<typeof businessCalendarConfigSchema>;
