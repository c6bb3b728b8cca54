// The nudge rules: each rule's gaps, cadence by severity, backoff from the
// previous nudge, cap, a fresh start when the gap changes, working hours for DMs.
import { describe, expect, it } from "vitest";
import { companyPolicySchema } from "../../src/incidents/company-policy.js";
import { DEFAULT_ESCALATION, insufficientTriggers } from "../../src/incidents/insufficient-response.js";
import type {
  FollowUp,
  Incident,
  RoleAssignment,
  Severity,
  Status,
  TimelineEvent,
  VendorCheck,
} from "../../src/incidents/model.js";
import {
  DEFAULT_NUDGES,
  type Gap,
  gapsOf,
  type NudgeFacts,
  nextNudgeFor,
  nextNudges,
  nextWorkingMoment,
} from "../../src/incidents/nudges.js";

const T = Date.parse("2026-11-30T10:00:00Z"); // a Monday
const MIN = 60_000;
const incident = (severity: Severity, status: Status = "investigating", impacts: string[] = []) =>
  ({ severity, status, impacts, times: { declaredAt: new Date(T) } }) as unknown as Incident;
const facts = (i: Incident, more: Partial<NudgeFacts> = {}): NudgeFacts => ({
  incident: i,
  roles: [],
  statusUpdates: [],
  vendorChecks: [],
  followUps: [],
  timeline: [],
  ...more,
});
const only = (f: NudgeFacts, what: Gap["what"]) => gapsOf(f).filter((g) => g.what === what);
const first = (f: NudgeFacts, what: Gap["what"]) => nextNudges(f, new Map()).find((n) => n.what === what);

