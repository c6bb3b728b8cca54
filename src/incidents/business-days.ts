// Business days in a person's own time zone: Monday to Friday, local time.
// Pure date arithmetic (Luxon knows the zones and their daylight-saving rules).
import { DateTime } from "luxon";

/** A zone Luxon knows, or UTC: a person whose zone is unknown still gets reminded. */
export function zoneOrUtc(tz: string | null | undefined): string {
  return tz && DateTime.now().setZone(tz).isValid ? tz : "UTC";
}

const isWeekend = (d: DateTime) => d.weekday >= 6;

/** `n` business days after `from`, at the same local time (Friday 15:00 + 1 = Monday 15:00). */
export function addBusinessDays(from: Date, n: number, tz: string): Date {
  let d = DateTime.fromJSDate(from, { zone: zoneOrUtc(tz) });
  // From a weekend, count from the next Monday's start of day.
  if (isWeekend(d)) {
    while (isWeekend(d)) d = d.plus({ days: 1 });
    d = d.set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
    n = Math.max(0, n - 1);
  }
  for (let left = n; left > 0; ) {
    d = d.plus({ days: 1 });
    if (!isWeekend(d)) left--;
  }
  return d.toJSDate();
}

/** `at` itself on a weekday; otherwise 09:00 on the next Monday, in the zone. */
export function nextBusinessMoment(at: Date, tz: string): Date {
  let d = DateTime.fromJSDate(at, { zone: zoneOrUtc(tz) });
  if (!isWeekend(d)) return at;
  while (isWeekend(d)) d = d.plus({ days: 1 });
  return d.set({ hour: 9, minute: 0, second: 0, millisecond: 0 }).toJSDate();
}
