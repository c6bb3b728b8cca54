// The Slack emulator in a process of its own, for bench/ack.ts: the load
// generator's latency numbers must not include the emulator's work (it stores
// every modal muster opens; the bare app makes it do nothing). Answers the
// parent's questions over IPC.
import { startSlackEmulator } from "../test/emulators/slack.js";

const slack = await startSlackEmulator({ enforceRateLimits: false, acceptMintedIds: true });
slack.faults.latencyMs = Number(process.env.BENCH_SLACK_LATENCY_MS ?? 500);

// "mark" forgets what came before (keeping the emulator's memory flat across
// rows); "report" sums up what came since the mark; "quiet" waits until calls
// stop arriving.
process.on("message", (m: { id: number; ask: "mark" | "report" | "quiet" }) => {
  if (m.ask === "quiet") {
    // Answers once no call has arrived for a second (an app's queued calls have drained).
    let seen = -1;
    const timer = setInterval(() => {
      if (slack.calls.length === seen) {
        clearInterval(timer);
        process.send!({ id: m.id });
      }
      seen = slack.calls.length;
    }, 1_000);
    return;
  }
  if (m.ask === "mark") {
    slack.calls.length = 0;
    slack.responseUrlPosts.length = 0;
    process.send!({ id: m.id });
    return;
  }
  const opens = slack.calls.filter((c) => c.method === "views.open");
  // A minted trigger_id carries the time the command was sent.
  const delays = opens.map((c) => c.at - Number(String(c.args.trigger_id).split(".")[0])).sort((x, y) => x - y);
  const q = (f: number) => delays[Math.min(delays.length - 1, Math.floor(f * delays.length))] ?? 0;
  const refused = new Map<string, number>();
  for (const c of slack.calls)
    if (!c.ok) refused.set(`${c.method}:${c.error}`, (refused.get(`${c.method}:${c.error}`) ?? 0) + 1);
  process.send!({
    id: m.id,
    opens: opens.length,
    refused: Object.fromEntries(refused),
    p50: q(0.5),
    p99: q(0.99),
    max: delays.at(-1) ?? 0,
    // The same for the modals that opened: how long a person waited to see the form.
    openedP99: (() => {
      const ok = opens.filter((c) => c.ok).map((c) => c.at - Number(String(c.args.trigger_id).split(".")[0]));
      ok.sort((x, y) => x - y);
      return ok[Math.min(ok.length - 1, Math.floor(0.99 * ok.length))] ?? 0;
    })(),
    posts: slack.responseUrlPosts.length,
  });
});
process.stdout.write(`URL ${slack.url}\n`);
process.on("disconnect", () => process.exit(0));
