// npm run bench:declare — from the declare submission to "channel,
// announcement, issue, doc (filled and shared) and bookmarks all exist",
// with the emulators answering after realistic delays (Slack 100 ms, GitHub
// 300 ms, Google 500 ms). Compared with the sum of the calls made and with
// the unavoidable critical path when independent calls run in parallel.

import { DEFAULT_BACKOFF } from "../src/jobs/backoff.js";
import { missing } from "../test/helpers/complete.js";
import { type Stack, startStack } from "../test/helpers/stack.js";
import { recordFigure, verdictOf } from "./report.js";

const SLACK_MS = 100;
const GITHUB_MS = 300;
const GOOGLE_MS = 500;
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 10);
const BURST = Number(process.env.BENCH_BURST ?? 50);

/**
 * The longest chain of calls that must follow one another: the doc is copied
 * from the template (Google), then filled (Google). Everything else (channel,
 * announcement, issue, sharing, bookmarks) can run beside it.
 */
const CRITICAL_PATH_MS = GOOGLE_MS + GOOGLE_MS;

const complete = (stack: Stack, n: number) => missing(stack, n) === null;

async function until(fn: () => boolean, timeoutMs: number, everyMs = 5): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fn()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}

async function declare(stack: Stack, title: string, user = "UALICE") {
  const announce = stack.slack.channelByName("incident-response")!;
  await stack.client.command({ userId: user, channelId: announce.id, text: `declare ${title}` });
  const started = performance.now();
  await stack.client.submitView({
    userId: user,
    callbackId: "incident_declare",
    values: { title, summary: "bench", impacts: { options: ["outage"] }, commanderId: { user } },
  });
  return started;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function main() {
  const stack = await startStack({
    docTemplate: true,
    // Production's worker: its poll interval and its backoff (rate limits and
    // quotas are answered with waits, not with dead jobs).
    worker: { pollMs: 1000, backoff: DEFAULT_BACKOFF },
    env: { GITHUB_WRITE_SPACING_MS: "1000" },
  });
  stack.slack.faults.latencyMs = SLACK_MS;
  stack.github.faults.latencyMs = GITHUB_MS;
  stack.google.faults.latencyMs = GOOGLE_MS;
  try {
    const times: number[] = [];
    const sums: number[] = [];
    for (let n = 1; n <= SEQUENTIAL; n++) {
      const callsBefore = [stack.slack.calls.length, stack.github.requests.length, stack.google.requests.length];
      const started = await declare(stack, `Bench incident ${n}`);
      if (!(await until(() => complete(stack, n), 30_000))) throw new Error(`INC-${n} did not complete`);
      times.push(performance.now() - started);
      await stack.settle(60_000);
      sums.push(
        (stack.slack.calls.length - callsBefore[0]!) * SLACK_MS +
          (stack.github.requests.length - callsBefore[1]!) * GITHUB_MS +
          (stack.google.requests.length - callsBefore[2]!) * GOOGLE_MS,
      );
    }
    const med = median(times);
    process.stdout.write(`Emulator delays: Slack ${SLACK_MS} ms, GitHub ${GITHUB_MS} ms, Google ${GOOGLE_MS} ms\n`);
    process.stdout.write(
      `${SEQUENTIAL} declarations, one at a time, submission → channel+announcement+issue+doc+bookmarks:\n`,
    );
    process.stdout.write(
      `  median ${med.toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms\n`,
    );
    process.stdout.write(
      `  sum of every call's delay (all calls for one incident, in series): median ${median(sums)} ms\n`,
    );
    process.stdout.write(`  critical path (copy template → fill doc; the rest in parallel): ${CRITICAL_PATH_MS} ms\n`);
    const ratio = med / CRITICAL_PATH_MS;
    process.stdout.write(
      `  median / critical path = ${ratio.toFixed(2)} (target ≤ 1.3); median / sum = ${(med / median(sums)).toFixed(2)}\n`,
    );

    const first = SEQUENTIAL + 1;
    const burstStart = performance.now();
    // Fifty people at once, each with their own declare form (one person
    // cannot have fifty forms open: Slack would show them one at a time).
    const people = Array.from({ length: BURST }, (_, k) => `UBURST${k + 1}`);
    for (const [k, id] of people.entries())
      stack.slack.users.set(id, { id, name: `responder${k + 1}`, email: `responder${k + 1}@example.com`, tz: "UTC" });
    await Promise.all(people.map((id, k) => declare(stack, `Burst incident ${k + 1}`, id)));
    // When each burst incident was complete, from the moment the burst began.
    const doneAt = new Map<number, number>();
    const all = await until(
      () => {
        for (let n = first; n < first + BURST; n++)
          if (!doneAt.has(n) && complete(stack, n)) doneAt.set(n, performance.now() - burstStart);
        return doneAt.size === BURST;
      },
      15 * 60_000,
      250,
    );
    if (!all) {
      const lacking = [];
      for (let n = first; n < first + BURST; n++) {
        const what = missing(stack, n);
        if (what) lacking.push(`INC-${n}: ${what}`);
      }
      process.stdout.write(`  incomplete: ${lacking.slice(0, 10).join("; ")}\n`);
    }
    await stack.settle(15 * 60_000);
    const burstMs = performance.now() - burstStart;
    const { createPrismaJobStore } = await import("../src/store/prisma-job-store.js");
    const { openStore } = await import("../src/store/open-store.js");
    const opened = await openStore(stack.databaseUrl);
    const jobs = createPrismaJobStore(opened.db, "sqlite");
    const dead = await jobs.list({ status: ["dead"] });
    const pending = await jobs.list({ status: ["pending", "running"] });
    await opened.store.close();
    const throttled = {
      slack: stack.slack.calls.filter((c) => c.status === 429).length,
      github: stack.github.requests.filter((r) => r.status === 403 || r.status === 429).length,
      google: stack.google.requests.filter((r) => r.status === 429 || r.status === 403).length,
    };
    process.stdout.write(
      `${BURST} declarations at once: all complete ${all ? "yes" : "NO"} in ${(burstMs / 1000).toFixed(1)} s; failed (dead) jobs: ${dead.length}; still pending: ${pending.length}; rate-limited answers honoured: Slack ${throttled.slack}, GitHub ${throttled.github}, Google ${throttled.google}\n`,
    );
    const spread = [...doneAt.values()].sort((a, b) => a - b);
    const at = (f: number) =>
      ((spread[Math.min(spread.length - 1, Math.floor(f * spread.length))] ?? 0) / 1000).toFixed(1);
    process.stdout.write(
      `  complete after: first ${at(0)} s, median ${at(0.5)} s, 90th percentile ${at(0.9)} s, last ${at(1)} s (paced by Slack's conversations.create tier, Docs' 60 writes a minute, GitHub's content-creation limit)\n`,
    );
    const ok = ratio <= 1.3 && all && dead.length === 0;
    recordFigure({
      bench: "declare",
      figure: "declare → complete, median / critical path",
      value: `${ratio.toFixed(2)}`,
      target: "≤ 1.3",
      verdict: verdictOf(ratio <= 1.3),
    });
    recordFigure({
      bench: "declare",
      figure: `${BURST} declared at once: complete, none dead`,
      value: `${all ? "all" : "NOT all"} complete, ${dead.length} dead, last at ${at(1)} s`,
      target: "all, 0 dead",
      verdict: verdictOf(all && dead.length === 0),
    });
    process.stdout.write(`${ok ? "PASS" : "FAIL"}\n`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
