// The yearly duties: the policies' own words (verbatim, pinned to the
// documents), when reminders and the overdue notice fall, and the policy
// file's `duties:` part.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { DEFAULT_DUTY_POLICY, DUTIES, DUTY_KEYS, nextDueAt, nextDutyStep } from "../../src/dr/duties.js";

const policy = (name: string) =>
  readFileSync(new URL(`../../../shared/policy/${name}`, import.meta.url), "utf8").replace(/\s+/g, " ");
const BCP_DR = policy("000_705b6d1c0179297c.txt");
const IR = policy("001_291ff160df865b99.txt");

describe("the yearly duties", () => {
  it("quote the policies verbatim", () => {
    for (const k of DUTY_KEYS) {
      const doc = DUTIES[k].source === "BCP/DR policy" ? BCP_DR : IR;
      expect(doc, k).toContain(DUTIES[k].policy);
    }
    expect(DUTIES.ir_process_review.policy).toContain("incident response process on an annual basis");
    expect(DUTIES.restore_test.policy).toContain("restore production data at least annually");
  });

  it("fall due a year after they were last done", () => {
    const s = DEFAULT_DUTY_POLICY.schedules.walkthrough;
    expect(nextDueAt(s, new Date("2027-02-28T10:00:00Z")).toISOString()).toBe("2028-02-28T10:00:00.000Z");
    expect(nextDueAt({ ...s, everyMonths: 6 }, new Date("2027-08-31T00:00:00Z")).toISOString()).toBe(
      "2028-02-29T00:00:00.000Z",
    );
  });

  it("remind 14 days ahead, then weekly, and tell the channel at the due date", () => {
    const dueAt = new Date("2027-01-31T00:00:00Z");
    const p = DEFAULT_DUTY_POLICY;
    const step = (sent: { kind: "reminder" | "overdue"; at: string }[], ownerId: string | null = "U1") =>
      nextDutyStep({ dueAt, ownerId, sent: sent.map((x) => ({ ...x, at: new Date(x.at) })), policy: p });
    expect(step([])).toEqual({ kind: "reminder", at: new Date("2027-01-17T00:00:00Z") });
    expect(step([{ kind: "reminder", at: "2027-01-17T06:00:00Z" }])).toEqual({
      kind: "reminder",
      at: new Date("2027-01-24T06:00:00Z"),
    });
    expect(
      step([
        { kind: "reminder", at: "2027-01-17T06:00:00Z" },
        { kind: "reminder", at: "2027-01-24T06:00:00Z" },
      ]),
    ).toEqual({ kind: "overdue", at: dueAt });
    expect(step([{ kind: "overdue", at: "2027-01-31T00:00:00Z" }], null)).toBeNull();
    expect(step([], null)).toEqual({ kind: "overdue", at: dueAt });
  });

  it("read owners, intervals and first due dates from MUSTER_POLICY and DR_* settings", () => {
    const file = [
      "duties:",
      "  restore_test: { owner: U0RESTORE, everyMonths: 6, firstDue: 2027-03-01 }",
      "severities:",
      "  critical: { label: Critical, definition: Everything is down. }",
      "  high: { label: High, definition: Some of it is down. }",
      "  medium: { label: Medium, definition: Some of it is slow. }",
      "  low: { label: Low, definition: Nobody noticed. }",
    ].join("\n");
    const r = parseConfig(
      { MUSTER_POLICY: "p.yml", DR_OWNER: "U0SEC", DR_CHANNEL: "#security", DR_REMIND_DAYS_BEFORE: "30" },
      () => file,
    );
    if (!r.ok) throw new Error(r.problems.join("; "));
    expect(r.config.duties.schedules.restore_test).toEqual({
      ownerId: "U0RESTORE",
      everyMonths: 6,
      firstDueAt: new Date("2027-03-01T00:00:00Z"),
    });
    expect(r.config.duties.schedules.walkthrough).toEqual({ ownerId: "U0SEC", everyMonths: 12, firstDueAt: null });
    expect(r.config.duties.remindDaysBefore).toBe(30);
    expect(r.config.duties.remindEveryDays).toBe(7);
    expect(r.config.slack.drChannel).toBe("security");
    expect(r.config.company.severities.low.definition).toBe("Nobody noticed.");

    const bad = parseConfig(
      { MUSTER_POLICY: "p.yml" },
      () => "duties:\n  fire_drill: { owner: U1 }\n  walkthrough: { owner: bob }\n",
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.problems.join("\n")).toContain("unknown duty fire_drill");
      expect(bad.problems.join("\n")).toContain("duties.walkthrough.owner: owner must be a Slack user id");
    }
  });
});
