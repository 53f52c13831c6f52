import type { BusinessCalendar } from '../../../../core/calendar/businessCalendar.ts';
import { HOUR_MS } from '../../../../core/calendar/zoned.ts';

/** An outbound interchange waiting for its functional acknowledgement (997/999/CONTRL). */
export interface FaWatch {
  sentAt: Date;
  acknowledgedAt?: Date | null;
  /** The partner's acknowledgement window in business hours. */
  windowBusinessHours: number;
}

export interface FaOverdueDecision {
  /** When the acknowledgement is (was) due, in business time. */
  dueAt: Date;
  /** True when no acknowledgement arrived by `dueAt` and `now` is past it: open an `edi_exception` case with exception `fa_overdue`. */
  overdue: boolean;
  /** Business hours past the window (0 when not overdue). */
  lateBusinessHours: number;
}

/**
 * FA-overdue detection in business time. The resulting case (kind `edi_exception`,
 * exception `fa_overdue`, opened at `dueAt`) then runs through the same SLA engine
 * (`selectSlaPolicy` → `computeSla` → `decideSlaActions`) as partner-raised cases.
 */
export function decideFaOverdue(watch: FaWatch, calendar: BusinessCalendar, now: Date): FaOverdueDecision {
  const due = calendar.addBusinessMs(watch.sentAt.getTime(), watch.windowBusinessHours * HOUR_MS);
  const ack = watch.acknowledgedAt?.getTime();
  const late = (ack === undefined || ack > due) && now.getTime() > due;
  // An acknowledgement that came late still closes the watch: no case once it arrived.
  const overdue = late && (ack === undefined || ack > now.getTime());
  return {
    dueAt: new Date(due),
    overdue,
    lateBusinessHours: overdue ? calendar.businessMsBetween(due, now.getTime()) / HOUR_MS : 0,
  };
}
