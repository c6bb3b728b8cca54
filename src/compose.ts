// The composition root: config → store, service, duties, the outbox worker
// and its handlers. The bot process (main.ts) and the `muster` command
// (cli/main.ts) both build from here, so they share one incident policy and
// one way of opening the database; this is the only place that constructs
// Octokit, the Google clients, the worker's Slack client and Prisma. The
// adapters are imported when the worker is composed, not at load: the command
// line opens the core only, and loading Bolt, Octokit and googleapis took it
// seconds before it did anything.
import type { OAuth2Client } from "google-auth-library";
import type { Logger } from "pino";
import { lastDrillForDuties } from "./backup/drill-record.js";
import type { Config } from "./config.js";
import type { DutyStore } from "./dr/ports.js";
import { createDutyService, type DutyService } from "./dr/service.js";
import type { JobKind } from "./incidents/model.js";
import type { IncidentStore } from "./incidents/ports.js";
import { createIncidentService, type IncidentService } from "./incidents/service.js";
import type { InsightsStore } from "./insights/report.js";
import type { IntakeStore } from "./intake/ports.js";
import { createIntakeService, type IntakeService } from "./intake/service.js";
import { describeJob, type GitHubKind, type GoogleKind, jobHandlers, newJob, sameHandlerFor } from "./jobs/kinds.js";
import type { Job, JobStore, RefStore } from "./jobs/ports.js";
import { createWorker, type JobHandler, type Worker, type WorkerOptions } from "./jobs/worker.js";
import type { DocReader } from "./slack/deps.js";
import { type DatabaseTarget, redactUrl } from "./store/database-url.js";
import type { Db } from "./store/db.js";
import { createInsightsStore } from "./store/insights-store.js";
import type { MigrationReport } from "./store/migrate.js";
import { openStore } from "./store/open-store.js";
import { createOpsStore, type OpsStore } from "./store/ops-store.js";
import { createPrismaDutyStore } from "./store/prisma-duty-store.js";
import { createPrismaIntakeStore } from "./store/prisma-intake-store.js";
import { createPrismaJobStore, createPrismaRefStore } from "./store/prisma-job-store.js";
import { createPublicStore, type PublicStore } from "./store/public-store.js";

/** The incident policy: what the service enforces, the same for Slack and the command line. */
export function incidentPolicy(config: Config) {
  return {
    roles: config.roles,
    handoffTimeoutMs: config.handoffTimeoutMs,
    company: config.company,
    postmortemReminders: config.postmortemReminders,
    statusPage: { components: config.statusPage.components },
    announcementChannel: config.slack.incidentChannel,
  };
}

/** Everything that needs only the database: what the CLI uses, and what the bot builds on. */
export interface Core {
  config: Config;
  logger: Logger;
  store: IncidentStore;
  jobs: JobStore;
  refs: RefStore;
  dutyStore: DutyStore;
  /** Reports from outside Slack (the outage form, alerts) and their triage messages' bookkeeping. */
  intake: IntakeService;
  intakeStore: IntakeStore;
  /** Readiness and gauges (/readyz, /metrics). */
  ops: OpsStore;
  /** Metrics per incident and their aggregates (muster report, /insights). */
  insights: InsightsStore;
  /** The public status page's reads: allow-listed fields of published incidents only. */
  publicStore: PublicStore;
  service: IncidentService;
  duties: DutyService;
  clock: () => Date;
  /** For the backup and restore-drill tools, which work on the database as a whole. */
  db: Db;
  target: DatabaseTarget;
  migrations: MigrationReport;
  close(): Promise<void>;
}

export interface CoreOptions {
  logger: Logger;
  clock?: () => Date;
  /** PostgreSQL connections (default DATABASE_POOL_SIZE). */
  poolSize?: number;
}

/** Opens the database (applying pending migrations) and builds the services on it. */
export async function openCore(config: Config, o: CoreOptions): Promise<Core> {
  const { logger } = o;
  const { store, db, target, migrations } = await openStore(config.databaseUrl, {
    poolSize: o.poolSize ?? config.databasePoolSize,
    preparedStatements: config.databasePreparedStatements,
  });
  logger.info(
    {
      database: target.provider === "sqlite" ? target.file : redactUrl(target.url),
      migrationsApplied: migrations.applied,
    },
    "store ready",
  );
  const clockOption = o.clock ? { clock: o.clock } : {};
  const dutyStore = createPrismaDutyStore(db);
  const service = createIncidentService({ store, policy: incidentPolicy(config), ...clockOption });
  const intakeStore = createPrismaIntakeStore(db);
  const intake = createIntakeService({
    store: intakeStore,
    policy: config.intake,
    // An alert a configured rule names is declared through the normal service, as muster, with the rule's IC.
    declare: (draft, idempotencyKey) =>
      service.declare(
        MUSTER,
        {
          title: draft.title,
          summary: draft.summary,
          ...(draft.severity ? { severity: draft.severity } : {}),
          components: draft.components,
          reportSource: draft.reportSource,
          reportedBy: draft.reportedBy,
          commanderId: draft.commanderId,
          private: draft.private,
        },
        { idempotencyKey },
      ),
    ...clockOption,
  });
  return {
    config,
    logger,
    store,
    jobs: createPrismaJobStore(db, target.provider),
    refs: createPrismaRefStore(db),
    dutyStore,
    ops: createOpsStore(db, target.provider),
    publicStore: createPublicStore(db),
    insights: createInsightsStore(db, {
      provider: target.provider,
      policy: { postmortem: config.company.postmortem, deadlineDays: config.postmortemReminders.deadlineDays },
    }),
    service,
    intake,
    intakeStore,
    duties: createDutyService({
      store: dutyStore,
      policy: config.duties,
      lastRestoreDrill: lastDrillForDuties(db),
      ...clockOption,
    }),
    clock: o.clock ?? (() => new Date()),
    db,
    target,
    migrations,
    close: () => store.close(),
  };
}