describe("nudge rules", () => {
  it("uses the severity's cadence: Critical 30 min, High 1 h, Medium 4 h, Low 24 h; unclassified 15 min", () => {
    const due = (s: Severity) => (nextNudges(facts(incident(s)), new Map())[0]!.at.getTime() - T) / MIN;
    expect([due("critical"), due("high"), due("medium"), due("low"), due("unclassified")]).toEqual([
      30, 60, 240, 1440, 15,
    ]);
    expect(nextNudges(facts(incident("unclassified")), new Map())[0]!.what).toBe("classify");
  });

  it("backs off from the previous nudge and stops at the cap", () => {
    const [g] = only(facts(incident("critical")), "update");
    const since = new Date(T);
    const one = nextNudgeFor(g!, { since, n: 1, lastAt: new Date(T + 40 * MIN) }, 3);
    expect((one!.at.getTime() - T) / MIN).toBe(40 + 60);
    expect(nextNudgeFor(g!, { since, n: 3, lastAt: new Date(T) }, 3)).toBeNull();
  });

  it("starts over after an update, and says nothing once the incident is resolved", () => {
    const update = { postedAt: new Date(T + 90 * MIN) } as NudgeFacts["statusUpdates"][number];
    const [g] = only(facts(incident("high"), { statusUpdates: [update] }), "update");
    expect(nextNudgeFor(g!, { since: new Date(T), n: 3, lastAt: new Date(T) }, 3)).toMatchObject({
      n: 0,
      at: new Date(T + 150 * MIN),
    });
    expect(gapsOf(facts(incident("high", "resolved")))).toEqual([]);
  });

  it("asks a customer-facing incident for a comms lead, from when it became customer-facing, until one is named", () => {
    const cf = incident("high", "investigating", ["customer_facing"]);
    expect((first(facts(cf), "comms_lead")!.at.getTime() - T) / MIN).toBe(15);
    expect(only(facts(incident("high")), "comms_lead")).toEqual([]);
    const later = {
      at: new Date(T + 120 * MIN),
      kind: "impact_updated",
      data: { changed: { impacts: { from: [], to: ["customer_facing"] } } },
    } as unknown as TimelineEvent;
    expect((first(facts(cf, { timeline: [later] }), "comms_lead")!.at.getTime() - T) / MIN).toBe(135);
    const comms = { role: "communications", userId: "UC", endedAt: null } as RoleAssignment;
    expect(only(facts(cf, { roles: [comms] }), "comms_lead")).toEqual([]);
  });

  it("raises each vendor check unanswered at its deadline, until answered or resolved", () => {
    const check = (id: string, answer: VendorCheck["answer"]) =>
      ({ id, answer, deadline: new Date(T + 60 * MIN) }) as VendorCheck;
    const f = facts(incident("high"), { vendorChecks: [check("v1", "pending"), check("v2", "not_affected")] });
    const gaps = only(f, "vendor_overdue");
    expect(gaps.map((g) => [g.subject, g.first])).toEqual([["v1", new Date(T + 60 * MIN)]]);
    expect(only({ ...f, incident: incident("high", "resolved") }, "vendor_overdue")).toEqual([]);
  });

  it("DMs a follow-up's owner on the first working morning after the due day, in their zone, even after resolve", () => {
    const f = {
      id: "f1",
      ownerId: "UBOB",
      status: "open",
      dueDate: new Date("2026-12-04T00:00:00Z"), // a Friday
    } as FollowUp;
    const resolved = facts(incident("high", "resolved"), { followUps: [f] });
    const tokyo = nextNudges(resolved, new Map(), DEFAULT_NUDGES, new Map([["UBOB", "Asia/Tokyo"]]));
    // The Friday ends in Tokyo; the weekend waits; Monday 09:00 Tokyo is Monday 00:00 UTC.
    expect(tokyo[0]).toMatchObject({
      what: "follow_up_overdue",
      to: { userId: "UBOB" },
      at: new Date("2026-12-07T00:00:00Z"),
    });
    const done = facts(incident("high"), { followUps: [{ ...f, status: "done" }] });
    expect(only(done, "follow_up_overdue")).toEqual([]);
    // The next one backs off from the last (twice the cadence), and also waits for working hours.
    const again = nextNudgeFor(tokyo[0]!, { since: tokyo[0]!.since, n: 1, lastAt: tokyo[0]!.at }, 3);
    expect(again!.at).toEqual(new Date("2026-12-09T00:00:00Z"));
  });

  it("working hours: 09:00 to 18:00 on weekdays", () => {
    expect(nextWorkingMoment(new Date("2026-12-01T12:00:00Z"), "UTC")).toEqual(new Date("2026-12-01T12:00:00Z"));
    expect(nextWorkingMoment(new Date("2026-12-01T19:00:00Z"), "UTC")).toEqual(new Date("2026-12-02T09:00:00Z"));
    expect(nextWorkingMoment(new Date("2026-12-05T10:00:00Z"), "UTC")).toEqual(new Date("2026-12-07T09:00:00Z"));
  });

  it("reads cadences, cap and escalation rules from the policy file, in minutes", () => {
    const p = companyPolicySchema.parse({
      nudges: { cap: 2, classifyWithinMinutes: 5, updateEveryMinutes: { critical: 10, high: 20, medium: 30, low: 40 } },
      escalation: { rules: [{ rule: "no_update", cadences: 3 }], answerWithinMinutes: 5 },
    });
    expect(p.nudges).toMatchObject({ cap: 2, classifyWithinMs: 5 * MIN, commsLeadWithinMs: 15 * MIN });
    expect(p.nudges.updateEveryMs.critical).toBe(10 * MIN);
    expect(p.escalation).toEqual({ rules: [{ kind: "no_update", cadences: 3 }], answerWithinMs: 5 * MIN });
    expect(companyPolicySchema.safeParse({ nudges: { every: 3 } }).success).toBe(false);
  });
});

describe("insufficient-response rules", () => {
  it("a Critical incident not mitigated after an hour; no update for twice the cadence", () => {
    const t = insufficientTriggers(facts(incident("critical")), DEFAULT_ESCALATION, DEFAULT_NUDGES);
    expect(t.map((x) => [x.rule, (x.at.getTime() - T) / MIN])).toEqual([
      ["not_mitigated", 60],
      ["no_update", 60],
    ]);
    const high = insufficientTriggers(facts(incident("high")), DEFAULT_ESCALATION, DEFAULT_NUDGES);
    expect(high.map((x) => [x.rule, (x.at.getTime() - T) / MIN])).toEqual([["no_update", 120]]);
    expect(
      insufficientTriggers(facts(incident("critical", "mitigated")), DEFAULT_ESCALATION, DEFAULT_NUDGES),
    ).toMatchObject([{ rule: "no_update" }]);
  });
});
