// Two muster processes on one PostgreSQL, on one simulated clock: each
// Critical incident left alone is offered to its IC once and escalated by
// muster once, even with its nudge timer restarted in both processes at once.
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { createPrismaJobStore } from "../../src/store/prisma-job-store.js";
import { type Stack, startEmulators, startStack } from "../helpers/stack.js";
import { available, freshDatabase } from "../helpers/stores.js";

const INCIDENTS = 4;
const LEAD = "ULEAD1";

describe.runIf(available("postgresql"))("insufficient-response escalation with two processes on PostgreSQL", () => {
  it("offers and escalates each incident once", async () => {
    const db = await freshDatabase("postgresql");
    const shared = await startEmulators({
      slack: { enforceRateLimits: false },
      github: { secondaryLimitPerMinute: 10_000, secondaryLimitPerHour: 10_000 },
      google: { docsWritesPerMinute: 10_000 },
    });
    let simulated = Date.parse("2026-11-30T10:00:00Z");
    const clock = () => new Date(simulated);
    const stacks: Stack[] = [];
    const env = { DATABASE_POOL_SIZE: "4", ESCALATION_USERS: LEAD };
    try {
      const a = await startStack({ databaseUrl: db.url, shared, clock, env });
      stacks.push(a);
      const b = await startStack({ databaseUrl: db.url, shared, clock, env });
      stacks.push(b);
      const announce = shared.slack.channelByName("incident-response")!.id;
      for (let n = 1; n <= INCIDENTS; n++) {
        const s = n % 2 ? a : b;
        await s.client.command({ userId: "UALICE", channelId: announce, text: `declare Down ${n}` });
        await s.client.submitView({
          userId: "UALICE",
          callbackId: "incident_declare",
          values: { title: `Down ${n}`, severity: { option: "critical" }, commanderId: { user: "UALICE" } },
        });
      }
      const settle = () => Promise.all([a.settle(30_000), b.settle(30_000)]);
      await settle();
      // Each incident's nudge timer restarted twice more: both processes may evaluate the rules at once.
      const opened = await openStore(db.url, { poolSize: 2 });
      const jobs = createPrismaJobStore(opened.db, "postgresql");
      const ids = [...new Set((await jobs.list({ limit: 5000 })).map((j) => j.incidentId).filter(Boolean))];
      expect(ids).toHaveLength(INCIDENTS);
      const end = simulated + 2 * 60 * 60_000;
      let restarted = false;
      while (simulated < end) {
        simulated += 5 * 60_000;
        if (!restarted && simulated >= Date.parse("2026-11-30T11:00:00Z")) {
          restarted = true;
          const again = ids.flatMap((id) =>
            [0, 1].map(() => ({ incidentId: id, kind: "slack.nudge_due" as const, payload: {} })),
          );
          await jobs.enqueue(again, clock());
        }
        a.muster.worker.wake();
        b.muster.worker.wake();
        await settle();
      }
      for (let n = 1; n <= INCIDENTS; n++) {
        const r = await opened.store.loadIncident(`INC-${n}`);
        const count = (kind: string) => r!.timeline.filter((e) => e.kind === kind).length;
        expect([n, count("escalation_proposed"), count("escalated")]).toEqual([n, 1, 1]);
      }
      await opened.store.close();
      const dmText = (user: string, words: string) =>
        shared.slack
          .messages(shared.slack.dmChannelOf(user)!)
          .filter((m) => JSON.stringify(m).includes(words))
          .map((m) => m.text);
      const offers = dmText("UALICE", "Escalate to leadership");
      expect(offers).toHaveLength(INCIDENTS);
      expect(new Set(offers).size).toBe(INCIDENTS);
      const briefs = dmText(LEAD, "was escalated to you");
      expect(briefs).toHaveLength(INCIDENTS);
      expect(new Set(briefs).size).toBe(INCIDENTS);
    } finally {
      for (const s of stacks) await s.stop();
      await Promise.all([shared.slack.close(), shared.github.close(), shared.google.close()]);
      await db.cleanup();
    }
  }, 180_000);
});
