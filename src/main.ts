// Composition root of the bot process: the only place that reads the
// environment and constructs Bolt, Octokit, the Google clients and Prisma.
import { createServer } from "node:http";
import { docs as googleDocs } from "@googleapis/docs";
import { drive as googleDrive } from "@googleapis/drive";
import { App, type Logger as BoltLogger, HTTPReceiver, LogLevel, SocketModeReceiver } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import { JWT, type OAuth2Client } from "google-auth-library";
import type { Logger } from "pino";
import { createGitHubClient } from "./adapters/github/client.js";
import { githubJobHandlers } from "./adapters/github/jobs.js";
import { googleJobHandlers } from "./adapters/google/jobs.js";
import { googleDocReader } from "./adapters/google/read-doc.js";
import { drJobHandlers } from "./adapters/slack/dr-jobs.js";
import { slackJobHandlers } from "./adapters/slack/jobs.js";
import { lastDrillForDuties } from "./backup/drill-record.js";
import { backupJobHandlers, ensureBackupScheduled } from "./backup/schedule.js";
import { type Config, type Env, missingSlackSettings, parseConfig } from "./config.js";
import { createDutyService } from "./dr/service.js";
import type { JobKind } from "./incidents/model.js";
import { createIncidentService } from "./incidents/service.js";
import { describeJob, type GitHubKind, type GoogleKind, jobHandlers, newJob, sameHandlerFor } from "./jobs/kinds.js";
import type { Job } from "./jobs/ports.js";
import { createWorker, type JobHandler, type Worker } from "./jobs/worker.js";
import { createLogger } from "./logger.js";
import { registerListeners } from "./slack/app.js";
import type { DocReader } from "./slack/deps.js";
import { guardSlackRequests, guardSocketMode, SLACK_EVENTS_PATH } from "./slack/request-guard.js";
import { slackViews } from "./slack/views-api.js";
import { redactUrl } from "./store/database-url.js";
import { openStore } from "./store/open-store.js";
import { createPrismaDutyStore } from "./store/prisma-duty-store.js";
import { createPrismaJobStore, createPrismaRefStore } from "./store/prisma-job-store.js";

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

export interface StartOptions {
  logger?: Logger;
  /** A ready Google auth client (tests, or a host with its own credentials). */
  googleAuth?: OAuth2Client;
  /** Outbox tuning, e.g. a short lease for crash tests. */
  worker?: {
    pollMs?: number;
    leaseMs?: number;
    backoff?: { baseMs: number; maxMs: number; maxAttempts: number };
    clock?: () => Date;
  };
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

/** Bolt logs through pino at warn and above only: its debug output can carry payloads. */
function boltLogger(logger: Logger): BoltLogger {
  const l = logger.child({ component: "bolt" });
  let level = LogLevel.WARN;
  return {
    debug: () => {},
    info: () => {},
    warn: (...m: unknown[]) => l.warn(m.map(String).join(" ").slice(0, 300)),
    error: (...m: unknown[]) =>
      l.error(
        m
          .map((x) => (x instanceof Error ? x.name : String(x)))
          .join(" ")
          .slice(0, 300),
      ),
    setLevel: (v) => {
      level = v;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

function googleAuthFor(config: Config, injected?: OAuth2Client): OAuth2Client | null {
  if (injected) return injected;
  const key = config.google.serviceAccountKey;
  if (!key || !config.google.impersonate) return null;
  return new JWT({
    email: key.client_email,
    key: key.private_key,
    subject: config.google.impersonate,
    scopes: ["https://www.googleapis.com/auth/documents", "https://www.googleapis.com/auth/drive"],
  }) as unknown as OAuth2Client;
}

export async function startMuster(config: Config, options: StartOptions = {}): Promise<Muster> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const { store, db, target, migrations } = await openStore(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    preparedStatements: config.databasePreparedStatements,
  });
  logger.info(
    {
      database: target.provider === "sqlite" ? target.file : redactUrl(target.url),
      migrationsApplied: migrations.applied,
    },
    "store ready",
  );
  const jobs = createPrismaJobStore(db, target.provider);
  const refs = createPrismaRefStore(db);
  const policy = {
    roles: config.roles,
    handoffTimeoutMs: config.handoffTimeoutMs,
    company: config.company,
    postmortemReminders: config.postmortemReminders,
  };
  const service = createIncidentService({ store, policy, ...(options.clock ? { clock: options.clock } : {}) });
  const dutyStore = createPrismaDutyStore(db);
  const duties = createDutyService({
    store: dutyStore,
    policy: config.duties,
    lastRestoreDrill: lastDrillForDuties(db),
    ...(options.clock ? { clock: options.clock } : {}),
  });

  // The worker's own Slack client: no in-process retries, rate limits come
  // back as errors so the outbox reschedules with Retry-After.
  const workerSlack = new WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: undefined,
    logger: boltLogger(logger),
  });

