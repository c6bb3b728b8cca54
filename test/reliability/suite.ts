// One reliability run: muster processes (children, as in production) behind
// a round-robin proxy, the emulators of Slack, GitHub and Google, people
// declaring incidents and posting status updates over signed HTTP, chaos
// while they do, then a count of what was acknowledged against what exists.
// Used by `npm run test:reliability` (full size) and by CI's shortened
// version in test/e2e/reliability.test.ts.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, targetFor } from "../../src/store/open-store.js";
import { adminQuery, uniqueName, urlFor } from "../helpers/postgres.js";
import { addDocTemplate, musterEnv, startEmulators } from "../helpers/stack.js";
import { type ChaosPlan, startChaos } from "./chaos.js";
import { startFleet } from "./fleet.js";
import { newLoadRecord, People } from "./people.js";
import { startProxy } from "./proxy.js";
import { type Check, outboxSettled, verify } from "./verify.js";

export interface RunOptions {
  provider: "sqlite" | "postgresql";
  /** Muster processes behind the proxy. */
  processes: number;
  /** Incidents declared at the start: at once, or one every `declareSpreadMs`. */
  incidents: number;
  declareSpreadMs?: number;
  updatesPerSecond: number;
  /** How long the updates (and the chaos) go on. */
  loadSeconds: number;
  chaos: {
    killEveryMs: number | null;
    failureRate: number;
    lostReplyRate: number;
    rateLimitBursts: ChaosPlan["rateLimitBursts"];
    stopPostgres: ChaosPlan["stopPostgres"];
    /** Fill SQLite's disk (a small tmpfs mounted for the run), when the run may mount one. */
    fillDisk: { atMs: number; forMs: number } | null;
  };
  /** How long the outbox may take to finish once the chaos ends. */
  settleMs: number;
  /** Run the compiled muster (dist/, as `npm start` does; the caller builds it) rather than the sources under tsx. */
  compiled?: boolean;
  /** muster's log level in its processes (default silent). */
  logLevel?: string;
  /** Progress lines while the run goes (default: none). */
  progress?: (line: string) => void;
}

