// muster's Prometheus metrics (prom-client), one registry per process
// instance (tests run several muster instances in one Node process). Counters
// and histograms are fed as things happen; the gauges that describe the
// database (outbox, open incidents) are read fresh on each scrape.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { SEVERITIES } from "../incidents/model.js";
import { GiveUp, RetryLater } from "../jobs/errors.js";
import { JOB_KINDS } from "../jobs/kinds.js";
import type { Job } from "../jobs/ports.js";
import type { WorkerState } from "../jobs/worker.js";
import type { OpsStore } from "../store/ops-store.js";

/** What became of a /report submission; spam_rejected: the honeypot or the time trap. */
export const REPORT_OUTCOMES = ["accepted", "rate_limited", "spam_rejected", "invalid"] as const;
export type ReportOutcome = (typeof REPORT_OUTCOMES)[number];
/**
 * What became of an alert-hook request that was refused (unauthorized,
 * invalid), or of each alert in one that was taken: a new report (accepted,
 * and auto_declared too when a rule declared it), a repeat within the dedup
 * window (deduplicated), a resolve for nothing known (ignored).
 */
export const ALERT_OUTCOMES = [
  "accepted",
  "deduplicated",
  "ignored",
  "auto_declared",
  "unauthorized",
  "invalid",
] as const;
export type AlertHookOutcome = (typeof ALERT_OUTCOMES)[number];

export interface Metrics {
  registry: Registry;
  /** A request answered by the web server, by route pattern. */
  request(o: { method: string; route: string; status: number; seconds: number }): void;
  /** How long Slack waited for its acknowledgement, by payload kind. */
  acknowledged(kind: string, seconds: number): void;
  jobCompleted(job: Job): void;
  jobFailed(job: Job, error: unknown, dead: boolean): void;
  report(outcome: ReportOutcome): void;
  alert(outcome: AlertHookOutcome): void;
  /** Reads the database gauges and renders everything in Prometheus' text format. */
  render(): Promise<string>;
  contentType: string;
}

export interface MetricsDeps {
  ops: Pick<OpsStore, "queue" | "openIncidentsBySeverity">;
  worker: () => WorkerState;
  clock: () => Date;
}

/** Kinds whose job, once done, means a reminder went to a person or channel. */
const REMINDER_KINDS = new Set(
  Object.entries(JOB_KINDS)
    .filter(([, spec]) => "reminder" in spec && spec.reminder)
    .map(([kind]) => kind),
);

/**
 * An error as a label: a few stable words, never its message (it may quote
 * incident text, and every distinct message would be a new time series).
 */
export function errorLabel(e: unknown): string {
  if (e instanceof GiveUp) return "gave_up";
  if (e instanceof RetryLater) return e.retryAfterMs !== null ? "rate_limited" : "retry_later";
  const err = e as { name?: unknown; status?: unknown; code?: unknown };
  if (typeof err?.status === "number") return `http_${err.status}`;
  if (typeof err?.code === "string" && /^[A-Za-z0-9_]{1,40}$/.test(err.code)) return err.code;
  const name = typeof err?.name === "string" ? err.name : "Error";
  return name.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 40) || "Error";
}

