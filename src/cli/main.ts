// The `muster` command: database chores and a way to record an incident when
// Slack itself is down. Exit codes: 0 done, 1 the command failed, 2 usage.
// What a command needs is imported when it runs (`await import`): the
// database clients, the backup tools and the services take seconds to load
// between them, and `muster --version` or a report should not wait for all.
import { userInfo } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { MUSTER_VERSION } from "../backup/version.js";
import { type Config, parseConfig } from "../config.js";
import { DUTIES, DUTY_KEYS, isDutyKey } from "../dr/duties.js";
import type { DutyService } from "../dr/service.js";
import { AppError } from "../errors.js";
import { normalizeKey } from "../incidents/context.js";
import {
  type Incident,
  RISK_STATUSES,
  type RiskStatus,
  SEVERITIES,
  type Severity,
  STATUSES,
  type Status,
} from "../incidents/model.js";
import type { IncidentStore } from "../incidents/ports.js";
import type { IncidentService } from "../incidents/service.js";
import { type InsightsStore, periodOf } from "../insights/report.js";
import type { JobStatus, JobStore } from "../jobs/ports.js";
import { type DatabaseTarget, redactUrl, targetFor } from "../store/database-url.js";
import type { Db } from "../store/db.js";
import {
  renderDutyStatus,
  renderDutyStatusJson,
  renderRisksCsv,
  renderRisksJson,
  renderRisksMarkdown,
  renderRisksText,
} from "./render-dr.js";
import { renderJson, renderList, renderMarkdown, renderText } from "./render-incident.js";
import { describeJob, JOB_STATUSES, renderJobList, renderJobsJson, toJobLine } from "./render-jobs.js";
import { renderReportCsv, renderReportJson, renderReportMarkdown } from "./render-report.js";

const USAGE = `Usage: muster <command> [options]

Commands:
  version                         print muster's version
  migrate                         apply pending database migrations
  incidents [--status S] [--severity S] [--limit N] [--json] [--include-private]
                                  list incidents, newest first (S may be comma-separated); a
                                  private incident shows only its key and state without
                                  --include-private
  show INC-n [--format text|markdown|json] [--include-private]
                                  an incident with its whole timeline
  declare --title "…" [--summary "…"] [--severity critical|high|medium|low]
          [--impact outage|degraded_performance|data_loss|security_breach|customer_facing]…
          [--private] [--commander USER] [--as USER] [--source on_call|monitoring|employee|customer|third_party]
          [--reported-by "…"]
                                  record an incident without Slack; its Slack, GitHub and
                                  Google side effects wait in the outbox until they can run
  jobs [--status S] [--incident INC-n] [--limit N] [--format text|json]
                                  outbox jobs, oldest first: pending, running and dead ones
                                  unless --status says otherwise (pending, running, dead, done;
                                  comma-separated or repeated)
  jobs retry ID                   requeue a dead or pending job to run now with its attempts
                                  reset; a running muster picks it up
  dr status [--format text|json]  the yearly BCP/DR duties: owner, last done, next due, overdue
  dr log DUTY --notes "…" [--link URL] [--by USER] [--at DATE]
                                  record a duty as done (walkthrough, restore_test, backup_review,
                                  ir_process_review); its next due date moves on from --at (today)
  risks [--status S] [--owner USER] [--incident INC-n] [--format text|csv|markdown|json]
                                  the risk register, newest first (S: open, accepted, mitigated,
                                  closed; comma-separated)
  risks update ID [--status S] [--owner USER|none] [--review DATE|none] [--as USER]
                                  change a risk; each change is kept in its history
  risks history ID                a risk's changes: who, when, from what, to what
  backup [--out FILE]             a consistent backup of the database while muster runs, with
                                  FILE.manifest.json beside it (default: a new file in BACKUP_DIR)
  restore FILE [--force]          restore a backup into the database of DATABASE_URL: checks the
                                  file against its manifest first; refuses a database that holds
                                  anything unless --force. Stop muster first
  restore-drill [--backup FILE] [--by NAME] [--deep]
                                  restore a backup (default: the newest in BACKUP_DIR) into a
                                  scratch database, check it against its manifest, migrate and
                                  open it, record the drill, remove the scratch copy; --deep also
                                  recomputes every timeline hash chain in the restored copy
  verify [--incident INC-n]       recompute the timeline's hash chains and name every event that
                                  no longer matches what muster wrote (changed, removed or added
                                  behind its back); exits 1 if one does
  report [--since DATE] [--until DATE] [--severity S] [--component NAME]
         [--format markdown|json|csv]
                                  metrics of the incidents declared in the period (default: the
                                  90 days until now): counts, median and p90 time to detect,
                                  declare, mitigate, resolve and first update, customer-minutes,
                                  incidents per component, post-mortem and follow-up completion,
                                  hand-offs; DATE is YYYY-MM-DD (UTC) or an ISO time, until is
                                  exclusive
  help                            this text

The database comes from DATABASE_URL (default file:./data/muster.db).`;

