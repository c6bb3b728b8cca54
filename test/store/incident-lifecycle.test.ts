// The domain's commands against the real store, on SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/errors.js";
import type { IncidentService } from "../../src/incidents/service.js";
import type { OpenedStore } from "../../src/store/open-store.js";
import { available, openTestStore, PROVIDERS, serviceFor, user } from "../helpers/stores.js";

const ic = user("UIC");
const other = user("UOTHER");
const successor = user("USUCC");
const admin = user("UADMIN", true);

async function rejects(p: Promise<unknown>, code: AppError["code"], text?: RegExp): Promise<AppError> {
  const e = await p.then(
    () => {
      throw new Error("expected the command to be refused");
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  expect((e as AppError).code).toBe(code);
  if (text) expect((e as AppError).message).toMatch(text);
  return e as AppError;
}

async function counts(opened: OpenedStore) {
  const db = opened.db;
  const [incidents, events, jobs, roles, keys] = await Promise.all([
    db.incident.count(),
    db.timelineEvent.count(),
    db.job.count(),
    db.roleAssignment.count(),
    db.idempotencyKey.count(),
  ]);
  return { incidents, events, jobs, roles, keys };
}

describe.each(PROVIDERS)("incident lifecycle on %s", (provider) => {
  let opened: OpenedStore & { cleanup: () => Promise<void> };
  let svc: IncidentService;

  beforeAll(async () => {
    if (!available(provider)) return;
    opened = await openTestStore(provider);
    svc = serviceFor(opened);
  });
  afterAll(async () => opened?.cleanup());

  it.runIf(available(provider))("runs a whole incident from declaration to closing", async () => {
    const d = await svc.declare(ic, {
      title: "  Payments API returning 500s  ",
      summary: "Card payments fail for EU customers",
      impacts: ["outage", "customer_facing"],
      components: ["payments-api"],
      regions: ["eu-west-1"],
      reportSource: "monitoring",
    });
    expect(d.key).toMatch(/^INC-\d+$/);
    const key = d.key;

    await svc.classifySeverity(ic, { key, severity: "high", reason: "EU card payments down", customersAffected: 120 });
    await svc.assignRole(ic, { key, role: "communications", userId: "UCOMMS" });
    await svc.postStatusUpdate(user("UCOMMS"), {
      key,
      internalText: "Rolled back deploy 4411",
      publicText: "Some card payments are failing; we are on it.",
    });
    const v = await svc.recordVendorCheck(ic, { key, vendor: "Stripe" });
    await svc.answerVendorCheck(ic, { key, vendorCheckId: v.vendorCheckId as string, answer: "not_affected" });
    const h = await svc.proposeHandoff(ic, {
      key,
      toUserId: successor.userId,
      note: "Rollback done; watch error rate",
    });
    await svc.acceptHandoff(successor, { handoffId: h.handoffId as string });
    await svc.escalate(other, { key, reason: "Need a decision on refunds" });
    await svc.addFollowUp(successor, { key, title: "Add canary for payments", ownerId: "UIC" });
    await svc.addRisk(successor, { key, description: "Single payments region" });
    await svc.addNote(other, { key, text: "Error rate back to baseline" });
    await svc.mitigate(successor, { key });
    await svc.resolve(successor, { key, summary: "Bad deploy rolled back", partiesInformed: ["EU customers"] });

    await rejects(svc.close(successor, { key }), "postmortem_required", /post-mortem/);
    await svc.updatePostmortem(successor, {
      key,
      details: "d",
      timeline: "t",
      impact: "i",
      actionsTaken: "a",
      rootCauses: "r",
      followUps: "f",
      newRisks: "n",
    });
    await rejects(svc.completePostmortem(successor, { key }), "validation", /still needs: the public summary/);
    await svc.updatePostmortem(successor, { key, publicSummary: "Some EU payments failed for an hour." });
    await svc.completePostmortem(successor, { key });
    await svc.close(successor, { key });

    const record = await opened.store.loadIncident(key);
    expect(record?.incident.status).toBe("closed");
    expect(record?.incident.title).toBe("Payments API returning 500s");
    expect(record?.incident.severity).toBe("high");
    expect(record?.incident.scope.customersAffected).toBe(120);
    const active = record?.roles.filter((r) => r.endedAt === null).map((r) => [r.role, r.userId]);
    expect(active).toEqual(
      expect.arrayContaining([
        ["commander", "USUCC"],
        ["communications", "UCOMMS"],
      ]),
    );
    // Full role history: the first IC's assignment is kept, ended.
    expect(record?.roles.find((r) => r.userId === "UIC")?.endedAt).toBeInstanceOf(Date);
    expect(record?.timeline.map((e) => e.kind)).toEqual([
      "declared",
      "severity_classified",
      "role_assigned",
      "status_update",
      "vendor_check_requested",
      "vendor_check_answered",
      "handoff_proposed",
      "handoff_accepted",
      "escalated",
      "follow_up_added",
      "risk_added",
      "note",
      "status_changed",
      "status_changed",
      "postmortem_updated",
      "postmortem_updated",
      "postmortem_completed",
      "status_changed",
    ]);
    expect(record?.timeline.find((e) => e.kind === "status_update")?.visibility).toBe("public");
    const t = record?.incident.times;
    expect(t && t.declaredAt <= (t.mitigatedAt as Date) && (t.mitigatedAt as Date) <= (t.resolvedAt as Date)).toBe(
      true,
    );

    // The outbox got the side effects, in the same transactions.
    const jobs = await opened.db.job.findMany({ where: { incidentId: d.incidentId }, orderBy: { id: "asc" } });
    // (The declaration's own effects, the nudge and end-of-day timers, come first; then the declare's jobs, in order.)
    expect(
      jobs
        .filter((j) => j.kind !== "slack.nudge_due" && j.kind !== "slack.day_end_due")
        .slice(0, 4)
        .map((j) => j.kind),
    ).toEqual(["slack.create_channel", "slack.sync_announcement", "github.sync_issue", "google.create_doc"]);
    expect(jobs.some((j) => j.kind === "slack.escalate")).toBe(true);
    expect(jobs.some((j) => j.kind === "google.create_postmortem_doc")).toBe(true);
    expect(jobs.every((j) => j.status === "pending")).toBe(true);
  });

  it.runIf(available(provider))("enforces who may do what, in plain words, changing nothing", async () => {
    const { key } = await svc.declare(ic, { title: "Login slow" });
    const before = await counts(opened);
    await rejects(
      svc.classifySeverity(other, { key, severity: "low", reason: "x" }),
      "forbidden",
      /Incident Commander/,
    );
    await rejects(svc.resolve(other, { key, summary: "x", partiesInformed: ["n/a"] }), "forbidden");
    await rejects(svc.proposeHandoff(other, { key, toUserId: "UX", note: "n" }), "forbidden");
    await rejects(svc.postStatusUpdate(other, { key, internalText: "x" }), "forbidden", /role in the incident/);
    await rejects(svc.assignRole(ic, { key, role: "commander", userId: "UX" }), "forbidden", /hand-off/);
    await rejects(svc.assignRole(ic, { key, role: "juggler", userId: "UX" }), "validation", /no role "juggler"/);
    await rejects(svc.unassignRole(ic, { key, role: "commander" }), "validation");
    const h = await svc.proposeHandoff(ic, { key, toUserId: successor.userId, note: "over to you" });
    const afterProposal = await counts(opened);
    await rejects(svc.acceptHandoff(ic, { handoffId: h.handoffId as string }), "forbidden", /offered to/);
    await rejects(svc.acceptHandoff(admin, { handoffId: h.handoffId as string }), "forbidden");
    expect(await counts(opened)).toEqual(afterProposal);
    expect(afterProposal.events).toBe(before.events + 1);
    // Admins may stand in for the IC.
    await svc.classifySeverity(admin, { key, severity: "low", reason: "no customer impact" });
    await svc.declineHandoff(successor, { handoffId: h.handoffId as string, reason: "off shift" });
    await rejects(svc.acceptHandoff(successor, { handoffId: h.handoffId as string }), "invalid_transition", /declined/);
  });

  it.runIf(available(provider))("refuses illegal status changes with the allowed ones named", async () => {
    const { key } = await svc.declare(ic, { title: "Queue backlog" });
    await rejects(svc.close(ic, { key }), "invalid_transition", /can become: Mitigated, Resolved, Not an incident/);
    await svc.markNotAnIncident(ic, { key, reason: "Known unexploited vulnerability; not an incident" });
    await rejects(svc.mitigate(ic, { key }), "invalid_transition");
    await rejects(svc.assignRole(ic, { key, role: "scribe", userId: "U1" }), "invalid_transition", /reopen/);
    await svc.reopen(ic, { key, reason: "It is being exploited after all" });
    const r = await opened.store.loadIncident(key);
    expect(r?.incident.status).toBe("investigating");
    expect(r?.incident.times.closedAt).toBeNull();
  });

  it.runIf(available(provider))("lets an admin (only) waive a required post-mortem, with a reason", async () => {
    const { key } = await svc.declare(ic, { title: "Data corruption in exports", impacts: ["data_loss"] });
    await svc.resolve(ic, { key, summary: "Restored from backup", partiesInformed: ["affected customers"] });
    await rejects(svc.waivePostmortem(admin, { key, reason: "   " }), "validation", /why no post-mortem/);
    await rejects(svc.waivePostmortem(ic, { key, reason: "Duplicate" }), "forbidden", /Only an admin/);
    await svc.waivePostmortem(admin, { key, reason: "Covered by INC-1's post-mortem" });
    // The data loss owes the BCP/DR recovery checklist too: ticked, or waived by an admin (only).
    await rejects(svc.close(ic, { key }), "recovery_required", /Still open: last good backup identified/);
    await rejects(svc.waiveRecovery(ic, { key, reason: "Restored" }), "forbidden", /Only an admin/);
    await svc.waiveRecovery(admin, { key, reason: "Restored from the nightly backup before the checklist existed" });
    await svc.close(ic, { key });
    const { key: k2 } = await svc.declare(ic, { title: "Minor glitch" });
    await rejects(svc.waivePostmortem(admin, { key: k2, reason: "x" }), "validation", /nothing to waive/);
  });

  it.runIf(available(provider))("lists a person's open follow-ups across incidents, soonest due first", async () => {
    const owner = "UOWES";
    const a = await svc.declare(ic, { title: "Owed one" });
    const b = await svc.declare(ic, { title: "Owed two", private: true });
    await svc.addFollowUp(ic, { key: a.key, title: "undated", ownerId: owner });
    await svc.addFollowUp(ic, { key: b.key, title: "later", ownerId: owner, dueDate: "2031-02-01" });
    await svc.addFollowUp(ic, { key: a.key, title: "sooner", ownerId: owner, dueDate: "2030-02-01" });
    await svc.addFollowUp(ic, { key: a.key, title: "someone else's", ownerId: "UNOTME" });
    const owed = await opened.store.openFollowUpsOwnedBy(owner);
    expect(owed.map((f) => [f.title, f.incidentKey, f.incidentPrivate])).toEqual([
      ["sooner", a.key, false],
      ["later", b.key, true],
      ["undated", a.key, false],
    ]);
    expect(await opened.store.openFollowUpsOwnedBy(owner, 1)).toHaveLength(1);
  });

  it.runIf(available(provider))("lists the post-mortems a person still owes", async () => {
    const owner = user("UPMOWNER");
    const { key } = await svc.declare(owner, { title: "Owes a post-mortem", impacts: ["outage"] });
    expect(await opened.store.draftPostmortemsOwnedBy(owner.userId)).toEqual([]);
    await svc.resolve(owner, { key, summary: "Fixed", partiesInformed: ["support"] });
    const owed = await opened.store.draftPostmortemsOwnedBy(owner.userId);
    expect(owed.map((p) => [p.incidentKey, p.incidentTitle, p.incidentPrivate])).toEqual([
      [key, "Owes a post-mortem", false],
    ]);
    await svc.waivePostmortem(admin, { key, reason: "Duplicate" });
    expect(await opened.store.draftPostmortemsOwnedBy(owner.userId)).toEqual([]);
  });

  it.runIf(available(provider))("validates corrected times and keeps their order", async () => {
    const now = Date.now();
    const { key } = await svc.declare(ic, {
      title: "Disk full",
      impactStartedAt: new Date(now - 3_600_000),
      detectedAt: new Date(now - 1_800_000),
    });
    const before = await counts(opened);
    // The mistake is named on the time that was changed, not on the one it collides with.
    await rejects(
      svc.correctTimes(ic, { key, detectedAt: new Date(now - 7_200_000) }),
      "validation",
      /^Detected .* can't be before impact started/,
    );
    await rejects(svc.correctTimes(ic, { key, impactStartedAt: new Date(now + 86_400_000) }), "validation", /future/);
    await rejects(svc.correctTimes(other, { key, impactStartedAt: new Date(now - 5_000_000) }), "forbidden");
    expect(await counts(opened)).toEqual(before);
    await svc.correctTimes(ic, { key, impactStartedAt: new Date(now - 5_000_000), reason: "graphs show earlier" });
    await rejects(
      svc.declare(ic, { title: "x", impactStartedAt: new Date(now), detectedAt: new Date(now - 60_000) }),
      "validation",
      /Impact started .* can't be after detected/,
    );
  });

  it.runIf(available(provider))("answers bad input clearly and stores nothing", async () => {
    const before = await counts(opened);
    await rejects(svc.declare(ic, { title: "   " }), "validation", /Give the incident a title/);
    await rejects(svc.declare(ic, { title: "x".repeat(10_000) }), "validation", /150 characters/);
    await rejects(svc.declare(ic, { title: "<!channel> <@U123> db down" }), "validation", /mentions/);
    await rejects(
      svc.declare(ic, { title: "ok", severity: "catastrophic" as "high" }),
      "validation",
      /Severity must be one of/,
    );
    await rejects(
      svc.classifySeverity(ic, { key: "INC-999999", severity: "low", reason: "x" }),
      "not_found",
      /INC-999999/,
    );
    await rejects(svc.classifySeverity(ic, { key: "nonsense", severity: "low", reason: "x" }), "not_found");
    expect(await counts(opened)).toEqual(before);
  });

  it.runIf(available(provider))("replays a command with a used idempotency key without changing anything", async () => {
    const first = await svc.declare(ic, { title: "Retry me" }, { idempotencyKey: `view-${provider}-1` });
    const before = await counts(opened);
    const again = await Promise.all(
      [1, 2, 3].map(() => svc.declare(ic, { title: "Retry me" }, { idempotencyKey: `view-${provider}-1` })),
    );
    for (const r of again) expect(r).toEqual(first);
    expect(await counts(opened)).toEqual(before);
    // Concurrent first attempts (a double click) also yield one incident.
    const racing = await Promise.all(
      [1, 2, 3, 4].map(() => svc.declare(ic, { title: "Double click" }, { idempotencyKey: `view-${provider}-2` })),
    );
    expect(new Set(racing.map((r) => r.key)).size).toBe(1);
    expect((await counts(opened)).incidents).toBe(before.incidents + 1);
    await rejects(svc.addNote(ic, { key: first.key, text: "x" }, { idempotencyKey: `view-${provider}-1` }), "conflict");
  });

  it.runIf(available(provider))("gives concurrent declarations distinct, sequential keys", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) => svc.declare(user(`U${n}`), { title: `Parallel ${n}` })),
    );
    const numbers = results.map((r) => Number(r.key.slice(4))).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(20);
    expect(numbers.at(-1)! - numbers[0]!).toBe(19);
  });

  it.runIf(available(provider))("serialises concurrent commands on one incident without losing any", async () => {
    const { key } = await svc.declare(ic, { title: "Busy incident" });
    await Promise.all(Array.from({ length: 15 }, (_, n) => svc.addNote(user(`U${n}`), { key, text: `note ${n}` })));
    const r = await opened.store.loadIncident(key);
    expect(r?.timeline.filter((e) => e.kind === "note")).toHaveLength(15);
    // Declaring wrote version 1; each note bumped it once.
    expect(r?.incident.version).toBe(16);
  });

  it.runIf(available(provider))("keeps the timeline append-only, even against raw SQL", async () => {
    const { key } = await svc.declare(ic, { title: "Immutable" });
    const table = '"TimelineEvent"';
    await expect(opened.db.$executeRawUnsafe(`UPDATE ${table} SET "kind" = 'note'`)).rejects.toThrow(/append-only/);
    await expect(opened.db.$executeRawUnsafe(`DELETE FROM ${table}`)).rejects.toThrow(/append-only/);
    expect((await opened.store.loadIncident(key))?.timeline).toHaveLength(1);
  });

  it.runIf(available(provider))("appends outside events all or none", async () => {
    const { incidentId, key } = await svc.declare(ic, { title: "Outside facts" });
    const event = {
      incidentId,
      at: new Date(),
      actorId: "muster",
      kind: "note" as const,
      visibility: "internal" as const,
    };
    const ids = await opened.store.appendEvents([
      { ...event, data: { text: "a" } },
      { ...event, data: { text: "b" } },
    ]);
    expect(ids).toHaveLength(2);
    await expect(
      opened.store.appendEvents([
        { ...event, data: { text: "c" } },
        { ...event, incidentId: "no-such-incident", data: {} },
      ]),
    ).rejects.toThrow();
    const texts = (await opened.store.loadIncident(key))?.timeline.map((e) => e.data.text);
    expect(texts).toEqual([undefined, "a", "b"]);
  });
});

describe("PostgreSQL coverage", () => {
  it("runs the PostgreSQL store tests whenever they are required (CI)", async () => {
    const { POSTGRES_REQUIRED } = await import("../helpers/postgres.js");
    if (POSTGRES_REQUIRED) expect(available("postgresql")).toBe(true);
  });
});