export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "muster_process_" });
  const registers = [registry];

  const requests = new Counter({
    name: "muster_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status.",
    labelNames: ["method", "route", "status"] as const,
    registers,
  });
  const ack = new Histogram({
    name: "muster_slack_ack_seconds",
    help: "Time from receiving a Slack request to acknowledging it, by payload kind (Slack gives up at 3 s).",
    labelNames: ["kind"] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
    registers,
  });
  const failures = new Counter({
    name: "muster_job_failures_total",
    help: "Outbox job attempts that failed, by adapter (slack, github, google, dr, backup), error and outcome (retry or dead).",
    labelNames: ["adapter", "error", "outcome"] as const,
    registers,
  });
  const reminders = new Counter({
    name: "muster_reminders_sent_total",
    help: "Reminder jobs completed, by kind (hand-off, post-mortem, end of day, yearly duty, risk review).",
    labelNames: ["kind"] as const,
    registers,
  });
  const reports = new Counter({
    name: "muster_reports_total",
    help: "Outage reports sent from /report, by outcome: accepted, rate_limited, spam_rejected (honeypot or time trap), invalid.",
    labelNames: ["outcome"] as const,
    registers,
  });
  const alerts = new Counter({
    name: "muster_alerts_total",
    help: "Alert-hook requests refused (unauthorized, invalid), and the alerts of those taken: accepted (a new report), auto_declared (also declared by a rule), deduplicated, ignored.",
    labelNames: ["outcome"] as const,
    registers,
  });
  // Every outcome is a series from the start: a rate() over a series that appears late misses its first events.
  for (const outcome of REPORT_OUTCOMES) reports.inc({ outcome }, 0);
  for (const outcome of ALERT_OUTCOMES) alerts.inc({ outcome }, 0);
  const outbox = new Gauge({
    name: "muster_outbox_jobs",
    help: "Outbox jobs by state: due (pending, time has come), scheduled (pending, later), running, dead.",
    labelNames: ["state"] as const,
    registers,
  });
  const outboxAge = new Gauge({
    name: "muster_outbox_oldest_due_age_seconds",
    help: "How late the oldest due outbox job is (0 when none is waiting).",
    registers,
  });
  const open = new Gauge({
    name: "muster_open_incidents",
    help: "Incidents investigating or mitigated, by severity.",
    labelNames: ["severity"] as const,
    registers,
  });
  const workerRunning = new Gauge({
    name: "muster_worker_running",
    help: "1 while this process's outbox worker is started.",
    registers,
  });
  const leased = new Gauge({
    name: "muster_worker_leased_jobs",
    help: "Jobs this process's worker holds a lease on now.",
    registers,
  });
  const limit = new Gauge({
    name: "muster_worker_concurrency_limit",
    help: "Jobs this process's worker may hold now: its concurrency, halved while the event loop runs late (requests are waiting).",
    registers,
  });
  const claimFailures = new Gauge({
    name: "muster_worker_claim_failures",
    help: "Claims of due jobs that failed in a row (the database is unreachable); 0 when healthy.",
    registers,
  });
  const lastClaim = new Gauge({
    name: "muster_worker_last_claim_age_seconds",
    help: "Seconds since the worker last asked the database for jobs (-1 before its first claim).",
    registers,
  });

  const adapterOf = (kind: string) => kind.split(".")[0] ?? "unknown";

  return {
    registry,
    contentType: registry.contentType,
    request: ({ method, route, status }) => requests.inc({ method, route, status: String(status) }),
    acknowledged: (kind, seconds) => ack.observe({ kind }, seconds),
    jobCompleted(job) {
      if (REMINDER_KINDS.has(job.kind)) reminders.inc({ kind: job.kind });
    },
    jobFailed(job, error, dead) {
      failures.inc({ adapter: adapterOf(job.kind), error: errorLabel(error), outcome: dead ? "dead" : "retry" });
    },
    report: (outcome) => reports.inc({ outcome }),
    alert: (outcome) => alerts.inc({ outcome }),
    async render() {
      const now = deps.clock();
      const [queue, bySeverity] = await Promise.all([deps.ops.queue(now), deps.ops.openIncidentsBySeverity()]);
      for (const state of ["due", "scheduled", "running", "dead"] as const) outbox.set({ state }, queue[state]);
      outboxAge.set(queue.oldestDueAgeSeconds);
      for (const severity of [...SEVERITIES, "unclassified"]) open.set({ severity }, bySeverity[severity] ?? 0);
      const w = deps.worker();
      workerRunning.set(w.running ? 1 : 0);
      leased.set(w.leased);
      limit.set(w.limit);
      claimFailures.set(w.claimFailures);
      // Wall time: the worker stamps its claims with the real clock.
      lastClaim.set(w.lastClaimAt ? (Date.now() - w.lastClaimAt.getTime()) / 1000 : -1);
      return registry.metrics();
    },
  };
}
