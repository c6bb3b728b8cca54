// The checklists' rules: when the recovery checklist is owed, how ticks and a
// waiver fold from the timeline, which parties are proposed at resolve, what
// the resolution checklist refuses, and the reminder about untold parties.
import { describe, expect, it } from "vitest";
import {
  commsChecklist,
  itemsToData,
  type PartyChoice,
  proposedParties,
  recoveryChecklist,
  recoveryRequired,
  recoverySatisfied,
  resolutionChecklist,
} from "../../src/incidents/checklists.js";
import type { EventKind, Impact, Incident, TimelineEvent } from "../../src/incidents/model.js";
import { DEFAULT_NUDGES, gapsOf, nextNudges } from "../../src/incidents/nudges.js";

const T = Date.parse("2026-11-30T10:00:00Z");
const MIN = 60_000;
const incident = (impacts: Impact[] = [], o: Partial<Incident> = {}) =>
  ({
    key: "INC-7",
    impacts,
    disrupted: false,
    status: "resolved",
    severity: "high",
    scope: { components: [], regions: [], customersAffected: null, customers: [] },
    times: { declaredAt: new Date(T) },
    ...o,
  }) as unknown as Incident;
let id = 0;
const ev = (kind: EventKind, data: Record<string, unknown>, at = T, actorId = "UALICE"): TimelineEvent => ({
  id: ++id,
  incidentId: "i",
  at: new Date(at),
  actorId,
  kind,
  visibility: "internal",
  data,
});
const tick = (list: string, item: string, more: Record<string, unknown> = {}, actor = "UBOB") =>
  ev("checklist_ticked", { list, item, state: "done", ...more }, T + MIN, actor);
const resolve = (i: Incident, o: { choices?: [string, PartyChoice][]; others?: string[]; none?: boolean } = {}) =>
  resolutionChecklist(i, {
    parties: proposedParties(i, { escalated: false }),
    choices: new Map(o.choices ?? []),
    othersTold: o.others ?? [],
    noneAffected: o.none ?? false,
    by: "UALICE",
    at: new Date(T),
  });
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return { message: (e as Error).message, field: (e as { field?: string }).field };
  }
  throw new Error("not refused");
};

describe("the recovery checklist", () => {
  it("is owed for a data loss or when data or processes are flagged disrupted", () => {
    expect(recoveryRequired(incident(["data_loss"]))).toBe(true);
    expect(recoveryRequired(incident([], { disrupted: true }))).toBe(true);
    expect(recoveryRequired(incident(["outage", "customer_facing"]))).toBe(false);
  });

  it("folds ticks (who, when) from the timeline; closing waits for every item or an admin's waiver", () => {
    const i = incident(["data_loss"]);
    const some = [tick("recovery", "backup_identified"), tick("recovery", "restore_performed"), tick("comms", "x")];
    const c = recoveryChecklist(some);
    expect(c.items.map((x) => x.state)).toEqual(["done", "done", "open", "open", "open"]);
    expect(c.items[0]).toMatchObject({ by: "UBOB", at: new Date(T + MIN) });
    expect(recoverySatisfied(i, c)).toBe(false);
    const all = [
      ...some,
      tick("recovery", "restore_verified"),
      tick("recovery", "customers_checked"),
      tick("recovery", "sign_off"),
    ];
    expect(recoverySatisfied(i, recoveryChecklist(all))).toBe(true);
    const waived = recoveryChecklist([...some, ev("recovery_waived", { reason: "Test data only" })]);
    expect(waived.waiver).toMatchObject({ by: "UALICE", reason: "Test data only" });
    expect(recoverySatisfied(i, waived)).toBe(true);
    expect(recoverySatisfied(incident(["outage"]), recoveryChecklist([]))).toBe(true);
  });
});

describe("the parties proposed at resolve", () => {
  it("are the channels, leadership when escalated, named customers, and the status page when customer-facing", () => {
    const keys = (i: Incident, escalated = false) => proposedParties(i, { escalated }).map((p) => p.key);
    expect(keys(incident())).toEqual(["incident_channel", "announcement"]);
    expect(keys(incident(), true)).toContain("leadership");
    expect(keys(incident(["customer_facing"]))).toEqual([
      "incident_channel",
      "announcement",
      "affected_customers",
      "status_page",
    ]);
    const named = incident(["customer_facing"], {
      scope: { components: [], regions: [], customersAffected: 2, customers: ["Acme Corp", "acme corp", "Globex"] },
    });
    expect(proposedParties(named, { escalated: false }).filter((p) => p.kind === "customer")).toEqual([
      { key: "customer:acme-corp", label: "Acme Corp", kind: "customer" },
      { key: "customer:globex", label: "Globex", kind: "customer" },
    ]);
  });
});