export interface RunReport {
  ok: boolean;
  checks: Check[];
  text: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A small scratch filesystem for SQLite, so its disk can be filled; null (with the reason) when one cannot be mounted. */
function mountScratch(dir: string, sizeMb: number): string | null {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m`, "tmpfs", dir], { stdio: "pipe" });
    return null;
  } catch (e) {
    const err = e as { stderr?: Buffer; message?: string };
    return (err.stderr?.toString().trim() || err.message || "mount failed").split("\n")[0]!;
  }
}

export async function runReliability(o: RunOptions): Promise<RunReport> {
  const progress = o.progress ?? (() => {});
  const started = Date.now();
  const lines: string[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  // The services' own quotas are off: this run is about muster under faults,
  // and `npm run bench:declare` measures it under Slack's, GitHub's and
  // Google's quotas. Rate limits come as injected bursts instead.
  const services = await startEmulators({
    slack: { enforceRateLimits: false },
    github: { secondaryLimitPerMinute: 1_000_000, secondaryLimitPerHour: 1_000_000, primaryLimitPerHour: 1_000_000 },
    google: { docsWritesPerMinute: 1_000_000, driveWritesPerMinute: 1_000_000 },
  });
  cleanups.push(async () => {
    await Promise.all([services.slack.close(), services.github.close(), services.google.close()]);
  });
  try {
    let databaseUrl: string;
    let diskNote = "";
    let fillDisk: ChaosPlan["fillDisk"] = null;
    if (o.provider === "sqlite") {
      const dir = mkdtempSync(join(tmpdir(), "muster-reliability-"));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      if (o.chaos.fillDisk) {
        const why = mountScratch(dir, 256);
        if (why) diskNote = `disk not filled: could not mount a scratch tmpfs (${why})`;
        else {
          cleanups.push(() => {
            execFileSync("umount", ["-l", dir], { stdio: "ignore" });
          });
          fillDisk = { ...o.chaos.fillDisk, dir };
        }
      }
      databaseUrl = `file:${join(dir, "muster.db")}`;
    } else {
      // An empty database: the processes migrate it themselves, at once.
      const name = uniqueName("muster_reliability");
      await adminQuery(`CREATE DATABASE "${name}"`);
      cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      databaseUrl = urlFor(name);
    }
    const env = {
      ...musterEnv(services, databaseUrl),
      GOOGLE_DOC_TEMPLATE_ID: addDocTemplate(services.google),
      DATABASE_POOL_SIZE: "4",
      LOG_LEVEL: o.logLevel ?? "silent",
    };

    const fleet = await startFleet(o.processes, env, { compiled: o.compiled ?? false });
    cleanups.push(() => fleet.stop());
    if (!(await fleet.allUp(120_000))) throw new Error("the muster processes did not start");
    const proxy = await startProxy(() => fleet.ports());
    cleanups.push(() => proxy.close());
    progress(
      `${o.processes} muster process(es) up on ${o.provider} after ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    const record = newLoadRecord();
    const people = new People(services.slack, proxy.url, record);
    // Person n declares incident n and appoints person incidents + n its
    // communications lead; both post its updates, one thing at a time each.
    people.addPeople(o.incidents * 2);
    const chaos = startChaos(
      {
        killEveryMs: o.chaos.killEveryMs,
        failureRate: o.chaos.failureRate,
        lostReplyRate: o.chaos.lostReplyRate,
        rateLimitBursts: o.chaos.rateLimitBursts,
        stopPostgres: o.provider === "postgresql" ? o.chaos.stopPostgres : null,
        fillDisk,
      },
      { fleet, slots: o.processes, services },
    );
    cleanups.push(() => chaos.stop());

    // Incident keys as muster numbered them, read as the people would see them in Slack.
    const keys = new Map<string, string>();
    const target = targetFor(databaseUrl);
    let reader: Awaited<ReturnType<typeof connect>> | null = null;
    const readKeys = async () => {
      try {
        reader ??= await connect(target, { poolSize: 1 });
        for (const i of await reader.incident.findMany({ select: { key: true, title: true } }))
          keys.set(i.title, i.key);
      } catch {
        const r = reader;
        reader = null;
        await r?.$disconnect().catch(() => {});
      }
    };

    const titles = Array.from({ length: o.incidents }, (_, k) => `Reliability incident ${k + 1}`);
    const lead = (n: number) => o.incidents + n;
    // People at work (person numbers), and the incidents whose lead has been appointed.
    const busy = new Set<number>();
    const appointed = new Set<number>();
    const inFlight = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>) => {
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    };
    const loadStart = Date.now();
    const keyOf = async (n: number, withinMs: number) => {
      const until = Date.now() + withinMs;
      while (!keys.has(titles[n - 1]!) && Date.now() < until) await sleep(200);
      return keys.get(titles[n - 1]!);
    };
    for (let n = 1; n <= o.incidents; n++) busy.add(n);
    track(
      (async () => {
        for (const [k, title] of titles.entries()) {
          if (k > 0 && o.declareSpreadMs) await sleep(o.declareSpreadMs);
          const n = k + 1;
          track(
            (async () => {
              if (!(await people.declare(n, title))) return;
              const key = await keyOf(n, 60_000);
              if (key && (await people.appoint(n, key, lead(n)))) appointed.add(n);
            })().finally(() => busy.delete(n)),
          );
        }
      })(),
    );
    let started_ = 0;
    let skipped = 0;
    let owed = 0;
    let seq = 0;
    let cursor = 0;
    const interval = 1000 / o.updatesPerSecond;
    let lastKeys = 0;
    for (let tick = 0; Date.now() - loadStart < o.loadSeconds * 1000; tick++) {
      const due = loadStart + tick * interval;
      if (due > Date.now()) await sleep(due - Date.now());
      if (Date.now() - lastKeys > 500) {
        lastKeys = Date.now();
        void readKeys();
      }
      // Each tick owes one update. One that finds nobody free is owed to the
      // next tick rather than dropped, so the rate holds on average.
      owed++;
      while (owed > 0) {
        // The next incident whose key is known and one of whose two people is free.
        let chosen = 0;
        let poster = 0;
        for (let j = 0; j < o.incidents && !chosen; j++) {
          const n = ((cursor + j) % o.incidents) + 1;
          if (!keys.has(titles[n - 1]!)) continue;
          const free = [n, ...(appointed.has(n) ? [lead(n)] : [])].find((p) => !busy.has(p));
          if (free) {
            chosen = n;
            poster = free;
            cursor = n;
          }
        }
        if (!chosen) {
          skipped++;
          break;
        }
        owed--;
        const n = chosen;
        const who = poster;
        busy.add(who);
        started_++;
        const text = `Reliability update ${++seq} for incident ${n}`;
        track(people.update(who, keys.get(titles[n - 1]!)!, titles[n - 1]!, text).finally(() => busy.delete(who)));
      }
      if (tick % Math.max(1, Math.round(o.updatesPerSecond * 10)) === 0 && tick > 0)
        progress(
          `t+${((Date.now() - loadStart) / 1000).toFixed(0)} s: ${record.declared.length} declared, ${record.appointed} comms leads appointed, ${record.updates.length} updates acknowledged, ${fleet.ports().length} process(es) up`,
        );
    }
    const loadMs = Date.now() - loadStart;
    progress(`load done after ${(loadMs / 1000).toFixed(0)} s; waiting for the people's last requests`);
    const waitUntil = Date.now() + 120_000;
    while (inFlight.size && Date.now() < waitUntil) await sleep(200);
    await chaos.stop();
    await (reader as Awaited<ReturnType<typeof connect>> | null)?.$disconnect().catch(() => {});
    progress("chaos stopped; waiting for the outbox to finish");
    const up = await fleet.allUp(120_000);
    const settleStart = Date.now();
    const settled = await outboxSettled(databaseUrl, o.settleMs);
    const settleMs = Date.now() - settleStart;
    const checks = await verify(databaseUrl, record, services);
    checks.unshift({
      ok: up && fleet.counts.diedByThemselves === 0,
      what: "no muster process died by itself",
      detail: `${fleet.counts.started} processes started (${fleet.counts.killed} killed by the run, ${fleet.counts.failedStarts} starts failed, ${fleet.counts.diedByThemselves} died by themselves)${fleet.crashes.map((c) => `\n    ${c}`).join("")}`,
    });
    checks.push({
      ok: settled,
      what: "the outbox settled after the chaos",
      detail: `${(settleMs / 1000).toFixed(1)} s after the chaos ended (limit ${(o.settleMs / 1000).toFixed(0)} s)`,
    });

