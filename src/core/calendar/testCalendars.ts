import { BusinessCalendar } from './businessCalendar.ts';

/** Test calendars shared by the business calendar's known-answer and property tests. */
export const BERLIN = 'Europe/Berlin';
export const NY = 'America/New_York';
export const weekdays = (ranges: string[]) => ({ mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges });

export const bavaria = BusinessCalendar.fromConfig({
  time_zone: BERLIN,
  working_hours: weekdays(['08:00-12:00', '13:00-17:00']),
  holidays: { country: 'DE', state: 'BY' },
  closures: [{ from: '2026-12-24', to: '2026-12-31', reason: 'year-end shutdown' }],
});
export const newYork = BusinessCalendar.fromConfig({
  time_zone: NY,
  working_hours: weekdays(['09:00-17:00']),
  holidays: { country: 'US' },
});
export const allDay = ['00:00-24:00'];
export const berlin247 = BusinessCalendar.fromConfig({
  time_zone: BERLIN,
  working_hours: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
});
export const berlinNightOnSundays = BusinessCalendar.fromConfig({
  time_zone: BERLIN,
  working_hours: { sun: ['01:00-04:00'] },
});
