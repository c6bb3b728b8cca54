// npm run bench:ack — muster against the minimal app a team would write by
// hand to do the same I/O (bench/ack-target.ts "comparator"), same run, same
// signed slash commands, 20 connections in a closed loop, the Slack emulator
// answering every Web API call and response_url after 500 ms, each process's
// CPU per request printed. Throughput is what people were served: for
// declare, modals that opened (the comparator's WebClient queues views.open
// 100 at a time, so under load most of its acknowledged declares reach Slack
// after the trigger expired and no modal opens); for the others, answers.
// Likewise a declare's p99 is the wait until the form opens (the ack's p99
// is printed beside it). Each row runs BENCH_ROUNDS (3) rounds, the apps
// taking turns to go first, and judges the median of the rounds' ratios.
// Rows and targets:
//   declare   ack, then open the same declare modal (comparator: WebClient)   throughput ≥ 1.0×, p99 ≤ 1.5×
//   help      ack with the same help blocks                                   throughput ≥ 0.75×, p99 ≤ 1.5×
//   list      ack, same query on the same rows (comparator: raw driver),
//             same blocks to the response_url                                  throughput ≥ 0.5×
//   declare paced at 400/s                                                     p99 ≤ 3×
// Every row: no request slower than 3 s, no error, no modal refused. The old
// comparison with an app that only acknowledges is printed for information.
// Then muster's memory: RSS after a warm-up and after BENCH_MEMORY_SECONDS
// (120) of paced declares (modal submissions, with the outbox creating
// channels) and timeline notes; growth must stay under 20%.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { DEFAULT_ROLES } from "../src/incidents/context.js";
import { createIncidentService } from "../src/incidents/service.js";
import { openStore } from "../src/store/open-store.js";
import { mintResponseUrl, mintTriggerId } from "../test/emulators/slack.js";
import { signSlackRequest } from "../test/helpers/slack-client.js";
import { recordFigure, verdictOf } from "./report.js";

const SECRET = "bench-signing-secret";
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const MEMORY_SECONDS = Number(process.env.BENCH_MEMORY_SECONDS ?? 120);
const MEMORY_WARMUP = Number(process.env.BENCH_MEMORY_WARMUP_SECONDS ?? 20);
const USER = "UALICE";
const CHANNEL = "C0BENCH";

type Which = "muster" | "comparator" | "bare";

interface Row {
  name: string;
  text: string;
  rate?: number;
  vs: Which;
  /** Targets for muster/comparator; a row without them is for information. */
  target?: { rps?: number; p99?: number };
}

const ROWS: Row[] = [
  { name: "declare, closed loop", text: "declare", vs: "comparator", target: { rps: 1.0, p99: 1.5 } },
  { name: "help, closed loop", text: "help", vs: "comparator", target: { rps: 0.75, p99: 1.5 } },
  { name: "list, closed loop", text: "list", vs: "comparator", target: { rps: 0.5 } },
  { name: "declare, paced at 400/s", text: "declare", rate: 400, vs: "comparator", target: { p99: 3 } },
  { name: "declare vs an app that only acks (informational)", text: "declare", vs: "bare" },
];

function startTarget(which: Which, slackUrl: string, dbFile: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/ack-target.ts", which], {
    env: { ...process.env, BENCH_SLACK_URL: slackUrl, BENCH_SIGNING_SECRET: SECRET, BENCH_DB_FILE: dbFile },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      const m = /PORT (\d+)/.exec(buf);
      if (m) resolve({ port: Number(m[1]), child });
    });
    child.once("exit", (code) => reject(new Error(`${which} exited with ${code}`)));
  });
}

interface SlackProcess {
  url: string;
  ask<T>(what: "mark" | "report" | "quiet"): Promise<T>;
  child: ChildProcess;
}

interface Report {
  opens: number;
  /** p99 from the command to views.open, over the modals that opened. */
  openedP99: number;
  refused: Record<string, number>;
  p50: number;
  p99: number;
  max: number;
  posts: number;
}

