// Working hours and the end-of-day hand-off, in each person's own zone: the
// IC is asked at 17:30 local (their day ends 18:00), before and after the
// daylight-saving switches of the US and the EU; the rounds of asking,
// snoozing and telling the channel.
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/errors.js";
import { type DayEndState, dayEndStep } from "../../src/incidents/day-end.js";
import {
  DEFAULT_WORKING_HOURS,
  inWorkingHours,
  nextDayEnd,
  nextWorkingDayEnd,
  parseWorkingHours,
} from "../../src/incidents/working-hours.js";

const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();
const LA = "America/Los_Angeles";
const BERLIN = "Europe/Berlin";
const TOKYO = "Asia/Tokyo";
const H = DEFAULT_WORKING_HOURS;

describe("the end of a working day, in the person's zone", () => {
  it("Los Angeles: 18:00 PDT before the switch (1 Nov 2026), 18:00 PST after it", () => {
    // Friday 30 October, 10:00 PDT.
    expect(iso(nextDayEnd(at("2026-10-30T17:00:00Z"), H, LA))).toBe("2026-10-31T01:00:00.000Z");
    // Friday 30 October, 19:00 PDT: the weekend is skipped, Monday 2 November ends 18:00 PST.
    expect(iso(nextDayEnd(at("2026-10-31T02:00:00Z"), H, LA))).toBe("2026-11-03T02:00:00.000Z");
  });

  it("Berlin: 18:00 CEST before the switch (25 Oct 2026), 18:00 CET after it", () => {
    expect(iso(nextDayEnd(at("2026-10-23T08:00:00Z"), H, BERLIN))).toBe("2026-10-23T16:00:00.000Z");
    expect(iso(nextDayEnd(at("2026-10-23T17:00:00Z"), H, BERLIN))).toBe("2026-10-26T17:00:00.000Z");
  });

  it("Tokyo (no daylight saving): a Monday 09:00 UTC is 18:00 there, the day's end", () => {
    expect(iso(nextDayEnd(at("2026-11-30T01:00:00Z"), H, TOKYO))).toBe("2026-11-30T09:00:00.000Z");
    // One instant, three zones, three different day ends.
    const t = at("2026-11-30T12:00:00Z");
    expect(iso(nextDayEnd(t, H, TOKYO))).toBe("2026-12-01T09:00:00.000Z");
    expect(iso(nextDayEnd(t, H, BERLIN))).toBe("2026-11-30T17:00:00.000Z");
    expect(iso(nextDayEnd(t, H, LA))).toBe("2026-12-01T02:00:00.000Z");
  });

  it("custom hours: 07:15–15:45, Tuesday to Saturday", () => {
    const wh = parseWorkingHours({ start: "07:15", end: "15:45", days: ["2", "3", "4", "5", "6"] });
    // Monday 30 November in Berlin is not a working day: Tuesday's end.
    expect(iso(nextDayEnd(at("2026-11-30T08:00:00Z"), wh, BERLIN))).toBe("2026-12-01T14:45:00.000Z");
    expect(inWorkingHours(at("2026-12-01T06:15:00Z"), wh, BERLIN)).toBe(true);
    expect(inWorkingHours(at("2026-12-01T06:14:00Z"), wh, BERLIN)).toBe(false);
    expect(inWorkingHours(at("2026-11-30T10:00:00Z"), wh, BERLIN)).toBe(false);
  });

  it("'until my next working day ends' skips the rest of today, and the weekend", () => {
    // Friday 27 November 17:35 in Los Angeles: Monday 18:00.
    expect(iso(nextWorkingDayEnd(at("2026-11-28T01:35:00Z"), H, LA))).toBe("2026-12-01T02:00:00.000Z");
  });

  it("an unknown zone is read as UTC", () => {
    expect(iso(nextDayEnd(at("2026-11-30T10:00:00Z"), H, "Mars/Olympus"))).toBe("2026-11-30T18:00:00.000Z");
  });
});

describe("working hours a person sets", () => {
  const fieldOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof AppError ? e.field : "not an AppError";
    }
    return null;
  };
  it("refuses an end before the start, no working day, or a time that is not one", () => {
    expect(fieldOf(() => parseWorkingHours({ start: "18:00", end: "09:00", days: ["1"] }))).toBe("end");
    expect(fieldOf(() => parseWorkingHours({ start: "09:00", end: "09:00", days: ["1"] }))).toBe("end");
    expect(fieldOf(() => parseWorkingHours({ start: "09:00", end: "17:00", days: [] }))).toBe("days");
    expect(fieldOf(() => parseWorkingHours({ start: "25:00", end: "17:00", days: ["1"] }))).toBe("start");
    expect(parseWorkingHours({ start: "08:45", end: "17:15", days: ["5", "1", "1"] })).toEqual({
      startMinute: 525,
      endMinute: 1035,
      days: [1, 5],
    });
  });
});

