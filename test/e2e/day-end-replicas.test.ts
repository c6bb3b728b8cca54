// Two muster processes on one PostgreSQL, on one simulated clock: each
// end-of-day question and each day-end notice is sent once, even when every
// link of the timers was queued twice and both processes run them.
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { createPrismaJobStore } from "../../src/store/prisma-job-store.js";
import { type Stack, startEmulators, startStack } from "../helpers/stack.js";
import { available, freshDatabase } from "../helpers/stores.js";

const INCIDENTS = 4;

describe.runIf(available("postgresql"))("end-of-day hand-off with two processes on PostgreSQL", () => {
  it("never asks the same IC twice about one day, nor tells a channel twice", async () => {
    const db = await freshDatabase("postgresql");
    const shared = await startEmulators({
      slack: { enforceRateLimits: false },
      github: { secondaryLimitPerMinute: 10_000, secondaryLimitPerHour: 10_000 },
      google: { docsWritesPerMinute: 10_000 },
    });
    // Monday 30 November 2026, 17:00 UTC: 09:00 in Los Angeles, 02:00 on Tuesday in Tokyo.
    let simulated = Date.parse("2026-11-30T17:00:00Z");
    const clock = () => new Date(simulated);
    const stacks: Stack[] = [];
    try {
      const a = await startStack({ databaseUrl: db.url, shared, clock, env: { DATABASE_POOL_SIZE: "4" } });
      stacks.push(a);
      const b = await startStack({ databaseUrl: db.url, shared, clock, env: { DATABASE_POOL_SIZE: "4" } });
      stacks.push(b);
      const announce = shared.slack.channelByName("incident-response")!.id;
      for (let n = 1; n <= INCIDENTS; n++) {
        const s = n % 2 ? a : b;
        const ic = n <= INCIDENTS / 2 ? "UALICE" : "UDAVE"; // Los Angeles, Tokyo
        await s.client.command({ userId: ic, channelId: announce, text: `declare Outage ${n}` });
        await s.client.submitView({
          userId: ic,
          callbackId: "incident_declare",
          values: { title: `Outage ${n}`, summary: "x", commanderId: { user: ic } },
        });
      }
      const settle = () => Promise.all([a.settle(30_000), b.settle(30_000)]);
      await settle();
      const opened = await openStore(db.url, { poolSize: 2 });
      const jobs = createPrismaJobStore(opened.db, "postgresql");
      const links = (await jobs.list({ status: ["pending"], limit: 5000 })).filter(
        (j) => j.kind === "slack.day_end_due" && j.payload.token,
      );
      expect(links).toHaveLength(INCIDENTS);
      await jobs.enqueue(
        links.map((j) => ({ incidentId: j.incidentId, kind: "slack.day_end_due", payload: j.payload })),
        clock(),
      );
      // Two days pass, half an hour at a time, both workers awake.
      const end = simulated + 2 * 24 * 60 * 60_000;
      while (simulated < end) {
        simulated += 30 * 60_000;
        a.muster.worker.wake();
        b.muster.worker.wake();
        await settle();
      }
      const asked = shared.slack.allMessages().filter((m) => m.text.includes("your working day ends"));
      const told = shared.slack.allMessages().filter((m) => m.text.includes("working day ended"));
      let reminded = 0;
      for (let n = 1; n <= INCIDENTS; n++) {
        const r = await opened.store.loadIncident(`INC-${n}`);
        const kinds = r!.timeline.map((e) => e.kind);
        // Tuesday's and Wednesday's day ends, in Los Angeles or in Tokyo: two of each.
        expect(kinds.filter((k) => k === "day_end_reminded")).toHaveLength(2);
        expect(kinds.filter((k) => k === "day_end_unanswered")).toHaveLength(2);
        reminded += 2;
      }
      await opened.store.close();
      expect(asked).toHaveLength(reminded);
      expect(told).toHaveLength(reminded);
      expect(new Set(told.map((m) => `${m.channel}:${m.ts}`)).size).toBe(told.length);
    } finally {
      while (stacks.length) await stacks.pop()!.stop();
      await Promise.all([shared.slack.close(), shared.github.close(), shared.google.close()]);
      await db.cleanup();
    }
  }, 180_000);
});
