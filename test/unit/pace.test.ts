// The worker's pace (src/jobs/pace.ts): with requests arriving and the event
// loop busy (or answers slow), the worker's concurrency halves and new claims wait; with no
// request for a while it runs at full concurrency however busy the loop is,
// and a claim never waits longer than the most it may be held.
import { afterEach, describe, expect, it } from "vitest";
import { eventLoopPace, type Pace } from "../../src/jobs/pace.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Keeps the event loop busy (as SQLite's synchronous calls and a job's CPU do) for `ms`, in slices of `sliceMs`. */
async function busyFor(ms: number, sliceMs = 30, eachSlice?: () => void): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    eachSlice?.();
    const sliceEnd = Math.min(end, performance.now() + sliceMs);
    while (performance.now() < sliceEnd) {
      // spin
    }
    await new Promise((r) => setImmediate(r));
  }
}

describe("the worker's pace", () => {
  let pace: Pace | null = null;
  afterEach(() => pace?.stop());

  it("yields to requests on a busy loop: the limit halves down to one and claims wait, then it grows back", async () => {
    pace = eventLoopPace({ everyMs: 10, requestsWithinMs: 10_000, maxHoldMs: 5_000 });
    pace.start();
    // A process starts slowly, one job more a sample while the loop is idle.
    expect(pace.limit(16)).toBe(1);
    await sleep(300);
    expect(pace.limit(16)).toBeGreaterThan(8);
    pace.request();
    await busyFor(300);
    expect(pace.limit(16)).toBe(1);
    expect(pace.last().holding).toBe(true);

    // A claim asked for while the loop is still busy waits until it calms down.
    const asked = performance.now();
    let admittedAt = 0;
    const admitted = pace.admit().then(() => {
      admittedAt = performance.now();
    });
    await busyFor(150);
    const busyEnded = performance.now();
    await admitted;
    expect(admittedAt).toBeGreaterThanOrEqual(busyEnded);
    expect(admittedAt - asked).toBeLessThan(2_000);

    // Idle again, with requests still arriving: one more job a sample.
    pace.request();
    await sleep(400);
    expect(pace.last().holding).toBe(false);
    expect(pace.limit(16)).toBeGreaterThan(2);
  });

  it("holds a claim no longer than maxHoldMs, so the outbox always moves", async () => {
    pace = eventLoopPace({ everyMs: 10, requestsWithinMs: 10_000, maxHoldMs: 100 });
    pace.start();
    pace.request();
    await busyFor(250);
    expect(pace.last().holding).toBe(true);
    const asked = performance.now();
    let admitted = false;
    const p = pace.admit().then(() => {
      admitted = true;
    });
    // Busy in slices, so the hold's timer can fire between them.
    await busyFor(400, 5);
    expect(admitted).toBe(true);
    await p;
    expect(performance.now() - asked).toBeGreaterThanOrEqual(100);
  });

  it("runs at full concurrency when no request came for a while, however busy the loop", async () => {
    pace = eventLoopPace({ everyMs: 10, requestsWithinMs: 100 });
    pace.start();
    const p = pace;
    await sleep(250);
    expect(pace.limit(16)).toBe(16);
    await busyFor(200, 30, () => p.request());
    expect(pace.limit(16)).toBeLessThan(16);
    await sleep(120);
    // Nobody waiting: the backlog drains at full speed, busy loop or not.
    await busyFor(300);
    expect(pace.limit(16)).toBe(16);
    expect(pace.last().holding).toBe(false);
    await expect(pace.admit()).resolves.toBeUndefined();
  });

  it("never holds once stopped", async () => {
    pace = eventLoopPace({ everyMs: 10, requestsWithinMs: 10_000, maxHoldMs: 60_000 });
    pace.start();
    pace.request();
    await busyFor(200);
    const p = pace.admit();
    pace.stop();
    await expect(p).resolves.toBeUndefined();
  });

  it("holds back when answers are slow although this loop is idle (another replica or the database has the CPUs)", async () => {
    pace = eventLoopPace({ everyMs: 10, requestsWithinMs: 10_000, slowAnswerMs: 500 });
    pace.start();
    await sleep(300);
    expect(pace.limit(16)).toBeGreaterThan(8);
    const p = pace;
    // Slow answers every few ms, nothing else running here.
    const t = setInterval(() => p.answered(1_200), 5);
    try {
      await sleep(200);
      expect(pace.last().holding).toBe(true);
      expect(pace.limit(16)).toBe(1);
    } finally {
      clearInterval(t);
    }
    // Quick answers again: it lets go.
    pace.answered(20);
    await sleep(300);
    expect(pace.last().holding).toBe(false);
    expect(pace.limit(16)).toBeGreaterThan(2);
    expect(pace.quiet()).toBe(false);
  });
});