describe("the resolution checklist", () => {
  it("refuses “none affected” for a customer-facing incident, typed or ticked, naming the field", () => {
    expect(refusal(() => resolve(incident(["customer_facing"]), { none: true }))).toMatchObject({
      field: "noneAffected",
      message: expect.stringContaining("customer-facing"),
    });
    expect(refusal(() => resolve(incident(["customer_facing"]), { others: ["none affected"] })).field).toBe(
      "noneAffected",
    );
    // Not customer-facing: every party is not applicable, with the reason.
    const none = resolve(incident(), { none: true });
    expect(none.every((x) => x.state === "not_applicable" && x.reason === "None affected")).toBe(true);
  });

  it("refuses “not applicable” without a reason, and for every customer and the status page at once", () => {
    expect(refusal(() => resolve(incident(), { choices: [["announcement", { state: "not_applicable" }]] }))).toEqual({
      field: "partyReason.announcement",
      message: expect.stringContaining("Say why"),
    });
    const cf = incident(["customer_facing"]);
    const na = { state: "not_applicable" as const, reason: "no" };
    expect(
      refusal(() =>
        resolve(cf, {
          choices: [
            ["affected_customers", na],
            ["status_page", na],
          ],
        }),
      ).field,
    ).toBe("party.status_page");
    expect(resolve(cf, { choices: [["status_page", na]] }).find((x) => x.key === "affected_customers")?.state).toBe(
      "open",
    );
  });

  it("leaves unspoken parties to tell; typed names tick a proposed party or are added as told", () => {
    const items = resolve(incident(["customer_facing"]), { others: ["status page", "Support team"] });
    const state = Object.fromEntries(items.map((x) => [x.key, x.state]));
    expect(state).toEqual({
      incident_channel: "open",
      announcement: "open",
      affected_customers: "open",
      status_page: "done",
      "other:support-team": "done",
    });
    expect(items.find((x) => x.key === "status_page")).toMatchObject({ by: "UALICE", at: new Date(T) });
  });

  it("name the announcement channel as configured (INCIDENT_CHANNEL), and a typed #name ticks it", () => {
    const i = incident();
    const announcement = (channel?: string) =>
      proposedParties(i, { escalated: false, announcementChannel: channel }).find((p) => p.key === "announcement")!;
    expect(announcement("ops-incidents").label).toBe("The announcement channel (#ops-incidents)");
    // A channel id means nothing to a person: the label stays generic.
    expect(announcement("C0123ABCD").label).toBe("The announcement channel");
    const items = resolutionChecklist(i, {
      parties: proposedParties(i, { escalated: false, announcementChannel: "ops-incidents" }),
      choices: new Map(),
      othersTold: ["#ops-incidents", "#incident-response"],
      noneAffected: false,
      by: "UALICE",
      at: new Date(T),
    });
    const state = Object.fromEntries(items.map((x) => [x.key, x.state]));
    expect(state).toMatchObject({ announcement: "done", "other:incident-response": "done" });
  });

  it("folds ticks after the latest resolve; an incident resolved with the free-text list shows that list", () => {
    const i = incident(["customer_facing"]);
    const items = itemsToData(resolve(i));
    const timeline = [
      ev("status_changed", { to: "resolved", comms: items }),
      tick("comms", "status_page"),
      tick("comms", "announcement", { state: "not_applicable", reason: "muster posted it" }),
    ];
    const c = commsChecklist(timeline);
    expect(c.items.find((x) => x.key === "status_page")).toMatchObject({ state: "done", by: "UBOB" });
    expect(c.items.find((x) => x.key === "announcement")).toMatchObject({
      state: "not_applicable",
      reason: "muster posted it",
    });
    expect(commsChecklist([ev("status_changed", { to: "resolved", partiesInformed: ["support", "Acme"] })])).toEqual({
      items: [],
      resolvedAt: new Date(T),
      legacy: ["support", "Acme"],
    });
  });
});

describe("the reminder about parties still to tell", () => {
  const facts = (i: Incident, timeline: TimelineEvent[]) => ({
    incident: i,
    roles: [],
    statusUpdates: [],
    vendorChecks: [],
    followUps: [],
    timeline,
  });

  it("is due in the channel after the cadence while a party is untold, and ends when all are ticked off", () => {
    const i = incident(["customer_facing"]);
    const items = itemsToData(resolve(i, { others: ["status page"] }));
    const resolved = ev("status_changed", { to: "resolved", comms: items });
    const n = nextNudges(facts(i, [resolved]), new Map()).find((x) => x.what === "comms_untold");
    expect(n?.at.getTime()).toBe(T + DEFAULT_NUDGES.commsUntoldEveryMs);
    expect(n?.to).toEqual({ channel: true });
    const ticks = ["incident_channel", "announcement", "affected_customers"].map((k) => tick("comms", k));
    expect(gapsOf(facts(i, [resolved, ...ticks])).filter((g) => g.what === "comms_untold")).toEqual([]);
    // Reopened: the response is on again; the checklist waits for the next resolve.
    expect(gapsOf(facts({ ...i, status: "investigating" }, [resolved])).some((g) => g.what === "comms_untold")).toBe(
      false,
    );
  });
});