function startSlack(): Promise<SlackProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/slack-process.ts"], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  let next = 0;
  const waiting = new Map<number, (m: unknown) => void>();
  child.on("message", (m: { id: number }) => waiting.get(m.id)?.(m));
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      const m = /URL (\S+)/.exec(buf);
      if (m)
        resolve({
          url: m[1]!,
          child,
          ask: <T>(what: "mark" | "report" | "quiet") =>
            new Promise<T>((r) => {
              const id = next++;
              waiting.set(id, (x) => r(x as T));
              child.send({ id, ask: what });
            }),
        });
    });
    child.once("exit", (code) => reject(new Error(`the Slack emulator exited with ${code}`)));
  });
}

interface Signed {
  body: string;
  headers: Record<string, string>;
}

function sign(body: string): Signed {
  const ts = Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": signSlackRequest(SECRET, ts, body),
    },
  };
}

/** A slash command as Slack sends it, with a fresh trigger_id and response_url the emulator accepts. */
const command = (slackUrl: string, text: string) => () =>
  sign(
    new URLSearchParams({
      token: "legacy",
      team_id: "T0001",
      team_domain: "bench",
      channel_id: CHANNEL,
      channel_name: "general",
      user_id: USER,
      user_name: "alice",
      command: "/incident",
      text,
      api_app_id: "A0BENCH",
      response_url: mintResponseUrl(slackUrl, USER, CHANNEL),
      trigger_id: mintTriggerId(USER),
    }).toString(),
  );