    const inj = chaos.injected;
    const c = (s: { faults: { chaos: { injected: { failed: number; lostReplies: number; rateLimited: number } } } }) =>
      `${s.faults.chaos.injected.failed} failed, ${s.faults.chaos.injected.lostReplies} answers lost, ${s.faults.chaos.injected.rateLimited} rate-limited`;
    lines.push(
      `Reliability run on ${o.provider}: ${o.processes} muster process(es) (${o.compiled ? "compiled, as npm start runs it" : "sources under tsx"}) behind a round-robin proxy, ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
      "Load:",
      `  ${o.incidents} incidents declared ${o.declareSpreadMs ? `one every ${o.declareSpreadMs} ms` : "at once"} (slash command → modal → signed view_submission); ${record.declared.length} acknowledged; ${record.appointed} communications leads appointed by their ICs (role form)`,
      `  status updates through the update form: ${started_} started over ${(loadMs / 1000).toFixed(0)} s (${(started_ / (loadMs / 1000)).toFixed(1)}/s; target ${o.updatesPerSecond}/s, ${skipped} ticks found nobody free and owed the update to the next, ${owed} still owed at the end), ${record.updates.length} acknowledged`,
      `  requests through the proxy: ${proxy.counts.forwarded} answered, ${proxy.counts.refusedThenRetried} refused by a dead process and sent to the other, ${proxy.counts.failed} failed (502); modals resubmitted ${record.resubmitted}, modals that never opened ${record.modalsMissing} (and ${record.modalsRefused} where muster said why instead); "saving…" shown ${record.savingShown} times (${record.savingNeverEnded} never said how it ended)`,
      "Injected:",
      `  SIGKILL of a muster process: ${inj.kills}${o.chaos.killEveryMs ? ` (every ${o.chaos.killEveryMs / 1000} s)` : ""}`,
      `  Slack: ${c(services.slack)}`,
      `  GitHub: ${c(services.github)}`,
      `  Google: ${c(services.google)}`,
      `  (failure rate ${o.chaos.failureRate * 100}%, lost answers ${o.chaos.lostReplyRate * 100}%; ${inj.rateLimitBursts} bursts of rate limits)`,
      o.provider === "postgresql"
        ? `  PostgreSQL stopped: ${inj.postgresStoppedMs ? `${(inj.postgresStoppedMs / 1000).toFixed(1)} s` : "no"}`
        : `  SQLite disk full: ${inj.diskFullMs ? `${(inj.diskFullMs / 1000).toFixed(1)} s (${(inj.diskFilledBytes / 2 ** 20).toFixed(0)} MB filler)` : diskNote || "no"}`,
      `  when: ${chaos.events.map((e) => `t+${((e.at - loadStart) / 1000).toFixed(1)} s ${e.what}`).join("; ") || "nothing"}`,
      "Verified:",
      ...checks.map((k) => `  ${k.ok ? "✓" : "✗"} ${k.what}: ${k.detail}`),
    );
    const ok = checks.every((k) => k.ok);
    lines.push(ok ? "PASS" : "FAIL");
    return { ok, checks, text: lines.join("\n") };
  } finally {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {
        // Best effort: the rest must still run (PostgreSQL started, the scratch disk unmounted).
      }
    }
  }
}
