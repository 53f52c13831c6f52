import { Cron } from 'croner';
import { z } from 'zod';
import { businessCalendarConfigSchema } from '../core/calendar/calendarConfig.ts';
import { routingRulesSchema } from '../flows/05-escalation/decisions/routing/routingRules.ts';
import { caseCategoriesSchema } from '../flows/05-escalation/decisions/routing/caseCategories.ts';
import { slaConfigSchema } from '../flows/05-escalation/decisions/sla/slaPolicy.ts';

/**
 * The SLA, escalation and metrics sections, built from the core's schemas so the config file and
 * the engine validate the same way. Each has a default, so a config without them stays valid.
 */

const WEEKDAY_HOURS = ['09:00-17:00'];

/** Business calendar the SLA clock runs on. Default: Monday–Friday 09:00–17:00 UTC, no holidays. */
export const CalendarSection = businessCalendarConfigSchema.prefault({
  time_zone: 'UTC',
  working_hours: { mon: WEEKDAY_HOURS, tue: WEEKDAY_HOURS, wed: WEEKDAY_HOURS, thu: WEEKDAY_HOURS, fri: WEEKDAY_HOURS },
});

/** SLA policies per case kind and partner tier, in business hours. Default: respond in 8, resolve in 40 (one working week). */
export const SlaSection = slaConfigSchema.prefault({ default: { response_hours: 8, resolution_hours: 40 } });

/**
 * Escalation routing table (first match wins, the last rule is the default). Optional: without it an
 * escalation task is still created, in the case's list, unassigned unless its level names `route_to`.
 */
export const RoutingSection = routingRulesSchema.optional();

/**
 * Case categories for routing rules that match `category` (the Trading Grid contract has none): each named
 * by kinds and/or business document types, first match wins, none matching: no category. Default: none.
 */
export const CategoriesSection = caseCategoriesSchema.default([]);

function isCron(text: string): boolean {
  try {
    new Cron(text, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

const cron = z
  .string()
  .min(1)
  .refine(isCron, { message: "expected a cron expression (croner syntax, seconds optional), e.g. '*/5 * * * *'" });

/** Flow 7: scorecards pushed to Trading Grid on a schedule (periods read in `calendar.time_zone`). */
export const MetricsSection = z
  .strictObject({
    /** When scorecards of the running period are pushed (null: never). */
    push_cron: cron.nullable().default('0 * * * *'),
    period_kind: z.enum(['year', 'quarter', 'month', 'week']).default('month'),
  })
  .prefault({});

/** When the SLA sweep runs (reminders, escalations, due dates); null turns it off. */
export const SlaSweepCron = cron.nullable().default('*/5 * * * *');
