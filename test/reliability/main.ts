// npm run test:reliability — the full reliability suite (issue 15): 200
// incidents declared at once, 50 status updates a second for 2 minutes, with
// muster processes SIGKILLed every 20 s, 20% of Slack, GitHub and Google calls
// failing (a quarter of those after the change, the answer lost), bursts of
// rate limits, PostgreSQL stopped for 10 s and SQLite's disk filled; on
// SQLite with one process, then on PostgreSQL with two. Prints what was
// injected and what was verified; exits 1 if a check failed.
//
// Smaller runs for development: RELIABILITY_INCIDENTS, RELIABILITY_RATE
// (updates a second), RELIABILITY_SECONDS, RELIABILITY_DATABASES
// (sqlite,postgresql), RELIABILITY_LOG (muster's log level),
// RELIABILITY_STOP_POSTGRES=0 (leave PostgreSQL running).
import { type RunOptions, runReliability } from "./suite.js";

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const seconds = num("RELIABILITY_SECONDS", 120);
const databases = (process.env.RELIABILITY_DATABASES ?? "sqlite,postgresql").split(",") as RunOptions["provider"][];

let failed = false;
for (const provider of databases) {
  const report = await runReliability({
    provider,
    processes: provider === "sqlite" ? 1 : 2,
    // As production runs it (`npm run test:reliability` builds first).
    compiled: true,
    incidents: num("RELIABILITY_INCIDENTS", 200),
    updatesPerSecond: num("RELIABILITY_RATE", 50),
    loadSeconds: seconds,
    chaos: {
      killEveryMs: 20_000,
      failureRate: 0.15,
      lostReplyRate: 0.05,
      rateLimitBursts: { everyMs: 15_000, forMs: 3_000, retryAfterSeconds: 1 },
      stopPostgres:
        process.env.RELIABILITY_STOP_POSTGRES === "0"
          ? null
          : { atMs: Math.min(40_000, (seconds * 1000) / 3), forMs: 10_000 },
      fillDisk: { atMs: Math.min(60_000, (seconds * 1000) / 2), forMs: 10_000 },
    },
    settleMs: 10 * 60_000,
    ...(process.env.RELIABILITY_LOG ? { logLevel: process.env.RELIABILITY_LOG } : {}),
    progress: (line) => process.stdout.write(`  … ${line}\n`),
  });
  process.stdout.write(`\n${report.text}\n\n`);
  if (!report.ok) failed = true;
}
process.exit(failed ? 1 : 0);