let submissions = 0;
/** The declare modal submitted, as Slack sends it: a new view each time, so each is its own incident. */
const declareSubmission = () => {
  const n = ++submissions;
  const payload = {
    type: "view_submission",
    team: { id: "T0001", domain: "bench" },
    user: { id: USER, username: "alice", name: "alice", team_id: "T0001" },
    api_app_id: "A0BENCH",
    token: "legacy",
    trigger_id: mintTriggerId(USER),
    view: {
      id: `VBENCH${process.pid}X${n}`,
      type: "modal",
      callback_id: "incident_declare",
      private_metadata: "{}",
      hash: `h${n}`,
      blocks: [],
      state: {
        values: {
          title: { value: { type: "plain_text_input", value: `Bench incident ${n}` } },
          summary: { value: { type: "plain_text_input", value: "Errors on checkout" } },
          commanderId: { value: { type: "users_select", selected_user: USER } },
        },
      },
    },
    response_urls: [],
  };
  return sign(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
};

interface Result {
  /** Acknowledgements per second. */
  rps: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  total: number;
}

/** Closed loop: CONNECTIONS connections, each sends its next request when the last is answered. */
async function closedLoop(port: number, next: () => Signed, seconds = DURATION): Promise<Result> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/slack/events`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: "POST", setupRequest: (req) => ({ ...req, ...next() }) }],
  });
  return {
    rps: result.requests.average,
    seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts + result.non2xx,
    total: result.requests.total,
  };
}

/**
 * Paced: one request every 1/rate s, evenly spread, whatever the answers do.
 * (autocannon's own pacing releases each second's budget at once, and its
 * coordinated-omission correction assumes a 1 ms interval at this rate, so
 * it measures bursts, not a steady rate.)
 */
async function paced(port: number, next: () => Signed, rate: number, seconds = DURATION): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  let errors = 0;
  const sends: Promise<void>[] = [];
  const started = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const { body, headers } = next();
    const t = performance.now();
    sends.push(
      new Promise<void>((resolve) => {
        const req = request(
          { host: "127.0.0.1", port, path: "/slack/events", method: "POST", agent, headers },
          (res) => {
            res.resume();
            res.on("end", () => {
              latencies.push(performance.now() - t);
              if (res.statusCode !== 200) errors++;
              resolve();
            });
          },
        );
        req.on("error", () => {
          errors++;
          resolve();
        });
        req.end(body);
      }),
    );
  }
  await Promise.all(sends);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((x, y) => x - y);
  const q = (f: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))] ?? 0);
  return { rps: total / elapsed, seconds: elapsed, p50: q(0.5), p99: q(0.99), max: q(1), errors, total };
}

/** CPU time (user + system, ms) a process has used so far; null where /proc is not there. */
function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/** Resident memory of a process, in MiB. */
function rssMiB(pid: number | undefined): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Runs a load and says how much CPU (µs) the target spent per request on it. */
async function measured(port: number, next: () => Signed, rate: number | undefined, target: ChildProcess) {
  const before = cpuMs(target.pid);
  const result = rate ? await paced(port, next, rate) : await closedLoop(port, next);
  const after = cpuMs(target.pid);
  const cpu = before === null || after === null ? null : Math.round(((after - before) * 1000) / result.total);
  return { ...result, cpu };
}

/** Open incidents with roles for `list` to show (and some resolved ones it must leave out). */
async function seed(dbFile: string) {
  const { store } = await openStore(`file:${dbFile}`);
  const svc = createIncidentService({ store, policy: { roles: DEFAULT_ROLES } });
  for (let i = 0; i < 30; i++) {
    const ic = { userId: `UIC${i}`, isAdmin: true };
    const r = await svc.declare(ic, { title: `Seeded incident ${i}: checkout errors in eu-west`, severity: "high" });
    if (i % 3 === 0) await svc.assignRole(ic, { key: r.key, role: "communications", userId: "UCOMMS" });
    if (i % 5 === 0) await svc.resolve(ic, { key: r.key, summary: "Rolled back", partiesInformed: ["none affected"] });
  }
  await store.close();
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const refusals = (r: Report) => Object.values(r.refused).reduce((x, y) => x + y, 0);

/** The rounds of one app as one line: rates over all of them, the median round's percentiles, the worst max. */
function combined(rs: (Result & { cpu: number | null })[]): Result & { cpu: number | null } {
  const total = rs.reduce((n, r) => n + r.total, 0);
  const seconds = rs.reduce((n, r) => n + r.seconds, 0);
  const cpus = rs.map((r) => r.cpu);
  return {
    rps: total / seconds,
    seconds,
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    max: Math.max(...rs.map((r) => r.max)),
    errors: rs.reduce((n, r) => n + r.errors, 0),
    total,
    cpu: cpus.every((c) => c !== null) ? Math.round(median(cpus as number[])) : null,
  };
}

function combinedReport(rs: Report[]): Report {
  const refused: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r.refused)) refused[k] = (refused[k] ?? 0) + v;
  return {
    opens: rs.reduce((n, r) => n + r.opens, 0),
    openedP99: median(rs.map((r) => r.openedP99)),
    refused,
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    max: Math.max(...rs.map((r) => r.max)),
    posts: rs.reduce((n, r) => n + r.posts, 0),
  };
}

const fmt = (r: Result) =>
  `${r.rps.toFixed(0).padStart(7)} ${String(r.p50).padStart(6)} ${String(r.p99).padStart(6)} ${String(r.max).padStart(6)} ${String(r.errors).padStart(6)}`;

async function memory(port: number, muster: ChildProcess, slackUrl: string) {
  // 20 requests a second: 4 declares (each making a channel, posts and
  // bookmarks through the outbox) and 16 notes on the incidents made so far.
  const notes = command(slackUrl, "note INC-1 Observed error rate back at baseline");
  let i = 0;
  const next = () => (i++ % 5 === 0 ? declareSubmission() : notes());
  await paced(port, next, 20, MEMORY_WARMUP);
  const before = rssMiB(muster.pid);
  const r = await paced(port, next, 20, MEMORY_SECONDS);
  await new Promise((res) => setTimeout(res, 2_000));
  const after = rssMiB(muster.pid);
  const growth = (after - before) / before;
  const ok = growth < 0.2 && r.errors === 0 && r.max <= 3000;
  recordFigure({
    bench: "ack",
    figure: `memory: ${MEMORY_SECONDS} s of paced declares and notes`,
    value: `RSS ${before.toFixed(0)} → ${after.toFixed(0)} MiB (${(growth * 100).toFixed(1)}%), ${r.errors} errors`,
    target: "< 20% growth, no error",
    verdict: verdictOf(ok),
  });
  process.stdout.write(
    `\nmemory: ${MEMORY_SECONDS} s of paced declares (4/s) and notes (16/s) after a ${MEMORY_WARMUP} s warm-up: ` +
      `muster RSS ${before.toFixed(1)} → ${after.toFixed(1)} MiB (${(growth * 100).toFixed(1)}%, target < 20%); ` +
      `${r.total} requests, p99 ${r.p99} ms, max ${r.max} ms, errors ${r.errors} — ${ok ? "met" : "MISSED"}\n`,
  );
  return ok;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "muster-bench-ack-"));
  const dbFile = join(dir, "muster.db");
  const children: ChildProcess[] = [];
  try {
    await seed(dbFile);
    const slack = await startSlack();
    children.push(slack.child);
    const targets = {} as Record<Which, { port: number; child: ChildProcess }>;
    for (const which of ["bare", "comparator", "muster"] as Which[]) {
      targets[which] = await startTarget(which, slack.url, dbFile);
      children.push(targets[which].child);
    }
    process.stdout.write(
      `muster bench:ack — ${CONNECTIONS} connections × ${DURATION} s per closed-loop run after a ${WARMUP} s warm-up, ${ROUNDS} rounds per row (each app first in turn; ratios are the rounds' median); Slack emulator latency ${process.env.BENCH_SLACK_LATENCY_MS ?? 500} ms\n\n`,
    );
    for (const which of ["bare", "comparator", "muster"] as Which[])
      for (const text of ["declare", "list", "help"])
        await closedLoop(targets[which].port, command(slack.url, text), WARMUP);

    const head = `${"row".padEnd(50)} ${"app".padEnd(10)} ${"req/s".padStart(7)} ${"p50".padStart(6)} ${"p99".padStart(6)} ${"max".padStart(6)} ${"errors".padStart(6)} ${"CPU µs".padStart(7)}  ratio (target)`;
    process.stdout.write(`${head}\n${"-".repeat(head.length + 10)}\n`);
    let ok = true;
    // BENCH_ONLY=help,list runs only the rows whose command is listed (for a quick look; not judged whole).
    const only = process.env.BENCH_ONLY?.split(",");
    for (const row of ROWS.filter((r) => !only || only.includes(r.text))) {
      const next = command(slack.url, row.text);
      /** One app's run of the row, with what Slack saw of it. */
      const run = async (which: Which) => {
        await slack.ask("quiet");
        await slack.ask("mark");
        const result = await measured(targets[which].port, next, row.rate, targets[which].child);
        if (which === "muster") {
          await slack.ask("quiet"); // the last modal opens still in flight
          return { result, seen: await slack.ask<Report>("report") };
        }
        // The comparator's WebClient runs 100 calls at a time, so after a declare row thousands of
        // modal opens may still be queued; a trigger lives 3 s, so none of them could open a modal
        // any more. Count what reached Slack by then, and start a fresh comparator instead of
        // waiting minutes for the queue to drain into refusals.
        await new Promise((r) => setTimeout(r, 3_500));
        const seen = await slack.ask<Report>("report");
        if (which === "comparator" && row.text === "declare") {
          targets.comparator.child.kill("SIGKILL");
          targets.comparator = await startTarget("comparator", slack.url, dbFile);
          children.push(targets.comparator.child);
        }
        return { result, seen };
      };
      // Rounds, each app going first in turn: one pair of 10 s runs swung the
      // help row's ratio from 0.68× to 0.96× on the same code (the machine's
      // own drift), so a ratio is the median of the rounds' ratios.
      const rounds: {
        other: Result & { cpu: number | null };
        theirs: Report;
        mine: Result & { cpu: number | null };
        seen: Report;
      }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const order: Which[] = round % 2 === 0 ? [row.vs, "muster"] : ["muster", row.vs];
        const got = {} as Record<Which, Awaited<ReturnType<typeof run>>>;
        for (const which of order) got[which] = await run(which);
        rounds.push({
          other: got[row.vs].result,
          theirs: got[row.vs].seen,
          mine: got.muster.result,
          seen: got.muster.seen,
        });
      }
      // What a person got: a declare is served when its modal opened (an
      // acknowledged command whose views.open Slack refused as expired is a
      // failed declare); other commands when answered without error.
      // (Against the app that only acknowledges, acknowledgements are all there is to compare.)
      const served = (r: Result, opened: number) =>
        (row.text === "declare" && row.vs !== "bare" ? opened : r.total - r.errors) / r.seconds;
      // For a declare, the wait that matters is until the form appears: the
      // acknowledgement's p99 against an app that acks and queues the work
      // would reward not doing it. Both are printed; the served one is judged.
      const servedDeclare = row.text === "declare" && row.vs !== "bare";
      const ratios = rounds.map(({ other, theirs, mine, seen }) => ({
        rps: served(mine, seen.opens - refusals(seen)) / served(other, theirs.opens - refusals(theirs)),
        acks: mine.rps / other.rps,
        ackP99: mine.p99 / Math.max(1, other.p99),
        openP99: seen.openedP99 / Math.max(1, theirs.openedP99),
      }));
      const rps = median(ratios.map((r) => r.rps));
      const ackP99 = median(ratios.map((r) => r.ackP99));
      const p99 = servedDeclare ? median(ratios.map((r) => r.openP99)) : ackP99;
      const other = combined(rounds.map((r) => r.other));
      const mine = combined(rounds.map((r) => r.mine));
      const seen = combinedReport(rounds.map((r) => r.seen));
      const theirs = combinedReport(rounds.map((r) => r.theirs));
      const refused = refusals(seen);
      const theirRefusals = refusals(theirs);
      const checks: string[] = [];
      let pass = mine.max <= 3000 && mine.errors === 0 && refused === 0;
      if (row.target?.rps !== undefined) {
        checks.push(`served/s ${rps.toFixed(2)}× (≥ ${row.target.rps})`);
        pass &&= rps >= row.target.rps;
      } else checks.push(`served/s ${rps.toFixed(2)}×`);
      if (servedDeclare) checks.push(`acks/s ${median(ratios.map((r) => r.acks)).toFixed(2)}×`);
      if (servedDeclare) checks.push(`ack p99 ${ackP99.toFixed(2)}×`);
      if (row.target?.p99 !== undefined) {
        checks.push(`${servedDeclare ? "modal-open p99" : "p99"} ${p99.toFixed(2)}× (≤ ${row.target.p99})`);
        pass &&= p99 <= row.target.p99;
      } else checks.push(`${servedDeclare ? "modal-open p99" : "p99"} ${p99.toFixed(2)}×`);
      const cpu = (r: { cpu: number | null }) => String(row.rate ? "—" : (r.cpu ?? "?")).padStart(7);
      process.stdout.write(`${row.name.padEnd(50)} ${row.vs.padEnd(10)} ${fmt(other)} ${cpu(other)}\n`);
      process.stdout.write(`${"".padEnd(50)} ${"muster".padEnd(10)} ${fmt(mine)} ${cpu(mine)}  ${checks.join(", ")}`);
      const extra = [
        seen.opens ? `modals opened ${seen.opens - refused}, command → modal open p99 ${seen.openedP99} ms` : "",
        theirs.opens
          ? `${row.vs}: ${theirs.opens} views.open reached Slack within 3.5 s of its run, ${theirRefusals} refused (trigger expired), ${theirs.opens - theirRefusals} opened with p99 ${theirs.openedP99} ms`
          : "",
        `muster refused by Slack: ${refused ? JSON.stringify(seen.refused) : 0}`,
        mine.max > 3000 ? `SLOWER THAN 3 s: max ${mine.max} ms` : "",
      ].filter(Boolean);
      const verdict = row.target ? (pass ? "met" : "MISSED") : "informational";
      recordFigure({
        bench: "ack",
        figure: `${row.name} (vs ${row.vs})`,
        value: checks.join(", "),
        target: row.target
          ? [
              row.target.rps !== undefined ? `served ≥ ${row.target.rps}×` : "",
              row.target.p99 !== undefined ? `p99 ≤ ${row.target.p99}×` : "",
            ]
              .filter(Boolean)
              .join(", ")
          : "",
        verdict: row.target ? verdictOf(pass) : "info",
      });
      process.stdout.write(` — ${verdict}\n${"".padEnd(50)} ${extra.join("; ")}\n`);
      if (row.target) ok &&= pass;
    }
    if (MEMORY_SECONDS > 0) {
      // A muster of its own: the closed-loop rows above leave a heap the
      // garbage collector gives back later, which would flatter the growth.
      targets.muster.child.kill("SIGKILL");
      const fresh = await startTarget("muster", slack.url, dbFile);
      children.push(fresh.child);
      ok = (await memory(fresh.port, fresh.child, slack.url)) && ok;
    }
    process.stdout.write(`\n${ok ? "PASS: every target met" : "FAIL: a target was missed"}\n`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    for (const c of children) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