  const unconfigured =
    (what: string): JobHandler =>
    async ({ logger: l }) => {
      l.debug(`${what} is not configured; skipped`);
      return [];
    };
  const slackHandlers = slackJobHandlers({
    client: workerSlack,
    store,
    refs,
    roles: config.roles,
    company: config.company,
    incidentChannel: config.slack.incidentChannel,
    escalation: config.escalation,
    handoffTimeoutMs: config.handoffTimeoutMs,
    oncallUsergroup: config.oncallUsergroup,
    postmortemLeads: config.postmortemLeads,
    // A reminder link came due: muster itself records it (or skips it) on the timeline.
    remindPostmortem: async (incidentId, link, ownerTz) => {
      const s = await store.incidentSummary({ id: incidentId });
      if (s) await service.remindPostmortem(MUSTER, { key: s.incident.key, seq: link.seq, plan: link.plan, ownerTz });
    },
    // A nudge was sent: muster itself records it on the timeline, once.
    recordNudge: async (incidentId, nudge, idempotencyKey) => {
      const s = await store.incidentSummary({ id: incidentId });
      if (s) await service.recordNudge(MUSTER, { key: s.incident.key, ...nudge }, { idempotencyKey });
    },
    // A rule of insufficient response holds: muster offers the IC the escalation, once per condition.
    proposeEscalation: async (incidentId, offer, idempotencyKey) => {
      const s = await store.incidentSummary({ id: incidentId });
      if (s) await service.proposeEscalation(MUSTER, { key: s.incident.key, ...offer }, { idempotencyKey });
    },
    autoEscalate: async (incidentId, proposalEventId) => {
      const s = await store.incidentSummary({ id: incidentId });
      if (s)
        await service.autoEscalate(
          MUSTER,
          { key: s.incident.key, proposalEventId },
          { idempotencyKey: `auto-escalate:${incidentId}:${proposalEventId}` },
        );
    },
    quietMs: config.quietDmMs,
    // An end-of-day round came due: muster itself records it; the key makes a second run a replay.
    recordDayEnd: async (incidentId, round, idempotencyKey) => {
      const s = await store.incidentSummary({ id: incidentId });
      if (!s) return false;
      const r = await service.recordDayEnd(MUSTER, { key: s.incident.key, ...round }, { idempotencyKey });
      return r.recorded === true;
    },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  let githubHandlers: Record<GitHubKind, JobHandler>;
  if (config.github.auth) {
    const client = createGitHubClient({
      baseUrl: config.github.apiUrl,
      auth: config.github.auth,
      logger,
      writeSpacingMs: config.github.writeSpacingMs,
    });
    githubHandlers = githubJobHandlers({
      client,
      store,
      refs,
      jobs,
      repo: config.github.repo,
      confidentialRepo: config.github.confidentialRepo,
      issueSeverities: config.github.issueSeverities,
      company: config.company,
      followUpIssues: config.github.followUpIssues,
      channelUrl: (id) => `https://slack.com/app_redirect?channel=${id}`,
      logger,
      // A follow-up issue closed on GitHub: recorded as done, on the timeline, by muster itself.
      markFollowUpDone: async (incidentId, followUpId) => {
        const s = await store.incidentSummary({ id: incidentId });
        if (s) await service.completeFollowUp(MUSTER, { key: s.incident.key, followUpId, source: "github" });
      },
    });
  } else {
    logger.warn("GitHub is not configured (GITHUB_TOKEN or GITHUB_APP_*): incidents get no tracking issue");
    githubHandlers = sameHandlerFor("github", unconfigured("GitHub"));
  }
  const googleAuth = googleAuthFor(config, options.googleAuth);
  let docReader: DocReader | null = null;
  let googleHandlers: Record<GoogleKind, JobHandler>;
  if (googleAuth) {
    const rootUrl = config.google.apiUrl;
    const docsClient = googleDocs({ version: "v1", auth: googleAuth, rootUrl, retry: false });
    docReader = googleDocReader(docsClient);
    googleHandlers = googleJobHandlers({
      docs: docsClient,
      drive: googleDrive({ version: "v3", auth: googleAuth, rootUrl, retry: false }),
      store,
      refs,
      slack: workerSlack,
      templateId: config.google.docTemplateId,
      postmortemTemplateId: config.google.postmortemTemplateId,
      folderId: config.google.folderId,
      company: config.company,
      channelUrl: (id) => `https://slack.com/app_redirect?channel=${id}`,
    });
  } else {
    logger.warn(
      "Google is not configured (GOOGLE_SERVICE_ACCOUNT_KEY + GOOGLE_IMPERSONATE_USER): incidents get no doc",
    );
    googleHandlers = {
      ...sameHandlerFor("google", unconfigured("Google")),
      // No doc to link, but the channel and the owner are still told what is owed.
      ...jobHandlers({
        "google.create_postmortem_doc": async ({ job, payload }) =>
          job.incidentId && payload.owed
            ? [newJob(job.incidentId, "slack.postmortem_owed", { owed: payload.owed })]
            : [],
      }),
    };
  }
  const backupSchedule =
    config.backup.every && config.backup.dir
      ? { dir: config.backup.dir, every: config.backup.every, keep: config.backup.keep }
      : null;
  const backupHandlers = backupJobHandlers({
    db,
    target,
    schedule: backupSchedule,
    pgDump: config.backup.pgDump,
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  // Every kind has its handler, or this does not compile.
  const drHandlers = drJobHandlers({
    client: workerSlack,
    duties,
    dutyStore,
    store,
    refs,
    drChannel: config.slack.drChannel,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const handlers: Record<JobKind, JobHandler> = {
    ...slackHandlers,
    ...githubHandlers,
    ...googleHandlers,
    ...drHandlers,
    ...backupHandlers,
  };

  const worker = createWorker({
    jobs,
    handlers,
    logger,
    concurrency: config.workerConcurrency,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.worker ?? {}),
    onDead: (job: Job) =>
      job.incidentId && job.kind !== "slack.job_failed"
        ? [newJob(job.incidentId, "slack.job_failed", { jobId: job.id, what: describeJob(job.kind) })]
        : [],
  });
  // One process owns an SQLite file, so every running job there belongs to a dead process.
  if (target.provider === "sqlite") {
    const released = await jobs.releaseAll();
    if (released) logger.warn({ released }, "resumed jobs left running by a previous process");
  }

  // Every yearly duty has a running reminder chain (a first start, a changed owner or due date).
  const planned = await duties.plan();
  if (planned) logger.info({ planned }, "yearly duty reminders planned");
  if (backupSchedule) {
    const next = await ensureBackupScheduled(
      db,
      (j, at) => jobs.enqueue(j, at),
      backupSchedule,
      (options.clock ?? (() => new Date()))(),
    );
    logger.info({ dir: backupSchedule.dir, every: backupSchedule.every, next }, "scheduled backups on");
  }

  const deps = {
    service,
    duties,
    store,
    refs,
    jobs,
    wake: () => worker.wake(),
    admins: config.admins,
    roles: config.roles,
    logger,
    views: slackViews({ apiUrl: config.slack.apiUrl, token: config.slack.botToken }),
    docs: docReader,
    clock: options.clock ?? (() => new Date()),
  };
  // Bolt's client in the listeners (modals open through deps.views instead):
  // its calls answer a person who is waiting, so they are never queued behind
  // the Web client's default 100 in flight, and none hangs forever.
  const clientOptions = {
    slackApiUrl: config.slack.apiUrl,
    retryConfig: { retries: 2, minTimeout: 200, maxTimeout: 1000 },
    maxRequestConcurrency: 1_000,
    timeout: 10_000,
  };
  const common = {
    token: config.slack.botToken,
    clientOptions,
    // muster keeps no per-conversation state in Bolt; skip its store on every request.
    convoStore: false as const,
    logger: boltLogger(logger),
  };
  let app: App;
  let receiver: HTTPReceiver | null = null;
  if (config.slack.appToken) {
    const socket = new SocketModeReceiver({
      appToken: config.slack.appToken,
      logger: boltLogger(logger),
      // The Socket Mode client opens its connection through the same API
      // (apps.connections.open), so it must use the same SLACK_API_URL.
      installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl } },
    });
    guardSocketMode(socket.client, logger);
    app = new App({ ...common, receiver: socket });
  } else {
    receiver = new HTTPReceiver({
      signingSecret: config.slack.signingSecret!,
      // The guard in front (slack/request-guard.ts) has verified the signature
      // and the timestamp of every request that reaches this receiver; checking
      // again would only spend a second HMAC per request.
      signatureVerification: false,
      logger: boltLogger(logger),
      // A listener that failed past its own error handling: a clean 400 with
      // no detail, never Bolt's 500 (which Slack retries) or a stack.
      processEventErrorHandler: async ({ error, response }) => {
        const err = error as { name?: string; code?: string };
        logger.error({ errName: err.name, errCode: err.code }, "a Slack request failed inside Bolt");
        if (!response.headersSent) response.writeHead(400).end();
        return false;
      },
    });
    app = new App({ ...common, receiver });
  }
  const listeners = registerListeners(app, deps);
  // muster owns the HTTP server (Bolt's receiver only handles the requests):
  // Slack's requests pass the guard first, and the same port serves /healthz
  // in either mode.
  const slackRequests = receiver
    ? guardSlackRequests(receiver.requestListener, { signingSecret: config.slack.signingSecret!, logger })
    : null;
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    } else if (slackRequests && path === SLACK_EVENTS_PATH && req.method === "POST") {
      slackRequests(req, res);
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  if (config.slack.appToken) await app.start();
  if (options.runWorker ?? true) worker.start();
  logger.info({ port, mode: config.slack.appToken ? "socket" : "http", worker: worker.id }, "muster listening");

  return {
    port,
    worker,
    drained: (timeoutMs) => listeners.drained(timeoutMs),
    async stop() {
      if (config.slack.appToken) await app.stop().catch(() => undefined);
      // No new requests; those in flight finish, then idle keep-alive sockets go.
      const closed = new Promise((r) => server.close(r));
      await listeners.drained(10_000);
      server.closeAllConnections();
      await closed;
      await worker.stop();
      await deps.views.close();
      await store.close();
    },
  };
}

/** The timeline's actor for what muster learns by itself (a follow-up issue closed on GitHub). */
const MUSTER = { userId: "muster", isAdmin: true };

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
  // A request must never end the process. A rejection nobody handled is a
  // bug to fix, not a reason to drop every other incident on the floor: log
  // it by class and code (never its message: it may quote incident text).
  process.on("unhandledRejection", (e) => {
    const err = e as { name?: string; code?: string };
    logger.error({ errName: err?.name, errCode: err?.code }, "unhandled rejection (muster keeps running)");
  });
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    process.stderr.write(`muster failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
