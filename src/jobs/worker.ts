// The outbox worker: runs the jobs that commands wrote in the same
// transaction as their change. Runs inside every muster process; with
// several processes on one PostgreSQL each job is claimed by one of them.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { NewJob } from "../incidents/model.js";
import { type BackoffPolicy, DEFAULT_BACKOFF, retryDelayMs } from "./backoff.js";
import { describeError, GiveUp, RetryLater } from "./errors.js";
import { eventLoopPace, type Pace } from "./pace.js";
import type { Job, JobStore } from "./ports.js";

export interface JobContext {
  job: Job;
  /** 1 on the first try. */
  attempt: number;
  logger: Logger;
}

/** A handler performs one job; it may ask for follow-up jobs, queued when it completes. */
export type JobHandler = (ctx: JobContext) => Promise<NewJob[] | undefined>;

export interface WorkerOptions {
  jobs: JobStore;
  handlers: Record<string, JobHandler>;
  logger: Logger;
  workerId?: string;
  concurrency?: number;
  /** How often to look for jobs queued by other processes. */
  pollMs?: number;
  leaseMs?: number;
  backoff?: BackoffPolicy;
  clock?: () => Date;
  /** How many of `concurrency` jobs may run now, yielding to requests (default: eventLoopPace; see pace.ts). */
  pace?: Pace;
  /** Told when a job is dead, to queue a notice to the IC. */
  onDead?: (job: Job, error: unknown) => NewJob[];
  /** Told of each outcome (metrics); must not throw. */
  observe?: {
    completed?: (job: Job) => void;
    failed?: (job: Job, error: unknown, dead: boolean) => void;
  };
}

/** What /readyz and /metrics say about the worker. */
export interface WorkerState {
  /** Started and not stopped. */
  running: boolean;
  /** Jobs this worker holds a lease on now. */
  leased: number;
  /** The last time a claim reached the database, failed or not. */
  lastClaimAt: Date | null;
  /** Claims that failed in a row (the database is unreachable): 0 when healthy. */
  claimFailures: number;
  /** How many jobs the worker may hold now: its concurrency, less while requests are waiting (pace.ts). */
  limit: number;
}

export interface Worker {
  readonly id: string;
  start(): void;
  /** Look for work now (a command just committed jobs). */
  wake(): void;
  /** Stops claiming; waits for running jobs up to `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Jobs this worker finished, failed or saw die since it started. */
  stats(): { completed: number; failed: number; dead: number };
  state(): WorkerState;
  /** Resolves when no job is due (pending with runAt ≤ now) or running here. For tests and the demo. */
  idle(timeoutMs?: number): Promise<boolean>;
}

const RATE_LIMIT_PATIENCE_MS = 24 * 60 * 60_000;
export const DEFAULT_LEASE_MS = 30_000;

