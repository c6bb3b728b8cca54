// Two muster processes on one PostgreSQL, on one simulated clock: every
// post-mortem reminder is sent once, even when its timer job was queued twice.
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { createPrismaJobStore } from "../../src/store/prisma-job-store.js";
import { type Stack, startEmulators, startStack } from "../helpers/stack.js";
import { available, freshDatabase } from "../helpers/stores.js";

const INCIDENTS = 6;

describe.runIf(available("postgresql"))("post-mortem reminders with two processes on PostgreSQL", () => {
  it("never sends the same reminder twice", async () => {
    const db = await freshDatabase("postgresql");
    const shared = await startEmulators({
      slack: { enforceRateLimits: false },
      github: { secondaryLimitPerMinute: 10_000, secondaryLimitPerHour: 10_000 },
      google: { docsWritesPerMinute: 10_000 },
    });
    // Monday 30 November 2026, 17:00 UTC (09:00 in Los Angeles).
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
        const ic = n % 3 ? "UALICE" : "UDAVE"; // Los Angeles, Tokyo
        await s.client.command({ userId: ic, channelId: announce, text: `declare Outage ${n}` });
        await s.client.submitView({
          userId: ic,
          callbackId: "incident_declare",
          values: { title: `Outage ${n}`, summary: "x", impacts: { options: ["outage"] }, commanderId: { user: ic } },
        });
        await s.settle();
        const channel = [...shared.slack.channels.values()].find((c) => c.name.startsWith(`inc-${n}-`))!;
        await s.client.command({ userId: ic, channelId: channel.id, text: "resolve" });
        await s.client.submitView({
          userId: ic,
          callbackId: "incident_resolve",
          values: { summary: "Fixed", partiesInformed: "support" },
        });
      }
      const settle = () => Promise.all([a.settle(30_000), b.settle(30_000)]);
      await settle();
      // Every first link queued a second time: both processes may pick one up at once.
      const opened = await openStore(db.url, { poolSize: 2 });
      const jobs = createPrismaJobStore(opened.db, "postgresql");
      const links = (await jobs.list({ limit: 5000 })).filter((j) => j.kind === "slack.postmortem_reminder_due");
      expect(links.length).toBeGreaterThanOrEqual(INCIDENTS);
      await jobs.enqueue(
        links.map((j) => ({ incidentId: j.incidentId, kind: "slack.postmortem_reminder_due", payload: j.payload })),
        clock(),
      );
      // Two weeks pass, three hours at a time, both workers awake.
      const end = simulated + 14 * 24 * 60 * 60_000;
      while (simulated < end) {
        simulated += 3 * 60 * 60_000;
        a.muster.worker.wake();
        b.muster.worker.wake();
        await settle();
      }
      let events = 0;
      for (let n = 1; n <= INCIDENTS; n++) {
        const r = await opened.store.loadIncident(`INC-${n}`);
        events += r!.timeline.filter((e) => e.kind === "postmortem_reminded").length;
      }
      await opened.store.close();
      const sent = shared.slack
        .allMessages()
        .filter((m) => m.text.includes("post-mortem is yours"))
        .map((m) => `${m.channel}:${m.text}`);
      // Ten business days: the first after one, then every two → 5 or so each, never doubled.
      expect(events).toBeGreaterThanOrEqual(INCIDENTS * 4);
      expect(sent).toHaveLength(events);
      // Each message names its incident and its number: a duplicate would be an identical line.
      expect(new Set(sent).size).toBe(sent.length);
      const perIncident = new Map<string, number>();
      for (const s of sent) {
        const key = /INC-\d+/.exec(s)![0];
        perIncident.set(key, (perIncident.get(key) ?? 0) + 1);
      }
      for (const count of perIncident.values()) expect(count).toBeLessThanOrEqual(6);
    } finally {
      while (stacks.length) await stacks.pop()!.stop();
      await Promise.all([shared.slack.close(), shared.github.close(), shared.google.close()]);
      await db.cleanup();
    }
  }, 120_000);
});
