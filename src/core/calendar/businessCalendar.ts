import {
  businessCalendarConfigSchema,
  parseTimeRange,
  WEEKDAYS,
  type BusinessCalendarConfig,
  type ParsedBusinessCalendarConfig,
} from './calendarConfig.ts';
import { PublicHolidays } from './publicHolidays.ts';
import { civilFromDayNumber, DAY_MS, formatIsoDate, HOUR_MS, parseIsoDate, zonedBoundToUtc } from './zoned.ts';

/** One local day of a calendar, resolved to UTC instants (so DST is already accounted for). */
export interface DayPlan {
  /** Local day number (days since 1970-01-01 in the calendar's zone). */
  readonly day: number;
  /** UTC ms of local midnight starting / ending this day (23 h or 25 h apart on DST days). */
  readonly startUtc: number;
  readonly endUtc: number;
  /** Business intervals as flat UTC ms pairs `[start0, end0, start1, end1, …]`, sorted, half-open. */
  readonly open: readonly number[];
  /** Total business ms of the day. */
  readonly businessMs: number;
  /** Why the day has no business time although its weekday has hours: `holiday: Name` / `closure: reason`. */
  readonly closedReason?: string;
}

/** Days a search may walk without finding business time before we call the calendar broken. */
const MAX_EMPTY_DAYS = 3_700;
/** Cached days before the cache is dropped (a plan is ~100 bytes; 40k days is over a century). */
const MAX_CACHED_DAYS = 40_000;

/**
 * Business time in one time zone: weekly working hours minus public holidays and closures.
 * Pure: every answer depends only on the config and the arguments. Days are resolved lazily
 * and cached, so a sweep over many cases costs a few array scans per call.
 */
export class BusinessCalendar {
  readonly timeZone: string;
  private readonly weekly: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
  private readonly holidays: PublicHolidays | undefined;
  private readonly closures: ReadonlyArray<{ from: number; to: number; reason: string }>;
  private readonly days = new Map<number, DayPlan>();
  /** Offset (ms) of the last day looked up: a good first guess for the next lookup. */
  private offsetGuessMs = 0;

  /** Validates `config` (throws a ZodError with readable issues) and builds the calendar. */
  static fromConfig(config: BusinessCalendarConfig): BusinessCalendar {
    return new BusinessCalendar(businessCalendarConfigSchema.parse(config));
  }

  constructor(config: ParsedBusinessCalendarConfig) {
    this.timeZone = config.time_zone;
    this.weekly = WEEKDAYS.map((d) =>
      (config.working_hours[d] ?? [])
        .map((r) => parseTimeRange(r))
        .filter((r): r is [number, number] => r !== undefined)
        .sort((a, b) => a[0] - b[0]),
    );
    this.holidays = config.holidays ? new PublicHolidays(config.holidays) : undefined;
    this.closures = (config.closures ?? []).map((c) => ({
      from: parseIsoDate(c.from)!,
      to: parseIsoDate(c.to)!,
      reason: c.reason ?? 'company closure',
    }));
  }

  /** The instant `hours` business hours after `start` (the earliest such instant: a span ending at 12:00 does not jump to 13:00). */
  addBusinessHours(start: Date, hours: number): Date {
    return new Date(this.addBusinessMs(start.getTime(), hours * HOUR_MS));
  }

  /** Business hours in `[a, b)`; negative when `b` is before `a`. */
  businessHoursBetween(a: Date, b: Date): number {
    return this.businessMsBetween(a.getTime(), b.getTime()) / HOUR_MS;
  }

  /** Whether `d` falls inside working hours (intervals are half-open: 17:00 of '08:00-17:00' is not). */
  isBusinessTime(d: Date): boolean {
    return this.isBusinessTimeMs(d.getTime());
  }

  /** `d` itself when it is business time, else the start of the next business interval. */
  nextBusinessStart(d: Date): Date {
    return new Date(this.nextBusinessStartMs(d.getTime()));
  }

