// The bot process: reads the environment, builds muster (compose.ts), serves
// Slack and the web routes on one port and handles signals. Nothing else.
import type { Logger } from "pino";
import { composeWorker, openCore, prepareSchedules, type WorkerCompositionOptions } from "./compose.js";
import { type Config, type Env, missingSlackSettings, parseConfig } from "./config.js";
import { eventLoopPace, type Pace } from "./jobs/pace.js";
import type { Worker } from "./jobs/worker.js";
import { createLogger } from "./logger.js";
import { createSlackFrontEnd } from "./slack/server.js";
import { createMetrics, type Metrics } from "./web/metrics.js";
import { registerWebModules } from "./web/modules.js";
import { createRouteTable, createWebServer, listen } from "./web/server.js";

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

export interface StartOptions extends WorkerCompositionOptions {
  logger?: Logger;
  /** The process's clock: commands, reminders and the worker (unless `worker.clock` says otherwise). */
  clock?: () => Date;
  /** Run the worker in this process (default true). */
  runWorker?: boolean;
}

export interface Muster {
  port: number;
  worker: Worker;
  /** Waits until no Slack request is still being worked on after its acknowledgement. */
  drained(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** Builds everything (compose.ts), serves Slack and the web routes on one port, starts the worker. */
export async function startMuster(config: Config, options: StartOptions = {}): Promise<Muster> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const core = await openCore(config, { logger, ...(options.clock ? { clock: options.clock } : {}) });
  // The worker reports to the metrics, and the metrics read the worker's state: tie the knot through `ref`.
  const ref: { metrics?: Metrics } = {};
  // The worker yields to requests (jobs/pace.ts): the server tells it when they arrive.
  const pace = options.worker?.pace ?? eventLoopPace();
  const { worker, docReader } = await composeWorker(core, {
    ...(options.googleAuth ? { googleAuth: options.googleAuth } : {}),
    worker: { ...options.worker, pace },
    observe: {
      completed: (job) => ref.metrics?.jobCompleted(job),
      failed: (job, e, dead) => ref.metrics?.jobFailed(job, e, dead),
    },
  });
  const metrics = createMetrics({ ops: core.ops, worker: () => worker.state(), clock: core.clock });
  ref.metrics = metrics;
  await prepareSchedules(core);

  const routes = createRouteTable();
  const wake = () => worker.wake();
  const slack = createSlackFrontEnd({
    core,
    routes,
    wake,
    docReader,
    observeAck: (kind, seconds) => {
      // Socket Mode's requests do not come through the HTTP server; and how long answers take is a measure of load.
      pace.answered(seconds * 1000);
      metrics.acknowledged(kind, seconds);
    },
  });
  registerWebModules(routes, { core, worker, metrics, wake });
  const server = createWebServer({ routes, logger, observe: (r) => metrics.request(r) });
  server.on("request", () => pace.request());
  const port = await listen(server, config.port);
  await slack.start();
  if (options.runWorker ?? true) worker.start();
  // A backlog of unmeasured incidents (a first start on a long history, a restore) is measured
  // here, off the request path: page views measure only a thousand or so changes themselves.
  // Not while people are waiting: a replica restarted mid-incident (a deploy, a crash) would
  // measure the whole backlog just as every request moves to it.
  let stopping = false;
  void whenQuiet(pace, () => stopping)
    .then(() => (stopping ? 0 : core.insights.refresh()))
    .then(
      (measured) => {
        if (measured) logger.info({ measured }, "insights: incidents measured at start-up");
      },
      (e: unknown) => logger.warn({ errName: (e as Error)?.name }, "insights: the start-up measurement failed"),
    );
  logger.info({ port, mode: slack.mode, worker: worker.id }, "muster listening");

  return {
    port,
    worker,
    drained: (timeoutMs) => slack.drained(timeoutMs),
    async stop() {
      stopping = true;
      await slack.disconnect();
      // No new requests; those in flight finish, then idle keep-alive sockets go.
      const closed = new Promise((r) => server.close(r));
      await slack.drained(10_000);
      server.closeAllConnections();
      await closed;
      await worker.stop();
      await slack.close();
      await core.close();
    },
  };
}

async function main(): Promise<void> {
  const { config, message } = startupProblems(process.env);
  if (!config) {
    process.stderr.write(`${message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  const muster = await startMuster(config, { logger });
  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    void muster.stop().finally(() => process.exit(0));
  };
  keepRunningOnUnhandledRejections(logger);
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

/** Resolves once no request has come for a while (checked every second, for at most ten minutes). */
async function whenQuiet(pace: Pace, stopped: () => boolean, limitMs = 10 * 60_000): Promise<void> {
  const until = Date.now() + limitMs;
  do await new Promise((r) => setTimeout(r, 1_000).unref());
  while (!pace.quiet() && !stopped() && Date.now() < until);
}

/**
 * A request must never end the process. A rejection nobody handled is a bug
 * to fix, not a reason to drop every other incident on the floor: log it by
 * class and code (never its message: it may quote incident text). The
 * reliability suite's processes install the same, so they behave as this one.
 */
export function keepRunningOnUnhandledRejections(logger: Logger): void {
  process.on("unhandledRejection", (e) => {
    const err = e as { name?: string; code?: string };
    logger.error({ errName: err?.name, errCode: err?.code }, "unhandled rejection (muster keeps running)");
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    process.stderr.write(`muster failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
