// npm run bench:ack — muster against a bare Bolt app that only acknowledges,
// same signed slash commands, same concurrency, one run. The Slack emulator
// answers every Web API call and response_url after 500 ms, so any work done
// before the acknowledgement would show.
//
// Judged on `/incident declare`: the command Slack's 3 s rule exists for (the
// modal must open from a trigger_id that expires in 3 s). `list` (a database
// read answered through the response_url) and `help` (answered in the
// acknowledgement) are printed alongside, so the cost of a read is in view.
// Each target gets an unmeasured warm-up first: a long-running bot is warm.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import autocannon from "autocannon";
import { mintResponseUrl, mintTriggerId } from "../test/emulators/slack.js";
import { signSlackRequest } from "../test/helpers/slack-client.js";

const SECRET = "bench-signing-secret";
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const RATES = (process.env.BENCH_RATES ?? "100,400").split(",").map(Number);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const COMMANDS = (process.env.BENCH_COMMANDS ?? "declare,list,help").split(",");

function startTarget(which: "muster" | "bare", slackUrl: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/ack-target.ts", which], {
    env: { ...process.env, BENCH_SLACK_URL: slackUrl, BENCH_SIGNING_SECRET: SECRET },
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

interface Load {
  port: number;
  text: string;
  responseUrl: () => string;
  triggerId: () => string;
  seconds?: number;
}

interface SlackProcess {
  url: string;
  ask<T>(what: "mark" | "report"): Promise<T>;
  child: ChildProcess;
}

interface Report {
  opens: number;
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
          ask: <T>(what: "mark" | "report") =>
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

function signedCommand(text: string, responseUrl: string, triggerId: string) {
  const ts = Math.floor(Date.now() / 1000);
  const body = new URLSearchParams({
    token: "legacy",
    team_id: "T0001",
    team_domain: "bench",
    channel_id: "C0BENCH",
    channel_name: "general",
    user_id: "UALICE",
    user_name: "alice",
    command: "/incident",
    text,
    api_app_id: "A0BENCH",
    response_url: responseUrl,
    trigger_id: triggerId,
  }).toString();
  return {
    body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": signSlackRequest(SECRET, ts, body),
    },
  };
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  total: number;
}

/** Closed loop: CONNECTIONS connections, each sends its next command when the last is answered. */
async function closedLoop({ port, text, responseUrl, triggerId, seconds = DURATION }: Load): Promise<Result> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/slack/events`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: "POST",
        setupRequest: (req) => ({ ...req, ...signedCommand(text, responseUrl(), triggerId()) }),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts + result.non2xx,
    total: result.requests.total,
  };
}

/**
 * Paced: one command every 1/rate s, evenly spread, whatever the answers do.
 * (autocannon's own pacing releases each second's budget at once, and its
 * coordinated-omission correction assumes a 1 ms interval at this rate, so
 * it measures bursts, not a steady rate.)
 */
async function paced({ port, text, responseUrl, triggerId, rate, seconds = DURATION }: Load & { rate: number }) {
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
    const { body, headers } = signedCommand(text, responseUrl(), triggerId());
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
  return { rps: total / elapsed, p50: q(0.5), p99: q(0.99), max: q(1), errors, total };
}

const load = (o: Load & { rate?: number | undefined }) => (o.rate ? paced({ ...o, rate: o.rate }) : closedLoop(o));

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

/** Runs a load and says how much CPU each process spent per request on it. */
async function measured(o: Load & { rate?: number | undefined }, target: ChildProcess, slack: ChildProcess) {
  const pids = [target.pid, slack.pid, process.pid];
  const before = pids.map(cpuMs);
  const result = await load(o);
  const after = pids.map(cpuMs);
  const perRequest = after.map((a, i) =>
    a === null || before[i] === null ? null : Math.round(((a - before[i]!) * 1000) / Math.max(1, result.total)),
  );
  return { ...result, cpu: { target: perRequest[0], slack: perRequest[1], loadgen: perRequest[2] } };
}

async function main() {
  const slack = await startSlack();
  const targets: ChildProcess[] = [slack.child];
  try {
    const bare = await startTarget("bare", slack.url);
    targets.push(bare.child);
    const muster = await startTarget("muster", slack.url);
    targets.push(muster.child);
    const responseUrl = () => mintResponseUrl(slack.url, "UALICE", "C0BENCH");
    const triggerId = () => mintTriggerId("UALICE");
    process.stdout.write(
      `${CONNECTIONS} connections × ${DURATION} s per row, after a ${WARMUP} s warm-up; Slack emulator latency 500 ms\n`,
    );
    for (const port of [bare.port, muster.port]) {
      await load({ port, text: COMMANDS[0]!, responseUrl, triggerId, seconds: WARMUP });
    }
    const row = (name: string, r: Result) =>
      `${name.padEnd(8)} ${r.rps.toFixed(0).padStart(8)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${String(r.max).padStart(7)} ${String(r.errors).padStart(7)} ${String(r.total).padStart(8)}`;
    const header = `${"".padEnd(8)} ${"req/s".padStart(8)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"max ms".padStart(7)} ${"errors".padStart(7)} ${"total".padStart(8)}\n`;
    let ok = true;
    // Closed loop: as fast as each target answers. Paced: the same fixed
    // offered rate for both (far above any workspace's slash-command rate).
    const runs: { text: string; rate?: number; judged: boolean }[] = [
      ...COMMANDS.map((text, i) => ({ text, judged: i === 0 })),
      ...RATES.map((rate, i) => ({ text: COMMANDS[0]!, rate, judged: i === 0 })),
    ];
    for (const { text, rate, judged } of runs) {
      const b = await measured({ port: bare.port, text, responseUrl, triggerId, rate }, bare.child, slack.child);
      await slack.ask("mark");
      const m = await measured({ port: muster.port, text, responseUrl, triggerId, rate }, muster.child, slack.child);
      await new Promise((r) => setTimeout(r, 1_000)); // the last modal opens still in flight
      const seen = await slack.ask<Report>("report");
      const name = `/incident ${text}, ${rate ? `paced at ${rate} req/s` : "closed loop (max throughput)"}`;
      process.stdout.write(
        `\n${name}${judged ? "" : " — for comparison, not judged"}\n${header}${row("bare", b)}\n${row("muster", m)}\n`,
      );
      const p99Ratio = m.p99 / Math.max(1, b.p99);
      const rpsRatio = m.rps / b.rps;
      const slow = m.max > 3000 ? `YES (max ${m.max} ms)` : "0";
      process.stdout.write(
        `muster/bare: p99 ${p99Ratio.toFixed(2)}× (target ≤ 2), throughput ${rpsRatio.toFixed(2)}× (target ≥ 0.5); slower than 3 s: ${slow}\n`,
      );
      // Only where the processes are busy throughout: at a fixed low rate their idle ticks would dominate.
      if (!rate && b.cpu.target !== null && m.cpu.target !== null)
        process.stdout.write(
          `CPU per request (µs): bare ${b.cpu.target}, muster ${m.cpu.target}; Slack emulator ${b.cpu.slack} / ${m.cpu.slack}, load generator ${b.cpu.loadgen} / ${m.cpu.loadgen} (bare's run / muster's)\n`,
        );
      const refused = Object.values(seen.refused).reduce((x, y) => x + y, 0);
      const modalsOk = refused === 0;
      if (seen.posts) process.stdout.write(`response_url posts received: ${seen.posts}\n`);
      if (seen.opens)
        process.stdout.write(
          `modal opens: ${seen.opens}, Slack calls refused: ${refused ? JSON.stringify(seen.refused) : 0}; command sent → views.open received p50 ${seen.p50} ms, p99 ${seen.p99} ms, max ${seen.max} ms\n`,
        );
      const pass = p99Ratio <= 2 && rpsRatio >= 0.5 && m.max <= 3000 && m.errors === 0 && modalsOk;
      if (judged) {
        process.stdout.write(`${pass ? "meets" : "MISSES"} the targets\n`);
        ok &&= pass;
      }
    }
    process.stdout.write(`${ok ? "PASS" : "FAIL"}\n`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    for (const t of targets) t.kill("SIGKILL");
  }
}

main().catch((e) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
