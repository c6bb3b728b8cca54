// Working hours per person, in their own time zone, and when an Incident
// Commander's working day ends: the end-of-day hand-off is timed from it.
// Pure date arithmetic; Luxon knows the zones and their daylight-saving rules.
import { DateTime } from "luxon";
import { z } from "zod";
import { AppError } from "../errors.js";
import { zoneOrUtc } from "./business-days.js";

export interface WorkingHours {
  /** Minutes after local midnight. */
  startMinute: number;
  endMinute: number;
  /** ISO weekdays: 1 Monday … 7 Sunday. */
  days: number[];
}

export const DEFAULT_WORKING_HOURS: WorkingHours = { startMinute: 9 * 60, endMinute: 18 * 60, days: [1, 2, 3, 4, 5] };

/** How long before the day ends the IC is asked to hand off. */
export const HANDOFF_LEAD_MS = 30 * 60_000;

export const WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use a time like 09:00.")
  .transform((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3)));

export const workingHoursInput = z.object({
  start: hhmm,
  end: hhmm,
  days: z.array(z.coerce.number().int().min(1).max(7)),
});
export type WorkingHoursInput = z.input<typeof workingHoursInput>;

/** Reads a person's choice; a mistake names the field it is about. */
export function parseWorkingHours(raw: WorkingHoursInput): WorkingHours {
  const r = workingHoursInput.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new AppError("validation", issue.message, { field: String(issue.path[0] ?? "start") });
  }
  const { start, end, days } = r.data;
  if (end <= start)
    throw new AppError("validation", "The day must end after it starts (overnight shifts: pick the longer part).", {
      field: "end",
    });
  if (!days.length) throw new AppError("validation", "Pick at least one working day.", { field: "days" });
  return { startMinute: start, endMinute: end, days: [...new Set(days)].sort() };
}

export const minuteWords = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

export function workingHoursWords(wh: WorkingHours): string {
  const days =
    wh.days.join(",") === "1,2,3,4,5"
      ? "Monday to Friday"
      : wh.days.map((d) => WEEKDAY_NAMES[d - 1]!.slice(0, 3)).join(", ");
  return `${minuteWords(wh.startMinute)}–${minuteWords(wh.endMinute)}, ${days}`;
}

const at = (day: DateTime, minute: number) =>
  day.set({ hour: Math.floor(minute / 60), minute: minute % 60, second: 0, millisecond: 0 });

/** Whether `when` falls inside the person's working hours, in their zone. */
export function inWorkingHours(when: Date, wh: WorkingHours, tz: string): boolean {
  const d = DateTime.fromJSDate(when, { zone: zoneOrUtc(tz) });
  if (!wh.days.includes(d.weekday)) return false;
  const m = d.hour * 60 + d.minute;
  return m >= wh.startMinute && m < wh.endMinute;
}

/** The first end of a working day strictly after `after`, in the person's zone. */
export function nextDayEnd(after: Date, wh: WorkingHours, tz: string): Date {
  const start = DateTime.fromJSDate(after, { zone: zoneOrUtc(tz) }).startOf("day");
  for (let i = 0; i <= 8; i++) {
    const day = start.plus({ days: i });
    if (!wh.days.includes(day.weekday)) continue;
    const end = at(day, wh.endMinute).toJSDate();
    if (end > after) return end;
  }
  // Unreachable with at least one working day; a week ahead is a safe answer anyway.
  return new Date(after.getTime() + 7 * 24 * 60 * 60_000);
}

/** The first working-day end after the local day of `when` is over: "until my next working day ends". */
export function nextWorkingDayEnd(when: Date, wh: WorkingHours, tz: string): Date {
  const endOfDay = DateTime.fromJSDate(when, { zone: zoneOrUtc(tz) })
    .endOf("day")
    .toJSDate();
  return nextDayEnd(endOfDay, wh, tz);
}