async function googleAuthFor(config: Config, injected?: OAuth2Client): Promise<OAuth2Client | null> {
  if (injected) return injected;
  const key = config.google.serviceAccountKey;
  if (!key || !config.google.impersonate) return null;
  const { JWT } = await import("google-auth-library");
  return new JWT({
    email: key.client_email,
    key: key.private_key,
    subject: config.google.impersonate,
    scopes: ["https://www.googleapis.com/auth/documents", "https://www.googleapis.com/auth/drive"],
  }) as unknown as OAuth2Client;
}

/** The timeline's actor for what muster learns by itself (a follow-up issue closed on GitHub). */
const MUSTER = { userId: "muster", isAdmin: true };

export interface WorkerCompositionOptions {
  /** A ready Google auth client (tests, or a host with its own credentials). */
  googleAuth?: OAuth2Client;
  /** Outbox tuning, e.g. a short lease for crash tests. */
  worker?: Pick<WorkerOptions, "pollMs" | "leaseMs" | "backoff" | "clock" | "pace">;
  /** Told of each job's outcome (metrics). */
  observe?: WorkerOptions["observe"];
}

export interface Composed {
  worker: Worker;
  /** Reads the incident doc for /incident summary; null when Google is not configured. */
  docReader: DocReader | null;
}

/** The outbox worker with a handler for every job kind, each adapter configured or explicitly skipped. */
export async function composeWorker(core: Core, o: WorkerCompositionOptions = {}): Promise<Composed> {
  const { config, logger, store, refs, jobs, service, db, target, duties, dutyStore } = core;
  const [
    { WebClient },
    { boltLogger },
    { slackJobHandlers },
    { triageJobHandlers },
    { drJobHandlers },
    { backupJobHandlers },
  ] = await Promise.all([
    import("@slack/web-api"),
    import("./slack/bolt-logger.js"),
    import("./adapters/slack/jobs.js"),
    import("./adapters/slack/triage-jobs.js"),
    import("./adapters/slack/dr-jobs.js"),
    import("./backup/schedule.js"),
  ]);
  const options = { clock: core.clock, googleAuth: o.googleAuth };
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
    clock: options.clock,
  });
  let githubHandlers: Record<GitHubKind, JobHandler>;
  if (config.github.auth) {
    const [{ createGitHubClient }, { githubJobHandlers }] = await Promise.all([
      import("./adapters/github/client.js"),
      import("./adapters/github/jobs.js"),
    ]);
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
  const googleAuth = await googleAuthFor(config, options.googleAuth);
  let docReader: DocReader | null = null;
  let googleHandlers: Record<GoogleKind, JobHandler>;
  if (googleAuth) {
    const [{ docs: googleDocs }, { drive: googleDrive }, { googleJobHandlers }, { googleDocReader }] =
      await Promise.all([
        import("@googleapis/docs"),
        import("@googleapis/drive"),
        import("./adapters/google/jobs.js"),
        import("./adapters/google/read-doc.js"),
      ]);
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
  const backupSchedule = backupScheduleOf(config);
  const backupHandlers = backupJobHandlers({
    db,
    target,
    schedule: backupSchedule,
    pgDump: config.backup.pgDump,
    logger,
    clock: options.clock,
  });
  // Every kind has its handler, or this does not compile.
  const drHandlers = drJobHandlers({
    client: workerSlack,
    duties,
    dutyStore,
    store,
    refs,
    drChannel: config.slack.drChannel,
    clock: options.clock,
  });
  const triageHandlers = triageJobHandlers({
    client: workerSlack,
    intake: core.intakeStore,
    incidentChannel: config.slack.incidentChannel,
    clock: options.clock,
  });
  const handlers: Record<JobKind, JobHandler> = {
    ...slackHandlers,
    ...triageHandlers,
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
    clock: options.clock,
    ...(o.worker ?? {}),
    ...(o.observe ? { observe: o.observe } : {}),
    onDead: (job: Job) =>
      job.incidentId && job.kind !== "slack.job_failed"
        ? [newJob(job.incidentId, "slack.job_failed", { jobId: job.id, what: describeJob(job.kind) })]
        : [],
  });
  return { worker, docReader };
}

/**
 * Start-up chores of a bot process, before it serves: running jobs left by a
 * dead process (SQLite), the yearly duty reminder chains, the backup schedule.
 */
export async function prepareSchedules(core: Core): Promise<void> {
  const { config, logger, jobs, target } = core;
  // One process owns an SQLite file, so every running job there belongs to a dead process.
  if (target.provider === "sqlite") {
    const released = await jobs.releaseAll();
    if (released) logger.warn({ released }, "resumed jobs left running by a previous process");
  }
  // Every yearly duty has a running reminder chain (a first start, a changed owner or due date).
  const planned = await core.duties.plan();
  if (planned) logger.info({ planned }, "yearly duty reminders planned");
  const schedule = backupScheduleOf(config);
  if (schedule) {
    const { ensureBackupScheduled } = await import("./backup/schedule.js");
    const next = await ensureBackupScheduled(core.db, (j, at) => jobs.enqueue(j, at), schedule, core.clock());
    logger.info({ dir: schedule.dir, every: schedule.every, next }, "scheduled backups on");
  }
}

function backupScheduleOf(config: Config) {
  return config.backup.every && config.backup.dir
    ? { dir: config.backup.dir, every: config.backup.every, keep: config.backup.keep }
    : null;
}
