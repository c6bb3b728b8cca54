// CI's short run of the reliability suite (test/reliability/): the same
// harness as `npm run test:reliability` with small numbers, so it fits in the
// test budget: real muster processes behind the round-robin proxy, a few
// incidents declared at once and a few status updates a second, with a
// process SIGKILLed, a fifth of Slack, GitHub and Google calls failing,
// bursts of rate limits, and (on SQLite) its disk filled. PostgreSQL is never
// stopped here: other tests share it. The full run's README section says how
// to run it.
import { describe, expect, it } from "vitest";
import { available, type Provider } from "../helpers/stores.js";
import { runReliability } from "../reliability/suite.js";

describe.each([
  ["sqlite", 1],
  ["postgresql", 2],
] as [Provider, number][])("reliability, short run on %s with %i process(es)", (provider, processes) => {
  it.runIf(available(provider))(
    "every acknowledged declaration and update is stored once, and every incident ends complete",
    async () => {
      const report = await runReliability({
        provider,
        processes,
        incidents: 6,
        // Two freshly started processes on two shared cores: one at a time, not all at once as in the full run.
        declareSpreadMs: 400,
        updatesPerSecond: 3,
        loadSeconds: 14,
        chaos: {
          killEveryMs: 9_000,
          failureRate: 0.15,
          lostReplyRate: 0.05,
          rateLimitBursts: { everyMs: 5_000, forMs: 1_500, retryAfterSeconds: 1 },
          stopPostgres: null,
          fillDisk: { atMs: 4_000, forMs: 3_000 },
        },
        settleMs: 45_000,
      });
      console.log(report.text);
      expect(report.checks.filter((c) => !c.ok).map((c) => `${c.what}: ${c.detail}`)).toEqual([]);
    },
    150_000,
  );
});