class UsageError extends Error {}

/** The command line prints its own answers; only warnings from below reach stderr. */
const cliLogger = () => pino({ level: "warn" }, pino.destination(2));

type Out = { out: (s: string) => void; err: (s: string) => void };

export async function runCli(argv: string[], env: Record<string, string | undefined>, io: Out): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === "help" || command === "--help" || command === "-h") {
      io.out(`${USAGE}\n`);
      return command ? 0 : 2;
    }
    if (command === "version" || command === "--version" || command === "-v") {
      io.out(`muster ${MUSTER_VERSION}\n`);
      return 0;
    }
    const parsed = parseConfig(env);
    if (!parsed.ok) {
      io.err(`muster: fix these settings first:\n${parsed.problems.map((p) => `  - ${p}`).join("\n")}\n`);
      return 2;
    }
    const config = parsed.config;

    if (command === "migrate") {
      const { migrate } = await import("../store/migrate.js");
      const target = targetFor(config.databaseUrl);
      const report = await migrate(target);
      const where = target.provider === "sqlite" ? target.file : redactUrl(target.url);
      io.out(
        report.applied.length
          ? `Applied ${report.applied.length} migration(s) to ${where}: ${report.applied.join(", ")}\n`
          : `${where} is up to date (${report.alreadyApplied} migrations applied).\n`,
      );
      return 0;
    }

    if (command === "backup") return await backupCommand(rest, config, io);
    if (command === "restore") return await restoreCommand(rest, config, io);
    if (command === "verify") return await verifyCommand(rest, config, io);

    const handlers: Record<string, true> = {
      "restore-drill": true,
      incidents: true,
      show: true,
      declare: true,
      jobs: true,
      dr: true,
      risks: true,
      report: true,
    };
    if (!handlers[command]) throw new UsageError(`Unknown command "${command}".`);

    // The same composition as the bot (compose.ts): one policy, one way of opening the database.
    const { openCore } = await import("../compose.js");
    const core = await openCore(config, { logger: cliLogger(), poolSize: 2 });
    const { store } = core;
    try {
      if (command === "jobs") {
        // `return await`: the store must stay open until the command is done.
        if (rest[0] === "retry") return await retryJob(rest.slice(1), core.jobs, store, io);
        return await listJobs(rest, core.jobs, store, io);
      }

      if (command === "restore-drill") return await drillCommand(rest, config, core.db, core.target, io);
      if (command === "dr") return await dutyCommand(rest, core.duties, io);
      if (command === "risks") return await riskCommand(rest, core.service, store, io);
      if (command === "report") return await reportCommand(rest, core.insights, io);

      if (command === "incidents") {
        const { values } = parseArgs({
          args: rest,
          options: {
            status: { type: "string" },
            severity: { type: "string" },
            limit: { type: "string" },
            json: { type: "boolean" },
            "include-private": { type: "boolean" },
          },
        });
        const status = oneOfList(values.status, STATUSES, "status") as Status[] | undefined;
        const severity = oneOfList(values.severity, [...SEVERITIES, "unclassified"], "severity") as
          | Severity[]
          | undefined;
        const limit = values.limit === undefined ? 100 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new UsageError("--limit must be a positive whole number.");
        const incidents = await store.listIncidents({
          ...(status ? { status } : {}),
          ...(severity ? { severity } : {}),
          limit,
        });
        // Output gets pasted into tickets and chats: private incidents show
        // only their key and state unless the operator asks for them.
        const shown = values["include-private"] ? incidents : incidents.map(withoutPrivateDetails);
        io.out(values.json ? `${JSON.stringify(shown, null, 2)}\n` : renderList(shown, config.company));
        return 0;
      }

      if (command === "show") {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { format: { type: "string", default: "text" }, "include-private": { type: "boolean" } },
        });
        const raw = positionals[0];
        if (!raw) throw new UsageError("Say which incident, e.g. muster show INC-42.");
        const key = normalizeKey(raw);
        const record = key ? await store.loadIncident(key) : null;
        if (!record) throw new AppError("not_found", `There is no incident ${raw}.`);
        if (record.incident.private && !values["include-private"])
          throw new AppError(
            "forbidden",
            `${record.incident.key} is private. Add --include-private to show it (you are reading the database as an operator).`,
          );
        const render = { text: renderText, markdown: renderMarkdown, json: renderJson }[values.format ?? "text"];
        if (!render) throw new UsageError("--format must be text, markdown or json.");
        io.out(render(record, config.company));
        return 0;
      }

      // declare
      const { values } = parseArgs({
        args: rest,
        options: {
          title: { type: "string" },
          summary: { type: "string" },
          severity: { type: "string" },
          impact: { type: "string", multiple: true },
          private: { type: "boolean" },
          commander: { type: "string" },
          as: { type: "string" },
          source: { type: "string" },
          "reported-by": { type: "string" },
        },
      });
      if (values.title === undefined) throw new UsageError('Give the incident a title: --title "…".');
      // Whoever can run this can read the database: treat them as an admin.
      const actor = { userId: values.as ?? `cli:${userInfo().username}`, isAdmin: true };
      const result = await core.service.declare(actor, {
        title: values.title,
        ...(values.summary !== undefined ? { summary: values.summary } : {}),
        ...(values.severity !== undefined ? { severity: values.severity as Severity & "critical" } : {}),
        impacts: (values.impact ?? []) as never[],
        ...(values.private ? { private: true } : {}),
        ...(values.commander !== undefined ? { commanderId: values.commander } : {}),
        ...(values.source !== undefined ? { reportSource: values.source as "on_call" } : {}),
        ...(values["reported-by"] !== undefined ? { reportedBy: values["reported-by"] } : {}),
      });
      io.out(`Declared ${result.key}. Its Slack channel, GitHub issue and doc will be created by the running bot.\n`);
      return 0;
    } finally {
      await core.close();
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`muster: ${e.message}\nRun "muster help" for usage.\n`);
      return 2;
    }
    if (e instanceof AppError) {
      io.err(`muster: ${e.message}\n`);
      return 1;
    }
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`muster: ${e.message}\nRun "muster help" for usage.\n`);
      return 2;
    }
    io.err(`muster: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/** Whoever can run the command line can read the database: they act as an admin, named by --by / --as. */
const cliActor = (as: string | undefined) => ({ userId: as ?? `cli:${userInfo().username}`, isAdmin: true });

async function dutyCommand(args: string[], duties: DutyService, io: Out): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "status" || sub === undefined) {
    const { values } = parseArgs({ args: rest, options: { format: { type: "string", default: "text" } } });
    if (values.format !== "text" && values.format !== "json") throw new UsageError("--format must be text or json.");
    const statuses = await duties.status();
    io.out(values.format === "json" ? renderDutyStatusJson(statuses) : renderDutyStatus(statuses));
    return 0;
  }
  if (sub !== "log")
    throw new UsageError(`Unknown dr command "${sub}"; use "muster dr status" or "muster dr log DUTY".`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      notes: { type: "string" },
      link: { type: "string" },
      by: { type: "string" },
      at: { type: "string" },
    },
  });
  const duty = positionals[0];
  if (!duty || !isDutyKey(duty)) throw new UsageError(`Say which duty: ${DUTY_KEYS.join(", ")}.`);
  if (!values.notes) throw new UsageError('Say what was done: --notes "…".');
  const r = await duties.log(cliActor(values.by), {
    duty,
    notes: values.notes,
    source: "cli",
    ...(values.link ? { link: values.link } : {}),
    ...(values.at ? { doneAt: values.at } : {}),
  });
  io.out(
    `Logged ${DUTIES[duty].name}. Next due ${r.nextDueAt.slice(0, 10)}; a running muster reminds from that date.\n`,
  );
  return 0;
}

async function riskCommand(args: string[], service: IncidentService, store: IncidentStore, io: Out): Promise<number> {
  const [sub] = args;
  if (sub === "history") {
    const id = args[1];
    if (!id) throw new UsageError("Say which risk, e.g. muster risks history ID (ids are listed by muster risks).");
    const risk = await store.findRisk(id);
    if (!risk) throw new AppError("not_found", `There is no risk ${id}.`);
    const changes = await store.riskChanges(id);
    io.out(
      `${risk.title || risk.description.split("\n")[0]} (from ${risk.incidentKey}, entered ${risk.createdAt.toISOString()} by ${risk.createdBy})\n` +
        (changes.length
          ? changes
              .map(
                (c) => `${c.at.toISOString()}  ${c.actorId}  ${c.field}: ${c.fromValue ?? "—"} → ${c.toValue ?? "—"}`,
              )
              .join("\n")
          : "No changes since.") +
        "\n",
    );
    return 0;
  }
  if (sub === "update") {
    const { values, positionals } = parseArgs({
      args: args.slice(1),
      allowPositionals: true,
      options: {
        status: { type: "string" },
        owner: { type: "string" },
        review: { type: "string" },
        as: { type: "string" },
      },
    });
    const id = positionals[0];
    if (!id) throw new UsageError("Say which risk, e.g. muster risks update ID --status mitigated.");
    const none = (v: string | undefined) => (v === undefined ? undefined : v === "none" ? null : v);
    const r = await service.updateRisk(cliActor(values.as), {
      riskId: id,
      ...(values.status !== undefined ? { status: values.status as "open" } : {}),
      ...(values.owner !== undefined ? { ownerId: none(values.owner) } : {}),
      ...(values.review !== undefined ? { reviewAt: none(values.review) } : {}),
    });
    io.out(`Risk ${id} updated (${(r.changed as string[]).join(", ")}).\n`);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      status: { type: "string" },
      owner: { type: "string" },
      incident: { type: "string" },
      format: { type: "string", default: "text" },
    },
  });
  if (positionals.length) throw new UsageError(`Unknown risks command "${positionals[0]}".`);
  const render = { text: renderRisksText, csv: renderRisksCsv, markdown: renderRisksMarkdown, json: renderRisksJson }[
    values.format ?? "text"
  ];
  if (!render) throw new UsageError("--format must be text, csv, markdown or json.");
  const status = oneOfList(values.status, RISK_STATUSES, "status") as RiskStatus[] | undefined;
  let incidentId: string | undefined;
  if (values.incident !== undefined) {
    const key = normalizeKey(values.incident);
    const summary = key ? await store.incidentSummary({ key }) : null;
    if (!summary) throw new AppError("not_found", `There is no incident ${values.incident}.`);
    incidentId = summary.incident.id;
  }
  const risks = await store.riskRegister({
    ...(status ? { status } : {}),
    ...(values.owner ? { ownerId: values.owner } : {}),
    ...(incidentId ? { incidentId } : {}),
    limit: 100_000,
  });
  io.out(render(risks));
  return 0;
}

async function reportCommand(args: string[], insights: InsightsStore, io: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      since: { type: "string" },
      until: { type: "string" },
      severity: { type: "string" },
      component: { type: "string" },
      format: { type: "string", default: "markdown" },
    },
  });
  if (positionals.length)
    throw new UsageError(
      `Unexpected "${positionals[0]}"; options are --since, --until, --severity, --component, --format.`,
    );
  const render = { markdown: renderReportMarkdown, json: renderReportJson, csv: renderReportCsv }[
    values.format ?? "markdown"
  ];
  if (!render) throw new UsageError("--format must be markdown, json or csv.");
  const now = new Date();
  const period = periodOf(
    { ...(values.since ? { since: values.since } : {}), ...(values.until ? { until: values.until } : {}) },
    now,
  );
  const severity = oneOfList(values.severity, [...SEVERITIES, "unclassified"], "severity") as Severity[] | undefined;
  const component = values.component?.trim();
  // All of a backlog, however large: this process has no background to leave it to.
  await insights.refresh();
  const report = await insights.report(
    { ...period, ...(severity ? { severity } : {}), ...(component ? { component } : {}) },
    now,
  );
  io.out(render(report));
  return 0;
}

const whoRuns = () => `cli:${userInfo().username}`;
const where = (target: DatabaseTarget) => (target.provider === "sqlite" ? target.file : redactUrl(target.url));

async function backupCommand(args: string[], config: Config, io: Out): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: "string" }, by: { type: "string" } } });
  const [{ scheduledBackupName }, { takeBackup }, { manifestPathFor }] = await Promise.all([
    import("../backup/backup-files.js"),
    import("../backup/take-backup.js"),
    import("../backup/manifest.js"),
  ]);
  const target = targetFor(config.databaseUrl);
  let out = values.out;
  if (out === undefined) {
    if (!config.backup.dir) throw new UsageError("Say where the backup goes: --out FILE (or set BACKUP_DIR).");
    out = join(config.backup.dir, scheduledBackupName(target.provider, new Date()));
  }
  const t0 = performance.now();
  const { file, manifest } = await takeBackup({
    target,
    out,
    takenBy: values.by ?? whoRuns(),
    pgDump: config.backup.pgDump,
  });
  io.out(
    `Backed up ${where(target)} to ${file} in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${manifest.tables.Incident ?? 0} incidents, ${manifest.timeline.events} timeline events, migration ${manifest.migration ?? "none"}.\nManifest: ${manifestPathFor(file)}\n`,
  );
  return 0;
}

async function restoreCommand(args: string[], config: Config, io: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { force: { type: "boolean" } },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1)
    throw new UsageError("Say which backup to restore, e.g. muster restore backups/muster.db.");
  const { restoreBackup } = await import("../backup/restore.js");
  const target = targetFor(config.databaseUrl);
  if (target.provider === "sqlite") {
    io.err(`muster: restoring over ${target.file}; muster must not be running against it.\n`);
  }
  const { manifest, migrated } = await restoreBackup({
    target,
    file,
    force: values.force ?? false,
    pgDump: config.backup.pgDump,
  });
  io.out(
    `Restored ${file} (taken ${manifest.createdAt} by ${manifest.takenBy}) into ${where(target)}: ${manifest.tables.Incident ?? 0} incidents and ${manifest.timeline.events} timeline events, counts and timeline checksum verified${migrated.length ? `; then applied ${migrated.length} newer migration(s): ${migrated.join(", ")}` : ""}.\n`,
  );
  return 0;
}

async function verifyCommand(args: string[], config: Config, io: Out): Promise<number> {
  const { values } = parseArgs({ args, options: { incident: { type: "string" } } });
  const key = values.incident === undefined ? undefined : normalizeKey(values.incident);
  if (key === null) throw new UsageError(`"${values.incident}" is not an incident key, e.g. INC-42.`);
  const { verifyTimeline } = await import("../store/verify-timeline.js");
  const target = targetFor(config.databaseUrl);
  const report = await verifyTimeline(target, key ? { incidentKey: key } : {});
  if (key && report.incidents === 0) throw new AppError("not_found", `There is no incident ${values.incident}.`);
  const took = `${(report.ms / 1000).toFixed(1)} s`;
  const scope = `${report.incidents} incident${report.incidents === 1 ? "" : "s"} (${report.events} timeline events)`;
  if (!report.problems.length) {
    io.out(`Checked the hash chains of ${scope} in ${took}: every event is as muster wrote it.\n`);
    return 0;
  }
  const shown = report.problems.slice(0, 50);
  const lines = shown.map((p) => `  ${p.incidentKey}${p.eventId === null ? ":" : ` event ${p.eventId}:`} ${p.reason}`);
  if (report.problems.length > shown.length) lines.push(`  …and ${report.problems.length - shown.length} more`);
  io.err(
    `muster: the timeline of ${report.broken.length} incident${report.broken.length === 1 ? "" : "s"} no longer matches its hash chain (checked ${scope} in ${took}):\n${lines.join("\n")}\n`,
  );
  return 1;
}

async function drillCommand(args: string[], config: Config, db: Db, target: DatabaseTarget, io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { backup: { type: "string" }, by: { type: "string" }, deep: { type: "boolean" } },
  });
  const [{ latestBackup }, { restoreDrill }] = await Promise.all([
    import("../backup/backup-files.js"),
    import("../backup/drill.js"),
  ]);
  let file = values.backup;
  if (file === undefined) {
    if (!config.backup.dir) throw new UsageError("Say which backup to drill: --backup FILE (or set BACKUP_DIR).");
    file = latestBackup(config.backup.dir);
  }
  const drill = await restoreDrill({
    target,
    db,
    file,
    by: values.by ?? whoRuns(),
    pgDump: config.backup.pgDump,
    deep: values.deep ?? false,
  });
  const took = `${(drill.durationMs / 1000).toFixed(1)} s`;
  if (drill.result === "passed") {
    io.out(
      `Restore drill passed in ${took}: ${drill.backupFile} restored into a scratch database, matched its manifest, migrated and opened${values.deep ? ", and every timeline hash chain recomputed" : ""}. Recorded as drill ${drill.id} by ${drill.by}.\n`,
    );
    return 0;
  }
  io.err(
    `muster: restore drill FAILED (${took}) for ${drill.backupFile}: ${drill.reason}\nRecorded as drill ${drill.id}.\n`,
  );
  return 1;
}

const DEFAULT_JOB_STATUSES: readonly JobStatus[] = ["pending", "running", "dead"];
/** Prisma's Int is 32-bit: a larger id cannot exist and cannot be queried. */
const MAX_JOB_ID = 2 ** 31 - 1;

async function listJobs(args: string[], jobs: JobStore, store: IncidentStore, io: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      status: { type: "string", multiple: true },
      incident: { type: "string" },
      limit: { type: "string" },
      format: { type: "string", default: "text" },
      json: { type: "boolean" },
    },
  });
  if (positionals.length) {
    throw new UsageError(`Unknown jobs command "${positionals[0]}"; use "muster jobs" or "muster jobs retry ID".`);
  }
  const listed = oneOfList(values.status?.join(","), JOB_STATUSES, "status") as JobStatus[] | undefined;
  const statuses = listed ? [...new Set(listed)] : DEFAULT_JOB_STATUSES;
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError("--limit must be a positive whole number.");
  const format = values.json ? "json" : values.format;
  if (format !== "text" && format !== "json") throw new UsageError("--format must be text or json.");

  let incident: { id: string; key: string } | null = null;
  if (values.incident !== undefined) {
    const key = normalizeKey(values.incident);
    const summary = key ? await store.incidentSummary({ key }) : null;
    if (!summary) throw new AppError("not_found", `There is no incident ${values.incident}.`);
    incident = summary.incident;
  }

  const found = await jobs.list({ status: [...statuses], ...(incident ? { incidentId: incident.id } : {}), limit });
  const keys = new Map<string, string>(incident ? [[incident.id, incident.key]] : []);
  const unknown = [...new Set(found.map((j) => j.incidentId))].filter((id): id is string => !!id && !keys.has(id));
  const summaries = await Promise.all(unknown.map((id) => store.incidentSummary({ id })));
  for (const s of summaries) if (s) keys.set(s.incident.id, s.incident.key);
  const lines = found.map((j) => toJobLine(j, j.incidentId ? (keys.get(j.incidentId) ?? j.incidentId) : null));

  io.out(
    format === "json"
      ? renderJobsJson(lines)
      : renderJobList(lines, { statuses, incidentKey: incident?.key ?? null, limit }),
  );
  return 0;
}

async function retryJob(args: string[], jobs: JobStore, store: IncidentStore, io: Out): Promise<number> {
  const [raw, ...extra] = args;
  if (raw === undefined) {
    throw new UsageError("Say which job, e.g. muster jobs retry 42 (ids are listed by muster jobs).");
  }
  if (extra.length) throw new UsageError("Retry one job at a time, e.g. muster jobs retry 42.");
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new UsageError(`"${raw}" is not a job id; a job id is a positive whole number, e.g. muster jobs retry 42.`);
  }
  const id = Number(raw);
  const job = id <= MAX_JOB_ID ? await jobs.find(id) : null;
  if (!job) throw new AppError("not_found", `There is no job ${raw}.`);
  const summary = job.incidentId ? await store.incidentSummary({ id: job.incidentId }) : null;
  const label = describeJob(toJobLine(job, summary?.incident.key ?? job.incidentId));
  if (job.status === "done") {
    throw new AppError("validation", `${label} already went through; there is nothing to retry.`);
  }
  if (job.status === "running") {
    throw new AppError(
      "validation",
      `${label} is running now, so there is nothing to retry; if it ends up dead, retry it then.`,
    );
  }
  const requeued = await jobs.retry(job.id, new Date());
  if (!requeued) {
    // A worker claimed or finished it between the look-up and the requeue.
    throw new AppError("conflict", `${label} changed while muster was requeueing it; run muster jobs to see it now.`);
  }
  io.out(`${label} requeued; a running muster picks it up within its poll interval.\n`);
  return 0;
}

function oneOfList(value: string | undefined, allowed: readonly string[], what: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(",").map((s) =>
    s
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, "_"),
  );
  for (const x of items) {
    if (!allowed.includes(x)) throw new UsageError(`Unknown ${what} "${x}"; use one of: ${allowed.join(", ")}.`);
  }
  return items;
}

/** Entry point used by bin/muster.js. */
export function cliMain(): void {
  runCli(process.argv.slice(2), process.env, {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  }).then((code) => {
    process.exitCode = code;
  });
}

/** A private incident as the command line shows it by default: its key and state, none of its words. */
function withoutPrivateDetails(i: Incident): Incident {
  if (!i.private) return i;
  return {
    ...i,
    title: "(private incident)",
    summary: "",
    assetRisk: "",
    scope: { components: [], regions: [], customersAffected: null, customers: [] },
    reportedBy: null,
    resolutionSummary: null,
    partiesInformed: [],
  };
}
