import { describe, expect, it } from "vitest";
import { AppError } from "../../src/errors.js";
import { DEFAULT_COMPANY_POLICY } from "../../src/incidents/company-policy.js";
import { normalizeKey } from "../../src/incidents/context.js";
import { parseInput, title } from "../../src/incidents/input.js";
import { COMMANDER, type Postmortem, type RoleAssignment, STATUSES } from "../../src/incidents/model.js";
import { type Action, mayAct, PERMISSIONS } from "../../src/incidents/permissions.js";
import {
  emptyPostmortem,
  missingParts,
  partsFromDoc,
  postmortemRequired,
  postmortemSatisfied,
} from "../../src/incidents/postmortem-rules.js";
import { validateTimes } from "../../src/incidents/times.js";
import { assertTransition, canTransition, TRANSITIONS } from "../../src/incidents/transitions.js";

describe("status transitions", () => {
  const allowed = new Set(Object.entries(TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}>${to}`)));
  for (const from of STATUSES) {
    for (const to of STATUSES) {
      const ok = allowed.has(`${from}>${to}`);
      it(`${from} → ${to} is ${ok ? "allowed" : "refused"}`, () => {
        expect(canTransition(from, to)).toBe(ok);
        if (ok) expect(() => assertTransition("INC-1", from, to)).not.toThrow();
        else expect(() => assertTransition("INC-1", from, to)).toThrow(AppError);
      });
    }
  }
  it("covers the process: investigate → mitigate → resolve → close, reopen, not an incident", () => {
    expect(canTransition("investigating", "mitigated")).toBe(true);
    expect(canTransition("mitigated", "resolved")).toBe(true);
    expect(canTransition("resolved", "closed")).toBe(true);
    expect(canTransition("closed", "investigating")).toBe(true);
    expect(canTransition("investigating", "not_an_incident")).toBe(true);
    expect(canTransition("not_an_incident", "investigating")).toBe(true);
  });
});

describe("permissions", () => {
  const role = (r: string, userId: string): RoleAssignment => ({
    id: `${r}-${userId}`,
    incidentId: "i",
    role: r,
    userId,
    assignedBy: "x",
    assignedAt: new Date(0),
    endedAt: null,
    endedBy: null,
  });
  const roles = [role(COMMANDER, "UIC"), role("communications", "UCOMMS")];
  const ended = { ...role(COMMANDER, "UOLD"), endedAt: new Date(1) };

  for (const [action, audience] of Object.entries(PERMISSIONS) as [Action, string][]) {
    it(`${action} (${audience})`, () => {
      expect(mayAct(action, { userId: "UIC", isAdmin: false }, roles)).toBe(audience !== "admin");
      expect(mayAct(action, { userId: "UADMIN", isAdmin: true }, roles)).toBe(true);
      expect(mayAct(action, { userId: "UCOMMS", isAdmin: false }, roles)).toBe(
        audience !== "commander" && audience !== "admin",
      );
      expect(mayAct(action, { userId: "USTRANGER", isAdmin: false }, roles)).toBe(audience === "anyone");
      expect(mayAct(action, { userId: "UOLD", isAdmin: false }, [...roles, ended])).toBe(audience === "anyone");
    });
  }
});

describe("post-mortem rule", () => {
  const pm = (over: Partial<Postmortem>): Postmortem => ({ ...emptyPostmortem("i", new Date(0)), ...over });
  it("is required for outages and data loss only", () => {
    const rule = DEFAULT_COMPANY_POLICY.postmortem;
    expect(postmortemRequired({ impacts: ["outage"], severity: "low" }, rule)).toBe(true);
    expect(postmortemRequired({ impacts: ["data_loss"], severity: "unclassified" }, rule)).toBe(true);
    expect(postmortemRequired({ impacts: [], severity: "critical" }, rule)).toBe(true);
    expect(
      postmortemRequired(
        { impacts: ["degraded_performance", "security_breach", "customer_facing"], severity: "high" },
        rule,
      ),
    ).toBe(false);
  });
  it("is satisfied by a complete or waived post-mortem, or when not required", () => {
    const rule = DEFAULT_COMPANY_POLICY.postmortem;
    const outage = { impacts: ["outage" as const], severity: "low" as const };
    expect(postmortemSatisfied(outage, rule, null)).toBe(false);
    expect(postmortemSatisfied(outage, rule, pm({}))).toBe(false);
    expect(postmortemSatisfied(outage, rule, pm({ status: "complete" }))).toBe(true);
    expect(postmortemSatisfied(outage, rule, pm({ status: "waived" }))).toBe(true);
    expect(postmortemSatisfied({ impacts: [], severity: "low" }, rule, null)).toBe(true);
  });
  it("names the parts still empty; follow-ups and risks are satisfied by records or a reason", () => {
    const none = { followUps: [], risks: [] };
    expect(missingParts(pm({ details: "x", rootCauses: " " }), none)).not.toContain("details");
    expect(missingParts(pm({ details: "x", rootCauses: " " }), none)).toContain("rootCauses");
    expect(missingParts(pm({}), none)).toEqual(expect.arrayContaining(["followUps", "newRisks", "publicSummary"]));
    const records = { followUps: [{ ownerId: "U1" }], risks: [{}] };
    expect(missingParts(pm({}), records)).not.toContain("followUps");
    expect(missingParts(pm({}), records)).not.toContain("newRisks");
    expect(
      missingParts(pm({ followUps: "Nothing to change: a one-off", newRisks: "none: known risk" }), none),
    ).not.toContain("followUps");
    expect(missingParts(pm({ externalVersionShared: true }), none)).toContain("externalSharedWhere");
  });
  it("reads each part from the text under its heading in the doc", () => {
    expect(
      partsFromDoc([
        { heading: "Root causes", text: "An expired certificate\n" },
        { heading: "Timeline", text: "" },
        { heading: "Notes", text: "ignored" },
      ]),
    ).toEqual({ rootCauses: "An expired certificate" });
  });
});

describe("time order", () => {
  const now = new Date("2026-01-01T12:00:00Z");
  const base = {
    impactStartedAt: null,
    detectedAt: null,
    declaredAt: now,
    mitigatedAt: null,
    resolvedAt: null,
    closedAt: null,
  };
  const at = (h: number) => new Date(now.getTime() + h * 3_600_000);
  it("accepts times in order", () => {
    expect(() =>
      validateTimes(
        {
          ...base,
          impactStartedAt: at(-3),
          detectedAt: at(-2),
          declaredAt: at(-1),
          mitigatedAt: at(-0.5),
          resolvedAt: now,
        },
        now,
      ),
    ).not.toThrow();
  });
  it.each([
    [{ impactStartedAt: at(-1), detectedAt: at(-2) }, /Impact started .* can't be after detected/],
    [{ detectedAt: at(0.01), declaredAt: now }, /Detected .* can't be after declared/],
    [{ mitigatedAt: at(-1), resolvedAt: at(-2), declaredAt: at(-3) }, /Mitigated .* can't be after resolved/],
    [{ resolvedAt: at(-1), closedAt: at(-2), declaredAt: at(-3) }, /Resolved .* can't be after closed/],
    [{ impactStartedAt: at(2) }, /in the future/],
  ])("refuses %o", (times, message) => {
    expect(() => validateTimes({ ...base, ...times }, now)).toThrow(message);
  });
});

describe("titles and keys", () => {
  it.each([
    ["", /Give the incident a title/],
    ["\u0000\u200e  \t", /Give the incident a title/],
    ["x".repeat(10_000), /150 characters/],
    ["<!channel> db down", /mentions/],
    ["ping <@U123>", /mentions/],
    ["see <#C123|general>", /mentions/],
    ["<!subteam^S123>", /mentions/],
  ])("refuses %j", (raw, message) => {
    expect(() => parseInput(title, raw)).toThrow(message);
  });
  it("keeps non-Latin and emoji titles and tidies whitespace", () => {
    expect(parseInput(title, "  数据库   故障 🔥 ")).toBe("数据库 故障 🔥");
    expect(parseInput(title, "a < b & c > d")).toBe("a < b & c > d");
  });
  it("accepts INC-42, inc-42 and 42", () => {
    expect(normalizeKey("INC-42")).toBe("INC-42");
    expect(normalizeKey(" inc-042 ")).toBe("INC-42");
    expect(normalizeKey("42")).toBe("INC-42");
    expect(normalizeKey("INC-")).toBeNull();
    expect(normalizeKey("DROP TABLE")).toBeNull();
  });
});