export function createWorker(options: WorkerOptions): Worker {
  const id = options.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
  const concurrency = options.concurrency ?? 16;
  const pollMs = options.pollMs ?? 1_000;
  // How long a replica that dies (SIGKILL, lost host) holds its jobs, and with
  // them its incidents' lanes: the next job of a lane waits for the one
  // before it. Measured by the reliability suite: with 5 minutes, a killed
  // replica stalled its incidents' bookmarks and updates for minutes. A live
  // worker renews its leases every third of this, so only the dead wait it out.
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const clock = options.clock ?? (() => new Date());
  const log = options.logger.child({ worker: id });

  const running = new Map<number, Promise<void>>();
  // Jobs whose handler is still at work: what the concurrency limits. A job
  // whose completion is being written no longer counts, so the next claim
  // overlaps that write instead of waiting for it (bursts drain faster).
  const handling = new Set<number>();
  let stopped = true;
  let timer: NodeJS.Timeout | null = null;
  let claiming: Promise<void> | null = null;
  let again = false;
  let claimFailures = 0;
  let lastClaimAt: Date | null = null;
  const counts = { completed: 0, failed: 0, dead: 0 };
  const pace = options.pace ?? eventLoopPace();

  function schedule(ms: number) {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void fill();
    }, ms);
  }

  /** Claims jobs until the concurrency is used or nothing is due, then sleeps. */
  function fill(): Promise<void> {
    if (claiming) {
      again = true;
      return claiming;
    }
    claiming = (async () => {
      try {
        do {
          again = false;
          for (;;) {
            const limit = pace.limit(concurrency);
            const free = limit - handling.size;
            // A claim is a write that walks the due jobs to the lanes' heads:
            // while jobs are in hand, wait for a quarter of the slots to free
            // up rather than claim once per finished job (measured: 5,011
            // claims a minute under the reliability load, 1,347 with this).
            if (stopped || free <= 0 || (handling.size > 0 && free < Math.ceil(limit / 4))) break;
            // A person waiting on a request comes first.
            await pace.admit();
            if (stopped) break;
            const now = clock();
            lastClaimAt = new Date();
            const batch = await options.jobs.claim(id, free, now, new Date(now.getTime() + leaseMs));
            claimFailures = 0;
            for (const job of batch) run(job);
            if (batch.length === 0) break;
          }
        } while (again && !stopped);
        await sleepUntilNext();
      } catch (e) {
        // The database is unreachable: nothing is lost, the jobs wait in it.
        claimFailures++;
        lastClaimAt = new Date();
        log.error({ err: describeError(e) }, "could not claim jobs; will retry");
        schedule(Math.min(30_000, 500 * 2 ** claimFailures));
      } finally {
        claiming = null;
      }
    })();
    return claiming;
  }

  async function sleepUntilNext() {
    const next = await options.jobs.nextRunAt();
    const until = next ? next.getTime() - clock().getTime() : pollMs;
    schedule(Math.max(10, Math.min(pollMs, until)));
  }

  // Group commit: jobs that finish in the same turn of the event loop, or
  // while an earlier completion is being written, are completed together in
  // one transaction. One job alone waits for nothing but that turn; a burst (a hundred reminders due at 09:00) costs a
  // commit per batch instead of one per job, which on SQLite is an fsync each.
  let finished: { id: number; followUps: NewJob[]; settle: (ok: boolean | Error) => void }[] = [];
  let writing = false;

  function completed(jobId: number, followUps: NewJob[]): Promise<boolean> {
    return new Promise((resolve, reject) => {
      finished.push({ id: jobId, followUps, settle: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
      if (!writing) void writeCompletions();
    });
  }

  async function writeCompletions() {
    writing = true;
    // SQLite's driver is synchronous: without a turn of the event loop the
    // write would finish before the next handler's callback could join it.
    await new Promise((r) => setImmediate(r));
    try {
      while (finished.length) {
        const batch = finished;
        finished = [];
        try {
          const ok = await options.jobs.completeMany(id, batch, clock());
          for (const [i, b] of batch.entries()) b.settle(ok[i] === true);
        } catch (e) {
          const error = e instanceof Error ? e : new Error(String(e));
          for (const b of batch) b.settle(error);
        }
      }
    } finally {
      writing = false;
    }
  }

  function run(job: Job) {
    handling.add(job.id);
    const jobLog = log.child({ jobId: job.id, kind: job.kind, incidentId: job.incidentId, attempt: job.attempts });
    const heartbeat = setInterval(() => {
      void options.jobs.extendLease(job.id, id, new Date(clock().getTime() + leaseMs)).catch(() => undefined);
    }, leaseMs / 3);
    heartbeat.unref();
    const p = (async () => {
      const started = Date.now();
      try {
        const handler = options.handlers[job.kind];
        if (!handler)
          throw new GiveUp(`muster has no handler for ${job.kind}; is this process older than the one that queued it?`);
        const followUps = (await handler({ job, attempt: job.attempts, logger: jobLog })) ?? [];
        handedBack(job.id);
        const ok = await completed(job.id, followUps);
        if (!ok) jobLog.warn("lost the job's lease before completing; another worker will redo it");
        else {
          counts.completed++;
          options.observe?.completed?.(job);
        }
        jobLog.debug({ ms: Date.now() - started }, "job done");
      } catch (e) {
        handedBack(job.id);
        await failed(job, e, jobLog);
      } finally {
        clearInterval(heartbeat);
        handling.delete(job.id);
        running.delete(job.id);
        // A finished job may unblock the next in its lane, or queue follow-ups.
        void fill();
      }
    })();
    running.set(job.id, p);
  }

  /** The handler is done with this job: its slot is free for the next claim. */
  function handedBack(jobId: number) {
    if (handling.delete(jobId)) void fill();
  }

  async function failed(job: Job, e: unknown, jobLog: Logger) {
    const error = describeError(e);
    const now = clock();
    // A rate limit is the service pacing us, not the job failing: it does not
    // use up the job's attempts (a burst of incidents can queue a hundred
    // bookmarks behind Slack's 20 a minute). A day of it does.
    const refund =
      e instanceof RetryLater &&
      e.retryAfterMs !== null &&
      now.getTime() - job.createdAt.getTime() < RATE_LIMIT_PATIENCE_MS;
    const dead = e instanceof GiveUp || (!refund && job.attempts >= backoff.maxAttempts);
    const retryAt = dead
      ? null
      : new Date(now.getTime() + retryDelayMs(backoff, job.attempts, e instanceof RetryLater ? e.retryAfterMs : null));
    const followUps = dead && options.onDead ? options.onDead(job, e) : [];
    try {
      await options.jobs.fail(job.id, id, { error, retryAt, followUps, refund }, now);
    } catch (storeError) {
      // The lease runs out and the job is claimed again: late, not lost.
      jobLog.error({ err: describeError(storeError) }, "could not record the job's failure");
    }
    counts[dead ? "dead" : "failed"]++;
    options.observe?.failed?.(job, e, dead);
    if (dead) jobLog.error({ err: error }, "job is dead; the IC is told");
    else jobLog.warn({ err: error, retryInMs: retryAt!.getTime() - now.getTime() }, "job failed; will retry");
  }

  return {
    id,
    stats: () => ({ ...counts }),
    state: () => ({
      running: !stopped,
      leased: running.size,
      lastClaimAt,
      claimFailures,
      limit: pace.limit(concurrency),
    }),
    start() {
      if (!stopped) return;
      stopped = false;
      pace.start();
      void fill();
    },
    wake() {
      if (!stopped) void fill();
    },
    async stop(graceMs = 10_000) {
      stopped = true;
      pace.stop();
      if (timer) clearTimeout(timer);
      timer = null;
      let t: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...running.values(), claiming]),
        new Promise((r) => {
          t = setTimeout(r, graceMs);
        }),
      ]);
      clearTimeout(t);
    },
    async idle(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (running.size === 0 && !claiming) {
          const next = await options.jobs.nextRunAt();
          const due = next && next.getTime() <= clock().getTime();
          const busy = (await options.jobs.list({ status: ["running"], limit: 1 })).length > 0;
          if (!due && !busy) return true;
          if (due) void fill();
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    },
  };
}
