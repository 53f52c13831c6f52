import Holidays from 'date-holidays';
import { DAY_MS, parseIsoDate } from './zoned.ts';

export interface HolidayRegion {
  country: string;
  state?: string | undefined;
  region?: string | undefined;
}

/** Public holidays (date-holidays type `public` only) of one region, as local day numbers → name; computed once per year. */
export class PublicHolidays {
  private readonly hd: Holidays;
  private readonly years = new Map<number, Map<number, string>>();

  constructor(region: HolidayRegion) {
    // date-holidays expects positional args; undefined state/region means the whole country.
    this.hd =
      region.region !== undefined && region.state !== undefined
        ? new Holidays(region.country, region.state, region.region)
        : region.state !== undefined
          ? new Holidays(region.country, region.state)
          : new Holidays(region.country);
  }

  /** Name of the public holiday on this local day, or undefined. */
  nameOn(dayNumber: number, year: number): string | undefined {
    let byDay = this.years.get(year);
    if (!byDay) {
      byDay = new Map();
      for (const h of this.hd.getHolidays(year) || []) {
        if (h.type !== 'public') continue;
        const first = parseIsoDate(h.date.slice(0, 10));
        if (first === undefined) continue;
        // A holiday spanning several days (rare) closes each of them.
        const span = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / DAY_MS));
        for (let i = 0; i < span; i++) if (!byDay.has(first + i)) byDay.set(first + i, h.name);
      }
      this.years.set(year, byDay);
    }
    return byDay.get(dayNumber);
  }
}
