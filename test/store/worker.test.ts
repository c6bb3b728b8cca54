// The outbox worker over the real job store (SQLite): what counts as a
// failed attempt, and what does not.
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { RetryLater } from "../../src/jobs/errors.js";
import { createWorker, type Worker } from "../../src/jobs/worker.js";
import { createPrismaJobStore } from "../../src/store/prisma-job-store.js";
import { openTestStore, serviceFor, user } from "../helpers/stores.js";

const cleanups: (() => Promise<void>)[] = [];
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
  return { jobs, worker, dead };
}

describe("the outbox worker", () => {
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