  /** ms-epoch form of addBusinessHours, for hot loops. */
  addBusinessMs(startMs: number, ms: number): number {
    if (!Number.isFinite(startMs)) throw new RangeError(`addBusinessMs: start is not a valid time (${startMs})`);
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`addBusinessMs: amount must be a finite number >= 0, got ${ms}`);
    if (ms === 0) return startMs;
    let plan = this.dayOf(startMs);
    let t = startMs;
    let remaining = ms;
    for (let empty = 0; ;) {
      const open = plan.open;
      if (open.length > 0) {
        empty = 0;
        if (t <= open[0]! && remaining > plan.businessMs) {
          remaining -= plan.businessMs; // whole day consumed
        } else {
          for (let i = 0; i < open.length; i += 2) {
            const end = open[i + 1]!;
            if (end <= t) continue;
            const s = Math.max(open[i]!, t);
            const avail = end - s;
            if (remaining <= avail) return s + remaining;
            remaining -= avail;
          }
        }
      } else if (++empty > MAX_EMPTY_DAYS) {
        throw new Error(
          `business calendar (${this.timeZone}) has no business time for ${MAX_EMPTY_DAYS} days after ${formatIsoDate(plan.day - MAX_EMPTY_DAYS)}`,
        );
      }
      plan = this.plan(plan.day + 1);
      t = plan.startUtc;
    }
  }

  /** ms-epoch form of businessHoursBetween, in ms. */
  businessMsBetween(aMs: number, bMs: number): number {
    if (!Number.isFinite(aMs) || !Number.isFinite(bMs))
      throw new RangeError(`businessMsBetween: invalid time (${aMs}, ${bMs})`);
    if (bMs < aMs) return 0 - this.businessMsBetween(bMs, aMs); // 0 - x, not -x: no -0
    if (bMs === aMs) return 0;
    let plan = this.dayOf(aMs);
    let total = 0;
    for (;;) {
      if (plan.startUtc >= aMs && plan.endUtc <= bMs) {
        total += plan.businessMs;
      } else {
        const open = plan.open;
        for (let i = 0; i < open.length; i += 2) {
          const s = Math.max(open[i]!, aMs);
          const e = Math.min(open[i + 1]!, bMs);
          if (e > s) total += e - s;
        }
      }
      if (plan.endUtc >= bMs) return total;
      plan = this.plan(plan.day + 1);
    }
  }

  isBusinessTimeMs(t: number): boolean {
    const open = this.dayOf(t).open;
    for (let i = 0; i < open.length; i += 2) if (t >= open[i]! && t < open[i + 1]!) return true;
    return false;
  }

  nextBusinessStartMs(t: number): number {
    let plan = this.dayOf(t);
    for (let empty = 0; empty <= MAX_EMPTY_DAYS; empty++) {
      const open = plan.open;
      for (let i = 0; i < open.length; i += 2) if (open[i + 1]! > t) return Math.max(open[i]!, t);
      plan = this.plan(plan.day + 1);
    }
    throw new Error(
      `business calendar (${this.timeZone}) has no business time for ${MAX_EMPTY_DAYS} days after ${new Date(t).toISOString()}`,
    );
  }

  /** Human view of one local day (`YYYY-MM-DD`), for the console and for tests. */
  describeDay(isoDate: string): { date: string; closedReason?: string; intervals: Array<{ from: Date; to: Date }> } {
    const day = parseIsoDate(isoDate);
    if (day === undefined) throw new RangeError(`describeDay: expected YYYY-MM-DD, got '${isoDate}'`);
    const plan = this.plan(day);
    const intervals: Array<{ from: Date; to: Date }> = [];
    for (let i = 0; i < plan.open.length; i += 2)
      intervals.push({ from: new Date(plan.open[i]!), to: new Date(plan.open[i + 1]!) });
    return plan.closedReason !== undefined
      ? { date: isoDate, closedReason: plan.closedReason, intervals }
      : { date: isoDate, intervals };
  }

  /** The plan of the local day containing instant `t`. */
  private dayOf(t: number): DayPlan {
    let d = Math.floor((t + this.offsetGuessMs) / DAY_MS);
    for (;;) {
      const plan = this.plan(d);
      if (t < plan.startUtc) d--;
      else if (t >= plan.endUtc) d++;
      else {
        this.offsetGuessMs = plan.day * DAY_MS - plan.startUtc;
        return plan;
      }
    }
  }

  private plan(day: number): DayPlan {
    const cached = this.days.get(day);
    if (cached) return cached;
    if (this.days.size >= MAX_CACHED_DAYS) this.days.clear();
    const plan = this.buildPlan(day);
    this.days.set(day, plan);
    return plan;
  }

  private buildPlan(day: number): DayPlan {
    const tz = this.timeZone;
    // Every bound is read with zonedBoundToUtc: a wall time in a spring-forward gap is the clock's jump.
    const startUtc = zonedBoundToUtc(tz, day, 0);
    const endUtc = zonedBoundToUtc(tz, day + 1, 0);
    const civil = civilFromDayNumber(day);
    const ranges = this.weekly[civil.weekday]!;
    let closedReason: string | undefined;
    if (ranges.length > 0) {
      const closure = this.closures.find((c) => day >= c.from && day <= c.to);
      if (closure) closedReason = `closure: ${closure.reason}`;
      else {
        const holiday = this.holidays?.nameOn(day, civil.year);
        if (holiday !== undefined) closedReason = `holiday: ${holiday}`;
      }
    }
    const open: number[] = [];
    let businessMs = 0;
    if (closedReason === undefined) {
      for (const [from, to] of ranges) {
        // 24:00 is the next local midnight, which is exactly endUtc (days tile without gaps).
        const s = zonedBoundToUtc(tz, day, from);
        const e = to === 1440 ? endUtc : zonedBoundToUtc(tz, day, to);
        if (e <= s) continue; // a range inside a spring-forward gap
        const last = open.length - 1;
        if (last > 0 && open[last]! >= s) open[last] = Math.max(open[last]!, e);
        else open.push(s, e);
      }
      for (let i = 0; i < open.length; i += 2) businessMs += open[i + 1]! - open[i]!;
    }
    return closedReason !== undefined
      ? { day, startUtc, endUtc, open, businessMs, closedReason }
      : { day, startUtc, endUtc, open, businessMs };
  }
}
