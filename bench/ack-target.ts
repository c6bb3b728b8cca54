// A target for bench/ack.ts, run as a child process: either muster itself
// or a bare Bolt app that only acknowledges /incident. Prints its port.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, LogLevel } from "@slack/bolt";
import pino from "pino";
import { parseConfig } from "../src/config.js";
import { startMuster } from "../src/main.js";

const which = process.argv[2];
const slackUrl = process.env.BENCH_SLACK_URL!;
const secret = process.env.BENCH_SIGNING_SECRET!;

async function main() {
  if (which === "bare") {
    const app = new App({
      token: "xoxb-test",
      signingSecret: secret,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: slackUrl },
    });
    app.command("/incident", async ({ ack }) => {
      await ack();
    });
    const server = (await app.start(0)) as unknown as { address(): { port: number } };
    process.stdout.write(`PORT ${server.address().port}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "muster-bench-ack-"));
  const parsed = parseConfig({
    DATABASE_URL: `file:${join(dir, "muster.db")}`,
    PORT: "0",
    SLACK_BOT_TOKEN: "xoxb-test",
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slackUrl,
    LOG_LEVEL: "silent",
  });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  const muster = await startMuster(parsed.config, { logger: pino({ level: "silent" }) });
  process.stdout.write(`PORT ${muster.port}\n`);
}

main().catch((e) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
// The parent kills us when it is done; never outlive it.
process.on("disconnect", () => process.exit(0));
setInterval(() => {
  if (process.ppid === 1) process.exit(0);
}, 1000).unref();
process.on("SIGTERM", () => process.exit(0));
