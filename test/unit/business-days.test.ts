// Business days in a person's own zone: weekends skipped, the local time kept across daylight saving.
import { describe, expect, it } from "vitest";
import { addBusinessDays, nextBusinessMoment } from "../../src/incidents/business-days.js";

const at = (iso: string) => new Date(iso);

describe("business days", () => {
  it("skips the weekend in Los Angeles: Friday 15:00 + 1 is Monday 15:00", () => {
    expect(addBusinessDays(at("2026-11-27T23:00:00Z"), 1, "America/Los_Angeles").toISOString()).toBe(
      "2026-11-30T23:00:00.000Z",
    );
  });

  it("the same instant is Saturday morning in Tokyo: counts from Monday 09:00 there", () => {
    expect(addBusinessDays(at("2026-11-27T23:00:00Z"), 1, "Asia/Tokyo").toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(addBusinessDays(at("2026-11-27T23:00:00Z"), 2, "Asia/Tokyo").toISOString()).toBe("2026-12-01T00:00:00.000Z");
  });

  it("keeps the local time across the end of daylight saving (Los Angeles, 1 November 2026)", () => {
    // Friday 30 October 12:00 PDT (19:00Z) + 1 business day = Monday 2 November 12:00 PST (20:00Z).
    expect(addBusinessDays(at("2026-10-30T19:00:00Z"), 1, "America/Los_Angeles").toISOString()).toBe(
      "2026-11-02T20:00:00.000Z",
    );
  });

  it("five business days from a Friday is the next Friday", () => {
    expect(addBusinessDays(at("2026-11-27T20:00:00Z"), 5, "America/Los_Angeles").toISOString()).toBe(
      "2026-12-04T20:00:00.000Z",
    );
  });

  it("moves a weekend moment to Monday 09:00 in the zone, leaves a weekday one alone", () => {
    expect(nextBusinessMoment(at("2026-11-28T20:00:00Z"), "Europe/Berlin").toISOString()).toBe(
      "2026-11-30T08:00:00.000Z",
    );
    expect(nextBusinessMoment(at("2026-11-30T20:00:00Z"), "Europe/Berlin").toISOString()).toBe(
      "2026-11-30T20:00:00.000Z",
    );
  });

  it("an unknown zone counts in UTC", () => {
    expect(addBusinessDays(at("2026-11-27T20:00:00Z"), 1, "Mars/Olympus").toISOString()).toBe(
      "2026-11-30T20:00:00.000Z",
    );
  });
});
