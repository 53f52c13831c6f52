export { BusinessCalendar, type DayPlan } from './businessCalendar.ts';
export {
  businessCalendarConfigSchema,
  closureSchema,
  holidaysConfigSchema,
  parseTimeRange,
  WEEKDAYS,
  type BusinessCalendarConfig,
  type ParsedBusinessCalendarConfig,
  type Weekday,
} from './calendarConfig.ts';
export { DAY_MS, HOUR_MS, isValidTimeZone, localDayNumber, zonedWallTimeToUtc } from './zoned.ts';
