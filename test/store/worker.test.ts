// The outbox worker over the real job store (SQLite): what counts as a
// failed attempt, and what does not.
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { RetryLater } from "../../src/jobs/errors.js";
import type { Pace } from "../../src/jobs/pace.js";
import { createWorker, type Worker } from "../../src/jobs/worker.js";
import { createPrismaJobStore } from "../../src/store/prisma-job-store.js";
import { openTestStore, serviceFor, user } from "../helpers/stores.js";

const cleanups: (() => Promise<void>)[] = [];

/**
 * A worker already past its slow start, with no request to yield to: the
 * concurrency a burst meets in a process that has been up a while. (A fresh
 * worker starts at one job; on a fast host the burst was over before it grew.)
 */
const steady: Pace = {
  limit: (max) => max,
  admit: async () => {},
  request() {},
  answered() {},
  quiet: () => true,
  last: () => ({ utilization: 0, lateMs: 0, holding: false }),
  start() {},
  stop() {},
};
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(handler: () => Promise<undefined>) {
  const opened = await openTestStore("sqlite");
  const { incidentId } = await serviceFor(opened).declare(user("UIC"), { title: "Worker test" });
  await opened.db.job.deleteMany();
  const jobs = createPrismaJobStore(opened.db, "sqlite");
  await jobs.enqueue([{ incidentId, kind: "slack.sync_bookmarks", payload: {} }], new Date());
  const dead: number[] = [];
  const worker: Worker = createWorker({
    jobs,
    handlers: { "slack.sync_bookmarks": handler },
    logger: pino({ level: "silent" }),
    pollMs: 10,
    backoff: { baseMs: 5, maxMs: 10, maxAttempts: 3 },
    onDead: (job) => {
      dead.push(job.id);
      return [];
    },
  });
  worker.start();
  cleanups.push(async () => {
    await worker.stop();
    await opened.cleanup();
  });
  return { jobs, worker, dead, db: opened.db };
}

describe("the outbox worker", () => {
  it("holds a running job on a short lease, so a replica that dies stalls its incidents' lanes for seconds, not minutes", async () => {
    let release = () => {};
    const { jobs, db } = await setup(() => new Promise((r) => (release = () => r(undefined))));
    await expect.poll(async () => (await jobs.list({ status: ["running"] })).length, { timeout: 10_000 }).toBe(1);
    const row = await db.job.findFirst({ where: { status: "running" } });
    // The reliability suite found a SIGKILLed replica's jobs (and the jobs queued behind them) waiting out a 5-minute lease.
    expect(row!.lockedUntil!.getTime() - Date.now()).toBeLessThanOrEqual(30_000);
    release();
  });

  it("waits out any number of rate limits without using up the job's attempts", async () => {
    let calls = 0;
    const { jobs, worker, dead } = await setup(async () => {
      calls++;
      if (calls <= 10) throw new RetryLater("Slack rate-limited add a bookmark", 5);
      return undefined;
    });
    await expect.poll(() => calls, { timeout: 10_000 }).toBe(11);
    expect(await worker.idle(5_000)).toBe(true);
    const [job] = await jobs.list({});
    expect(job?.status).toBe("done");
    expect(dead).toEqual([]);
  });

  it("counts real failures: dead after the limit, and the IC is told", async () => {
    let calls = 0;
    const { jobs, worker, dead } = await setup(async () => {
      calls++;
      throw new RetryLater("Slack unreachable for add a bookmark");
    });
    await expect.poll(() => dead.length, { timeout: 10_000 }).toBe(1);
    expect(await worker.idle(5_000)).toBe(true);
    expect(calls).toBe(3);
    const [job] = await jobs.list({});
    expect(job?.status).toBe("dead");
    expect(job?.lastError).toContain("Slack unreachable");
  });
});

describe("the outbox worker's completions", () => {
  it("writes a burst of finished jobs in a few transactions, each job once, and a failed write is retried", async () => {
    const opened = await openTestStore("sqlite");
    const { incidentId } = await serviceFor(opened).declare(user("UIC"), { title: "Burst" });
    await opened.db.job.deleteMany();
    const store = createPrismaJobStore(opened.db, "sqlite");
    const batches: number[] = [];
    let failOnce = true;
    const jobs = {
      ...store,
      async completeMany(...args: Parameters<typeof store.completeMany>) {
        batches.push(args[1].length);
        if (failOnce) {
          failOnce = false;
          throw new Error("database is locked");
        }
        return store.completeMany(...args);
      },
    };
    // Sixty reminders due at the same instant, as 09:00 bunches them.
    await jobs.enqueue(
      Array.from({ length: 60 }, () => ({ incidentId, kind: "slack.postmortem_reminder_due" as const, payload: {} })),
      new Date(),
    );
    const ran = new Map<number, number>();
    const worker = createWorker({
      jobs,
      handlers: {
        "slack.postmortem_reminder_due": async ({ job }) => {
          ran.set(job.id, (ran.get(job.id) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, 2));
          return undefined;
        },
      },
      logger: pino({ level: "silent" }),
      pollMs: 10,
      backoff: { baseMs: 5, maxMs: 10, maxAttempts: 3 },
      pace: steady,
    });
    worker.start();
    cleanups.push(async () => {
      await worker.stop();
      await opened.cleanup();
    });
    await expect.poll(async () => (await store.list({ status: ["done"] })).length, { timeout: 10_000 }).toBe(60);
    // Grouped: far fewer transactions than jobs.
    expect(batches.length).toBeLessThan(30);
    expect(Math.max(...batches)).toBeGreaterThan(1);
    // The jobs of the failed write ran again (retried, not lost); the others once.
    const twice = [...ran.values()].filter((n) => n === 2).length;
    expect(twice).toBe(batches[0]);
    expect([...ran.values()].every((n) => n === 1 || n === 2)).toBe(true);
  });
});
