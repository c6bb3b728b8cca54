// The yearly duties and the risk register against the real stores: a
// reminder link run by two processes at once says its piece once, recording
// a duty makes the running chain stale, start-up planning adds nothing to a
// chain already waiting; risk changes are kept with from and to.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DUTY_POLICY, type DutyPolicy } from "../../src/dr/duties.js";
import { createDutyService, type DutyService } from "../../src/dr/service.js";
import type { IncidentService } from "../../src/incidents/service.js";
import type { OpenedStore } from "../../src/store/open-store.js";
import { createPrismaDutyStore } from "../../src/store/prisma-duty-store.js";
import { available, openTestStore, PROVIDERS, serviceFor, user } from "../helpers/stores.js";

const OWNER = user("UOWNER");
const ADMIN = user("UADMIN", true);
const policy: DutyPolicy = {
  ...DEFAULT_DUTY_POLICY,
  schedules: {
    ...DEFAULT_DUTY_POLICY.schedules,
    backup_review: { ownerId: OWNER.userId, everyMonths: 12, firstDueAt: new Date("2027-02-01T00:00:00Z") },
  },
};

describe.each(PROVIDERS)("yearly duties and risks on %s", (provider) => {
  let opened: OpenedStore & { cleanup: () => Promise<void> };
  let duties: DutyService;
  let svc: IncidentService;
  let now = new Date("2027-01-18T00:00:00Z");

  beforeAll(async () => {
    if (!available(provider)) return;
    opened = await openTestStore(provider);
    duties = createDutyService({ store: createPrismaDutyStore(opened.db), policy, clock: () => now });
    svc = serviceFor(opened, () => now);
  });
  afterAll(async () => opened?.cleanup());

  const links = () =>
    opened.db.job.findMany({ where: { kind: "dr.duty_due", status: "pending" }, orderBy: { id: "asc" } });
  const notices = () => opened.db.dutyNotice.findMany({ orderBy: { id: "asc" } });

  it.runIf(available(provider))("plans one chain per configured duty, and a second start-up adds none", async () => {
    expect(await duties.plan()).toBe(1);
    expect(await duties.plan()).toBe(0);
    const [link] = await links();
    expect(link!.payload).toEqual({ duty: "backup_review", seq: 0 });
    // 14 days before 1 February.
    expect(link!.runAt.getTime() - Date.parse("2027-01-18T00:00:00Z")).toBeLessThanOrEqual(1);
  });

  it.runIf(available(provider))("runs a link twice at once (two replicas): one reminder", async () => {
    const results = await Promise.all([duties.remind("backup_review", 0), duties.remind("backup_review", 0)]);
    // The other sees the chain moved on (stale), or the reminder already sent (then it waits for the
    // next one, at a position that is already stale): either way, nothing more is said.
    expect(results.filter((r) => r.action === "reminder")).toHaveLength(1);
    expect(await notices()).toHaveLength(1);
    expect((await notices())[0]).toMatchObject({ kind: "reminder", userId: OWNER.userId, seq: 0 });
    // The next link waits a week.
    expect(await duties.remind("backup_review", 1)).toMatchObject({
      action: "wait",
      at: new Date("2027-01-25T00:00:00Z"),
    });
  });

  it.runIf(available(provider))(
    "recording the duty moves the due date a year on and makes the chain stale",
    async () => {
      await expect(duties.log(user("USOMEONE"), { duty: "backup_review", notes: "Reviewed" })).rejects.toThrow(/owner/);
      now = new Date("2027-01-20T10:00:00Z");
      const r = await duties.log(OWNER, { duty: "backup_review", notes: "Reviewed the backups of api, db, vault" });
      expect(r.nextDueAt).toBe("2028-01-20T10:00:00.000Z");
      expect(await duties.remind("backup_review", 1)).toMatchObject({ action: "stale" });
      const status = (await duties.status()).find((s) => s.duty.key === "backup_review")!;
      expect(status).toMatchObject({ overdue: false, lastDone: { by: OWNER.userId, source: "slack" } });
      // An admin may record any duty, with the day it was done.
      const admin = await duties.log(ADMIN, {
        duty: "walkthrough",
        notes: "Tabletop",
        doneAt: "2027-01-10",
        source: "cli",
      });
      expect(admin.nextDueAt).toBe("2028-01-10T00:00:00.000Z");
    },
  );

  it.runIf(available(provider))("counts a successful restore drill as the restore test", async () => {
    const withDrill = createDutyService({
      store: createPrismaDutyStore(opened.db),
      policy,
      clock: () => now,
      lastRestoreDrill: async () => ({
        at: new Date("2027-01-15T03:00:00Z"),
        by: "muster",
        backup: "muster-20270115.db",
      }),
    });
    const status = (await withDrill.status()).find((s) => s.duty.key === "restore_test")!;
    expect(status.lastDone).toMatchObject({ source: "restore-drill" });
    expect(status.dueAt?.toISOString()).toBe("2028-01-15T03:00:00.000Z");
  });

  it.runIf(available(provider))("keeps every change to a risk: who, when, from and to", async () => {
    const { key } = await svc.declare(ADMIN, { title: "Disk full", impacts: ["outage"] });
    const { riskId } = await svc.addRisk(ADMIN, {
      key,
      description: "Disks are not alerted on\nat all",
      ownerId: OWNER.userId,
    });
    now = new Date("2027-01-21T08:00:00Z");
    await svc.updateRisk(OWNER, { riskId: riskId as string, status: "mitigated", reviewAt: "2027-03-01T09:00:00Z" });
    await expect(svc.updateRisk(user("USTRANGER"), { riskId: riskId as string, status: "closed" })).rejects.toThrow(
      /Only someone with a role/,
    );
    await expect(svc.updateRisk(OWNER, { riskId: riskId as string, status: "mitigated" })).rejects.toThrow(/Nothing/);
    const changes = await opened.store.riskChanges(riskId as string);
    expect(changes.map((c) => [c.actorId, c.field, c.fromValue, c.toValue, c.at.toISOString()])).toEqual([
      [OWNER.userId, "reviewAt", null, "2027-03-01T09:00:00.000Z", "2027-01-21T08:00:00.000Z"],
      [OWNER.userId, "status", "open", "mitigated", "2027-01-21T08:00:00.000Z"],
    ]);
    const [risk] = await opened.store.riskRegister({ status: ["mitigated"], ownerId: OWNER.userId });
    expect(risk).toMatchObject({ title: "Disks are not alerted on", status: "mitigated", incidentKey: key });
    expect(await opened.store.riskRegister({ status: ["open"], ownerId: OWNER.userId })).toHaveLength(0);
  });
});
