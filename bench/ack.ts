// npm run bench:ack — muster against a bare Bolt app that only acknowledges,
// same signed slash commands, same concurrency, one run. The Slack emulator
// answers every Web API call and response_url after 500 ms, so any work done
// before the acknowledgement would show.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { startSlackEmulator } from "../test/emulators/slack.js";
import { signSlackRequest } from "../test/helpers/slack-client.js";

const SECRET = "bench-signing-secret";
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 100);

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

async function load(port: number, responseUrl: () => string, overallRate?: number) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/slack/events`,
    connections: CONNECTIONS,
    duration: DURATION,
    ...(overallRate ? { overallRate } : {}),
    requests: [
      {
        method: "POST",
        setupRequest: (req) => {
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
            text: process.env.BENCH_TEXT ?? "list",
            api_app_id: "A0BENCH",
            response_url: responseUrl(),
            trigger_id: `${Date.now()}.${randomBytes(6).toString("hex")}`,
          }).toString();
          return {
            ...req,
            body,
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              "x-slack-request-timestamp": String(ts),
              "x-slack-signature": signSlackRequest(SECRET, ts, body),
            },
          };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    over3s: result.latency.max > 3000 ? "some" : 0,
    errors: result.errors + result.timeouts + result.non2xx,
    total: result.requests.total,
  };
}

async function main() {
  const slack = await startSlackEmulator({ enforceRateLimits: false });
  slack.faults.latencyMs = 500;
  const targets: ChildProcess[] = [];
  try {
    const bare = await startTarget("bare", slack.url);
    targets.push(bare.child);
    const muster = await startTarget("muster", slack.url);
    targets.push(muster.child);
    const url = () => slack.newResponseUrl("UALICE", "C0BENCH");
    process.stdout.write(`${CONNECTIONS} connections × ${DURATION} s each; Slack emulator latency 500 ms\n`);
    type Result = Awaited<ReturnType<typeof load>>;
    const row = (name: string, r: Result) =>
      `${name.padEnd(8)} ${r.rps.toFixed(0).padStart(8)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${String(r.max).padStart(7)} ${String(r.errors).padStart(7)} ${String(r.total).padStart(8)}`;
    const header = `${"".padEnd(8)} ${"req/s".padStart(8)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"max ms".padStart(7)} ${"errors".padStart(7)} ${"total".padStart(8)}\n`;
    let ok = true;
    // Closed loop: as fast as each target answers. Paced: the same fixed
    // offered rate for both (far above any workspace's slash-command rate).
    for (const rate of [undefined, RATE]) {
      const b = await load(bare.port, url, rate);
      const m = await load(muster.port, url, rate);
      const name = rate ? `paced at ${rate} req/s` : "closed loop (max throughput)";
      process.stdout.write(`\n${name}\n${header}${row("bare", b)}\n${row("muster", m)}\n`);
      const p99Ratio = m.p99 / Math.max(1, b.p99);
      const rpsRatio = m.rps / b.rps;
      const slow = m.max > 3000 ? `YES (max ${m.max} ms)` : "0";
      process.stdout.write(
        `muster/bare: p99 ${p99Ratio.toFixed(2)}× (target ≤ 2), throughput ${rpsRatio.toFixed(2)}× (target ≥ 0.5); slower than 3 s: ${slow}\n`,
      );
      const pass = p99Ratio <= 2 && rpsRatio >= 0.5 && m.max <= 3000 && m.errors === 0;
      process.stdout.write(`${pass ? "meets" : "MISSES"} the targets\n`);
      ok &&= rate ? pass : m.max <= 3000 && m.errors === 0;
    }
    process.stdout.write(`response_url posts received: ${slack.responseUrlPosts.length}\n${ok ? "PASS" : "FAIL"}\n`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    for (const t of targets) t.kill("SIGKILL");
    await slack.close();
  }
}

main().catch((e) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
