// The reminder chain against the real store and the outbox's claiming, on a
// fake clock, for an owner in Tokyo: weekends skipped in their zone, the
// deadline escalates once, completing the post-mortem ends the chain, and a
// link run twice (a crash after its commit) reminds once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncidentService } from "../../src/incidents/service.js";
import type { JobStore } from "../../src/jobs/ports.js";
import type { OpenedStore } from "../../src/store/open-store.js";
import { createPrismaJobStore } from "../../src/store/prisma-job-store.js";
import { available, openTestStore, PROVIDERS, serviceFor, user } from "../helpers/stores.js";

const OWNER = user("UTOKYO");
const TZ = "Asia/Tokyo";

describe.each(PROVIDERS)("post-mortem reminders on %s", (provider) => {
  let opened: OpenedStore & { cleanup: () => Promise<void> };
  let svc: IncidentService;
  let jobs: JobStore;
  // Friday 27 November 2026, 17:00 in Tokyo.
  let now = new Date("2026-11-27T08:00:00Z");
  const remindedAt: string[] = [];

  beforeAll(async () => {
    if (!available(provider)) return;
    opened = await openTestStore(provider);
    svc = serviceFor(opened, () => now);
    jobs = createPrismaJobStore(opened.db, provider);
  });
  afterAll(async () => opened?.cleanup());

  /** What the Slack adapter does with a due link, for every link due by `iso` (the clock moving an hour at a time). */
  async function runUntil(key: string, iso: string) {
    const end = new Date(iso).getTime();
    while (now.getTime() < end) {
      now = new Date(Math.min(end, now.getTime() + 60 * 60_000));
      for (;;) {
        const due = (await jobs.claim("w", 50, now, new Date(now.getTime() + 60_000))).filter(
          (j) => j.kind === "slack.postmortem_reminder_due",
        );
        if (!due.length) break;
        for (const j of due) {
          const p = j.payload as { seq: number; plan?: boolean };
          const r = await svc.remindPostmortem(user("muster", true), { key, seq: p.seq, plan: p.plan, ownerTz: TZ });
          if (r.reminded) remindedAt.push(now.toISOString());
          await jobs.complete(j.id, "w", [], now);
        }
      }
    }
  }

  it.runIf(available(provider))(
    "reminds on Tokyo business days, escalates once at the deadline, stops when complete",
    async () => {
      const { key } = await svc.declare(OWNER, { title: "Tokyo outage", impacts: ["outage"] });
      await svc.classifySeverity(OWNER, { key, severity: "critical", reason: "all down" });
      await svc.resolve(OWNER, { key, summary: "Fixed", partiesInformed: ["everyone"] });
      // Complete every other kind of job: only the reminder links matter here.
      await runUntil(key, "2026-11-30T07:00:00Z");
      expect(remindedAt).toEqual([]);
      await runUntil(key, "2026-11-30T09:00:00Z");
      // Monday 17:00 in Tokyo, then every two business days.
      expect(remindedAt).toEqual(["2026-11-30T08:00:00.000Z"]);
      await runUntil(key, "2026-12-05T00:00:00Z");
      expect(remindedAt).toEqual(["2026-11-30T08:00:00.000Z", "2026-12-02T08:00:00.000Z", "2026-12-04T08:00:00.000Z"]);
      const record = await opened.store.loadIncident(key);
      // Five business days after Friday's resolve is the next Friday: one escalation, with the third reminder.
      expect(record!.timeline.filter((e) => e.kind === "postmortem_escalated")).toHaveLength(1);

      // The same link run again (its job claimed twice): nothing new.
      const before = remindedAt.length;
      const r = await svc.remindPostmortem(user("muster", true), { key, seq: 1, ownerTz: TZ });
      expect(r).toMatchObject({ reminded: false, reason: "stale" });
      expect(remindedAt).toHaveLength(before);

      await svc.updatePostmortem(OWNER, {
        key,
        details: "d",
        timeline: "t",
        impact: "i",
        actionsTaken: "a",
        rootCauses: "r",
        followUps: "none needed: config fixed",
        newRisks: "none",
        publicSummary: "An outage.",
      });
      await svc.completePostmortem(OWNER, { key });
      await runUntil(key, "2026-12-20T00:00:00Z");
      expect(remindedAt).toHaveLength(3);
      const after = await opened.store.loadIncident(key);
      expect(after!.timeline.filter((e) => e.kind === "postmortem_reminded")).toHaveLength(3);
    },
  );
});
