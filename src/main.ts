// Composition root of the bot process: the only place that reads the
// environment and constructs the database client (and, as they arrive, the
// Slack, GitHub and Google clients).
import { createServer } from "node:http";
import { type Config, type Env, missingSlackSettings, parseConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { redactUrl } from "./store/database-url.js";
import { openStore } from "./store/open-store.js";

export function startupProblems(env: Env): { config?: Config; message?: string } {
  const parsed = parseConfig(env);
  if (!parsed.ok) {
    return { message: `muster can't start; fix these settings:\n${parsed.problems.map((p) => `  - ${p}`).join("\n")}` };
  }
  const missing = missingSlackSettings(parsed.config);
  if (missing.length) {
    return {
      message: [
        `muster can't start: ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set.`,
        "Create the Slack app from manifest.yml (https://api.slack.com/apps → Create New App → From a manifest),",
        "install it to your workspace, then set:",
        "  SLACK_BOT_TOKEN       OAuth & Permissions → Bot User OAuth Token (xoxb-…)",
        "  SLACK_SIGNING_SECRET  Basic Information → App Credentials → Signing Secret",
        "  (or SLACK_APP_TOKEN, an app-level token xapp-… with connections:write, for Socket Mode)",
        "See README.md → “Set up the Slack app”.",
      ].join("\n"),
    };
  }
  return { config: parsed.config };
}

async function main(): Promise<void> {
  const { config, message } = startupProblems(process.env);
  if (!config) {
    process.stderr.write(`${message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  const { store, target, migrations } = await openStore(config.databaseUrl, { poolSize: config.databasePoolSize });
  logger.info(
    {
      database: target.provider === "sqlite" ? target.file : redactUrl(target.url),
      migrationsApplied: migrations.applied,
    },
    "store ready",
  );

  // Health endpoint for load balancers and orchestrators.
  const server = createServer((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return;
    }
    res.writeHead(404).end();
  });
  server.listen(config.port, () => logger.info({ port: config.port }, "muster listening"));

  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    server.close();
    void store.close().finally(() => process.exit(0));
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    process.stderr.write(`muster failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
