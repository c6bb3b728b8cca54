// What a reliability run does to muster while the people work: SIGKILLs its
// processes in turn, makes Slack, GitHub and Google fail a share of calls
// (and lose the answers to some that succeeded), sends bursts of rate
// limits, stops PostgreSQL for a while, fills SQLite's disk. Every injection
// is counted for the report.
import { execFile, execFileSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import type { Services } from "../helpers/complete.js";
import type { Fleet } from "./fleet.js";

export interface ChaosPlan {
  /** SIGKILL a muster process this often (the supervisor restarts it). */
  killEveryMs: number | null;
  /** Share of calls to Slack, GitHub and Google that fail, changing nothing. */
  failureRate: number;
  /** Share of calls performed whose answer is lost (a server error after the change). */
  lostReplyRate: number;
  /** Every `everyMs`, one service answers every call with a rate limit for `forMs`. */
  rateLimitBursts: { everyMs: number; forMs: number; retryAfterSeconds: number } | null;
  /** Stop PostgreSQL `atMs` into the load, for `forMs`. */
  stopPostgres: { atMs: number; forMs: number } | null;
  /** Fill the disk holding SQLite `atMs` into the load, for `forMs` (the directory must be a small scratch filesystem). */
  fillDisk: { atMs: number; forMs: number; dir: string } | null;
}

export interface Injected {
  kills: number;
  rateLimitBursts: number;
  postgresStoppedMs: number;
  diskFullMs: number;
  diskFilledBytes: number;
}

function postgresVersion(): string {
  return readdirSync("/etc/postgresql")[0] ?? "15";
}

function pgctlArgs(action: "start" | "stop"): string[] {
  const args = ["--skip-systemctl-redirect", postgresVersion(), "main", action];
  // Fast: disconnect muster's sessions at once, as a crash or failover would.
  if (action === "stop") args.push("-m", "fast");
  return args;
}

function pgctl(action: "start" | "stop"): void {
  execFileSync("pg_ctlcluster", pgctlArgs(action), { stdio: "ignore" });
}

/**
 * The same, without blocking: the people, the proxy and the emulators share
 * this event loop, and a synchronous pg_ctlcluster (a second or two) stalled
 * them all, adding that stall to every acknowledgement being timed.
 */
function pgctlAsync(action: "start" | "stop"): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile("pg_ctlcluster", pgctlArgs(action), (e) => (e ? reject(e) : resolve())),
  );
}

/** Starts PostgreSQL if this process stopped it; safe to call more than once and from an exit handler. */
let postgresStopped = false;
export function ensurePostgresStarted(): void {
  if (!postgresStopped) return;
  try {
    pgctl("start");
    postgresStopped = false;
  } catch {
    // Already running (someone else started it) or a transient failure: try once more.
    try {
      execFileSync("pg_isready", ["-h", "127.0.0.1", "-t", "5"], { stdio: "ignore" });
      postgresStopped = false;
    } catch {
      pgctl("start");
      postgresStopped = false;
    }
  }
}
// Other people's tests on this machine use the same PostgreSQL: it must come back however this run ends.
let guarded = false;
function guardPostgres(): void {
  if (guarded) return;
  guarded = true;
  process.once("exit", ensurePostgresStarted);
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      ensurePostgresStarted();
      process.exit(130);
    });
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });

export function startChaos(plan: ChaosPlan, o: { fleet: Fleet; slots: number; services: Services }) {
  const injected: Injected = { kills: 0, rateLimitBursts: 0, postgresStoppedMs: 0, diskFullMs: 0, diskFilledBytes: 0 };
  const stop = new AbortController();
  const { signal } = stop;
  const faults = [o.services.slack.faults, o.services.github.faults, o.services.google.faults];
  for (const f of faults) {
    f.chaos.failureRate = plan.failureRate;
    f.chaos.lostReplyRate = plan.lostReplyRate;
  }
  const tasks: Promise<void>[] = [];
  /** What was done when (Date.now()), to read the slowest acknowledgements against. */
  const events: { at: number; what: string }[] = [];

  if (plan.killEveryMs) {
    const every = plan.killEveryMs;
    tasks.push(
      (async () => {
        for (let k = 0; !signal.aborted; k++) {
          await sleep(every, signal);
          if (signal.aborted) break;
          if (await o.fleet.kill(k % o.slots)) {
            injected.kills++;
            events.push({ at: Date.now(), what: `process ${k % o.slots} killed` });
          }
        }
      })(),
    );
  }
  if (plan.rateLimitBursts) {
    const b = plan.rateLimitBursts;
    tasks.push(
      (async () => {
        for (let k = 0; !signal.aborted; k++) {
          await sleep(b.everyMs, signal);
          if (signal.aborted) break;
          const f = faults[k % faults.length]!;
          f.chaos.retryAfterSeconds = b.retryAfterSeconds;
          f.chaos.rateLimitedUntil = Date.now() + b.forMs;
          injected.rateLimitBursts++;
        }
      })(),
    );
  }
  if (plan.stopPostgres) {
    const p = plan.stopPostgres;
    tasks.push(
      (async () => {
        await sleep(p.atMs, signal);
        if (signal.aborted) return;
        const started = Date.now();
        guardPostgres();
        postgresStopped = true;
        try {
          await pgctlAsync("stop");
          events.push({ at: Date.now(), what: "PostgreSQL stopped" });
          await sleep(p.forMs, signal);
        } finally {
          try {
            await pgctlAsync("start");
            postgresStopped = false;
          } catch {
            ensurePostgresStarted();
          }
          events.push({ at: Date.now(), what: "PostgreSQL started" });
          injected.postgresStoppedMs = Date.now() - started;
        }
      })(),
    );
  }
  if (plan.fillDisk) {
    const d = plan.fillDisk;
    tasks.push(
      (async () => {
        await sleep(d.atMs, signal);
        if (signal.aborted) return;
        const filler = join(d.dir, "filler");
        const started = Date.now();
        try {
          // Asynchronous writes: see pgctlAsync.
          const file = await open(filler, "w");
          const chunk = Buffer.alloc(1 << 20);
          try {
            for (;;) injected.diskFilledBytes += (await file.write(chunk)).bytesWritten;
          } catch {
            // ENOSPC: the disk is full. Fill the last partial megabyte too.
            const small = Buffer.alloc(4096);
            try {
              for (;;) injected.diskFilledBytes += (await file.write(small)).bytesWritten;
            } catch {}
          } finally {
            await file.close();
          }
          events.push({ at: Date.now(), what: "disk full" });
          await sleep(d.forMs, signal);
        } finally {
          rmSync(filler, { force: true });
          events.push({ at: Date.now(), what: "disk freed" });
          injected.diskFullMs = Date.now() - started;
        }
      })(),
    );
  }

  return {
    injected,
    events,
    /** Ends every injection (PostgreSQL started, the disk freed, services calm) and waits for them. */
    async stop() {
      stop.abort();
      await Promise.allSettled(tasks);
      ensurePostgresStarted();
      for (const f of faults) {
        f.chaos.failureRate = 0;
        f.chaos.lostReplyRate = 0;
        f.chaos.rateLimitedUntil = 0;
      }
    },
  };
}