describe("the end-of-day rounds", () => {
  // An IC in Los Angeles since Monday 30 November 08:00 PST (16:00Z); the day ends 18:00 PST (02:00Z).
  const base: DayEndState = {
    now: at("2026-11-30T16:00:00Z"),
    icId: "UALICE",
    icSince: at("2026-11-30T16:00:00Z"),
    chainStart: at("2026-11-30T16:00:00Z"),
    hours: H,
    tz: LA,
    events: [],
  };
  const asked = {
    kind: "day_end_reminded" as const,
    at: at("2026-12-01T01:30:00Z"),
    data: { icId: "UALICE", round: "2026-12-01T01:30:00.000Z" },
  };

  it("waits until 17:30 local, asks once, then waits for 18:00", () => {
    expect(dayEndStep(base)).toEqual({ action: "wait", at: at("2026-12-01T01:30:00Z") });
    expect(dayEndStep({ ...base, now: at("2026-12-01T01:30:00Z") })).toEqual({
      action: "remind",
      round: at("2026-12-01T01:30:00Z"),
      deadline: at("2026-12-01T02:00:00Z"),
    });
    expect(dayEndStep({ ...base, now: at("2026-12-01T01:31:00Z"), events: [asked] })).toEqual({
      action: "wait",
      at: at("2026-12-01T02:00:00Z"),
    });
  });

  it("at 18:00 with nobody taking over, the day ended unanswered; then tomorrow's round", () => {
    const now = at("2026-12-01T02:00:00Z");
    expect(dayEndStep({ ...base, now, events: [asked] }).action).toBe("unanswered");
    const told = { kind: "day_end_unanswered" as const, at: now, data: { icId: "UALICE" } };
    expect(dayEndStep({ ...base, now, events: [asked, told] })).toEqual({
      action: "wait",
      at: at("2026-12-02T01:30:00Z"),
    });
  });

  it("staying on for 2 hours asks again at the end of the snooze, and the 18:00 notice waits for it", () => {
    const snoozed = {
      kind: "day_end_snoozed" as const,
      at: at("2026-12-01T01:35:00Z"),
      data: { icId: "UALICE", snooze: "2h", until: "2026-12-01T03:35:00.000Z" },
    };
    const events = [asked, snoozed];
    expect(dayEndStep({ ...base, now: at("2026-12-01T02:00:00Z"), events })).toEqual({
      action: "wait",
      at: at("2026-12-01T03:35:00Z"),
    });
    expect(dayEndStep({ ...base, now: at("2026-12-01T03:35:00Z"), events }).action).toBe("remind");
  });

  it("staying on until the next working day: Friday's question comes back on Monday at 17:30", () => {
    const friday = { ...base, icSince: at("2026-11-27T16:00:00Z"), chainStart: at("2026-11-27T16:00:00Z") };
    const snoozed = {
      kind: "day_end_snoozed" as const,
      at: at("2026-11-28T01:35:00Z"),
      data: { icId: "UALICE", snooze: "next_day" },
    };
    expect(dayEndStep({ ...friday, now: at("2026-11-28T01:36:00Z"), events: [snoozed] })).toEqual({
      action: "wait",
      at: at("2026-12-01T01:30:00Z"),
    });
  });

  it("someone who becomes IC outside their hours is asked before their next day ends", () => {
    // Becomes IC on Saturday: Monday's end.
    const s = {
      ...base,
      now: at("2026-11-28T20:00:00Z"),
      icSince: at("2026-11-28T20:00:00Z"),
      chainStart: at("2026-11-28T20:00:00Z"),
    };
    expect(dayEndStep(s)).toEqual({ action: "wait", at: at("2026-12-01T01:30:00Z") });
  });

  it("after downtime past the day's end: the channel is told once, the IC is not asked about a day that ended", () => {
    expect(dayEndStep({ ...base, now: at("2026-12-01T05:00:00Z") }).action).toBe("unanswered");
  });

  it("another IC's (or an earlier term's) events do not count", () => {
    const bobs = { ...asked, data: { icId: "UBOB", round: asked.data.round } };
    expect(dayEndStep({ ...base, now: at("2026-12-01T01:31:00Z"), events: [bobs] }).action).toBe("remind");
    const later = { ...base, icSince: at("2026-12-01T01:40:00Z"), now: at("2026-12-01T01:41:00Z") };
    expect(dayEndStep({ ...later, events: [asked] }).action).toBe("remind");
  });
});
