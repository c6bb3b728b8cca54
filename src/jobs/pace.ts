// The outbox works in the gaps a waiting person leaves. Slack gives muster
// 3 s to acknowledge, and a request's every step (its reads, its transaction,
// views.open) waits behind whatever else the event loop has queued: under a
// burst, mostly the worker's jobs, each a Slack, GitHub or Google call and
// its writes. Measured by the reliability suite on SQLite (200 incidents,
// then status updates as fast as the people could make them, no faults):
// with the worker at its full 16 jobs the process ran at 100% CPU and
// acknowledgements took a median 1.7 s and a p99 of 5.7 s, at 19 updates a
// second; with the worker off, a median 10 ms at 46 a second.
//
// So while requests are arriving, the worker follows how busy the event loop
// is (its utilization, which counts SQLite's synchronous calls, smoothed over
// a few samples, and how late a timer fires) and how long the requests took
// to answer (which also sees what the loop cannot: another replica and the
// database server competing for the same CPUs, a database slow to answer;
// measured on PostgreSQL with two processes, utilization alone left the
// median acknowledgement above a second), as TCP's window follows loss:
// busy, the worker's concurrency is halved and it claims nothing new; idle
// enough, the concurrency grows by one a sample. It never stops for long (a
// claim at least every `maxHoldMs`), so the outbox always moves. With no
// request for a second, nobody is waiting: the worker runs at full
// concurrency, and a backlog built during a burst drains at full speed. A
// process starts slowly (one job, one more a sample), as TCP does: a replica
// started after a crash or a failover meets the backlog and every person's
// retry at once, with its code not yet warm.
import { performance } from "node:perf_hooks";

export interface Pace {
  /** How many jobs the worker may hold in hand now, out of `max` (at least 1). */
  limit(max: number): number;
  /** Resolves when the worker may claim more: at once unless requests are waiting on a busy loop, else when it is less busy (at most `maxHoldMs`). */
  admit(): Promise<void>;
  /** A request arrived (the HTTP server calls this). */
  request(): void;
  /** A request was answered after `ms`. */
  answered(ms: number): void;
  /** Whether no request came for a while (nobody is waiting): the moment for work that can wait. */
  quiet(): boolean;
  /** The last sample: smoothed event-loop utilization (0–1), how late the sampling timer fired (ms), whether the worker holds back. */
  last(): { utilization: number; lateMs: number; holding: boolean };
  start(): void;
  stop(): void;
}

export interface PaceOptions {
  /** How often the event loop is sampled (ms). */
  everyMs?: number;
  /** Busy: smoothed utilization above this, or the timer later than `lateMs`. */
  busyAbove?: number;
  lateMs?: number;
  /** Smoothed utilization below this lets the concurrency grow. */
  growBelow?: number;
  /** The longest a claim waits for the loop to be less busy. */
  maxHoldMs?: number;
  /** Requests this recent (ms) count as people waiting. */
  requestsWithinMs?: number;
  /** Busy: a request answered slower than this (ms) since the last sample. */
  slowAnswerMs?: number;
}

export function eventLoopPace(o: PaceOptions = {}): Pace {
  const every = o.everyMs ?? 100;
  const busyAbove = o.busyAbove ?? 0.85;
  const lateMs = o.lateMs ?? 50;
  const growBelow = o.growBelow ?? 0.7;
  const maxHoldMs = o.maxHoldMs ?? 500;
  const requestsWithinMs = o.requestsWithinMs ?? 1_000;
  const slowAnswerMs = o.slowAnswerMs ?? 500;
  let slowestAnswer = 0;
  let current = Number.POSITIVE_INFINITY;
  let holding = false;
  let smoothed = 0;
  let late = 0;
  let lastRequestAt = Number.NEGATIVE_INFINITY;
  let waiting: (() => void)[] = [];
  let lastAt = 0;
  let lastElu = performance.eventLoopUtilization();
  let timer: NodeJS.Timeout | null = null;

  const release = () => {
    const w = waiting;
    waiting = [];
    for (const r of w) r();
  };

  const sample = () => {
    const now = performance.now();
    const elu = performance.eventLoopUtilization();
    smoothed = 0.5 * smoothed + 0.5 * performance.eventLoopUtilization(elu, lastElu).utilization;
    late = Math.max(0, now - lastAt - every);
    lastAt = now;
    lastElu = elu;
    if (now - lastRequestAt > requestsWithinMs) {
      holding = false;
      current = Number.POSITIVE_INFINITY;
    } else if (smoothed > busyAbove || late > lateMs || slowestAnswer > slowAnswerMs) {
      holding = true;
      if (Number.isFinite(current)) current = Math.max(1, Math.floor(current / 2));
    } else {
      holding = false;
      if (smoothed < growBelow) current += 1;
    }
    slowestAnswer = 0;
    if (!holding) release();
  };

  return {
    limit(max) {
      if (!Number.isFinite(current) || current > max) current = max;
      return Math.max(1, current);
    },
    admit() {
      if (!holding || !timer) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const t = setTimeout(resolve, maxHoldMs);
        waiting.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
    request() {
      lastRequestAt = performance.now();
    },
    answered(ms) {
      lastRequestAt = performance.now();
      if (ms > slowestAnswer) slowestAnswer = ms;
    },
    quiet: () => performance.now() - lastRequestAt > requestsWithinMs,
    last: () => ({ utilization: smoothed, lateMs: late, holding }),
    start() {
      if (timer) return;
      lastAt = performance.now();
      lastRequestAt = lastAt;
      current = 1;
      lastElu = performance.eventLoopUtilization();
      timer = setInterval(sample, every);
      // Pacing is no reason to keep the process alive.
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      holding = false;
      release();
    },
  };
}
