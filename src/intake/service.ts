// Intake: outage reports from the public form and alerts from monitoring
// become triage reports, each with one message in the incident channel
// (queued in the outbox in the same transaction, so a Slack outage delays it
// but never loses it). Nothing here declares an incident, except an alert
// that a configured rule names; that goes through the incident service.
import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import { AppError, ConcurrencyConflict } from "../errors.js";
import * as input from "../incidents/input.js";
import type { ClassifiedSeverity, NewJob } from "../incidents/model.js";
import type { AlertSignal } from "./alerts.js";
import type { DeclareDraft, TriageReport } from "./model.js";
import type { IntakeStore, IntakeTx } from "./ports.js";

/** An alert that is declared without waiting for a person (MUSTER_ALERT_RULES). */
export interface AlertDeclareRule {
  /** The alert's name, exactly (Alertmanager's alertname label). */
  alert: string;
  /** The Incident Commander: a Slack user id. */
  commander: string;
  severity?: ClassifiedSeverity;
  private?: boolean;
}

export interface IntakePolicy {
  report: {
    /** Reports per address, and per client (IP address), per window. */
    perAddress: number;
    perClient: number;
    windowMs: number;
    /** The public component names offered on the form; empty: free text. */
    components: string[];
  };
  alerts: {
    /** Repeats of an alert within this long of its last arrival update its message. */
    dedupWindowMs: number;
    declareRules: AlertDeclareRule[];
  };
}

/** How intake declares for an alert rule: the incident service, as muster itself. */
export type DeclareForAlert = (
  draft: DeclareDraft & { commanderId: string; private: boolean },
  idempotencyKey: string,
) => Promise<{ key: string }>;

export interface IntakeDeps {
  store: IntakeStore;
  policy: IntakePolicy;
  declare: DeclareForAlert;
  clock?: () => Date;
  newId?: () => string;
}

export type ReportResult = { ok: true; id: string } | { ok: false; retryAt: Date };

export interface AlertOutcome {
  reportId: string | null;
  /** new: a new message; updated: the same message again; ignored: a resolve for nothing we know. */
  outcome: "new" | "updated" | "ignored";
  declared?: string;
}

const MAX_ATTEMPTS = 6;
const syncJob = (id: string): NewJob => ({ incidentId: null, kind: "intake.sync_triage", payload: { reportId: id } });
const digest = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 32);

export const outageReportInput = z.object({
  description: input
    .text("the description")
    .pipe(
      z
        .string()
        .min(10, "Please describe what you see in a few words (at least 10 characters).")
        .max(3000, "Keep the description to 3,000 characters or fewer."),
    ),
  contact: z
    .string()
    .trim()
    .max(254, "That e-mail address is too long.")
    .pipe(z.email("Please give an e-mail address we can reply to, like you@example.com.")),
  component: input.text("the component", 100).optional(),
});
export type OutageReportInput = z.input<typeof outageReportInput>;

export function createIntakeService(deps: IntakeDeps) {
  const { store, policy } = deps;
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;

  async function inTransaction<T>(fn: (tx: IntakeTx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await store.transaction(fn);
      } catch (e) {
        if (!(e instanceof ConcurrencyConflict) || attempt >= MAX_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
      }
    }
  }

  /** The first line of a description, for a title: a person edits it in the declare form. */
  const titleFrom = (description: string) => {
    const line = description.split("\n")[0]!.replace(/\s+/g, " ").trim();
    return line.length > 80 ? `${line.slice(0, 79)}…` : line;
  };

  return {
    policy,

    /**
     * An outage report from the public form. Refused with the time it may be
     * sent again when the address or the client sent too many this window.
     */
    async reportOutage(raw: OutageReportInput, client: string): Promise<ReportResult> {
      const i = input.parseInput(outageReportInput, raw);
      const components = policy.report.components;
      const component = i.component || null;
      if (component && components.length && !components.includes(component))
        throw new AppError("validation", "Pick one of the listed components, or leave it empty.", {
          field: "component",
        });
      const now = clock();
      const { windowMs } = policy.report;
      // Hashed: the counters never hold an address or an IP in the clear.
      for (const [key, limit] of [
        [`report:client:${digest(client)}`, policy.report.perClient],
        [`report:address:${digest(i.contact.toLowerCase())}`, policy.report.perAddress],
      ] as const) {
        const r = await store.hit(key, limit, windowMs, now);
        if (!r.ok) return { ok: false, retryAt: r.retryAt };
      }
      const report = newReport(newId(), now, {
        source: "third_party",
        dedupKey: null,
        title: titleFrom(i.description),
        description: i.description,
        contact: i.contact,
        component,
        severity: null,
        status: "open",
        link: null,
        details: {},
      });
      await inTransaction(async (tx) => {
        await tx.insertReport(report, null);
        await tx.enqueueJobs([syncJob(report.id)], now);
      });
      return { ok: true, id: report.id };
    },

    /** Alerts from monitoring: each one message, updated in place while its key holds. */
    async receiveAlerts(signals: AlertSignal[]): Promise<AlertOutcome[]> {
      const out: AlertOutcome[] = [];
      for (const signal of signals) {
        const r = await receiveAlert(signal);
        out.push(r);
      }
      return out;
    },

    async findReport(id: string) {
      return store.findReport(id);
    },

    /** What the declare form is pre-filled with; null for an unknown report. */
    async draft(id: string): Promise<DeclareDraft | null> {
      const r = await store.findReport(id);
      return r ? draftOf(r) : null;
    },

    /** A person declared from the report's button: the message says so, and loses its button. */
    async markDeclared(id: string, incidentKey: string, userId: string): Promise<void> {
      await inTransaction(async (tx) => {
        const r = await tx.findReport(id);
        if (!r || r.incidentKey) return;
        const now = clock();
        if (!(await tx.updateReport(id, r.version, { incidentKey, declaredBy: userId, declaredAt: now })))
          throw new ConcurrencyConflict();
        await tx.enqueueJobs([syncJob(id)], now);
      });
    },
  };

  async function receiveAlert(signal: AlertSignal): Promise<AlertOutcome> {
    const now = clock();
    const windowMs = policy.alerts.dedupWindowMs;
    const result = await inTransaction(
      async (tx): Promise<{ report: TriageReport | null; outcome: AlertOutcome["outcome"] }> => {
        const current = await tx.findByOpenKey(signal.dedupKey);
        const fresh = current && now.getTime() - current.lastSeenAt.getTime() <= windowMs;
        // A resolve updates the report it resolves, however old; one for nothing known says nothing.
        if (current && (fresh || signal.status === "resolved")) {
          const patch = {
            title: signal.name,
            description: describe(signal),
            severity: signal.severity ?? current.severity,
            component: signal.component ?? current.component,
            status: signal.status,
            link: signal.link ?? current.link,
            details: { labels: signal.labels, alerts: signal.alerts, truncated: signal.truncated },
            count: current.count + 1,
            lastSeenAt: now,
            resolvedAt: signal.status === "resolved" ? now : null,
          };
          if (!(await tx.updateReport(current.id, current.version, patch))) throw new ConcurrencyConflict();
          await tx.enqueueJobs([syncJob(current.id)], now);
          return { report: { ...current, ...patch, version: current.version + 1 }, outcome: "updated" };
        }
        if (signal.status === "resolved") return { report: null, outcome: "ignored" };
        if (current) await tx.releaseOpenKey(current.id);
        const report = newReport(newId(), now, {
          source: "monitoring",
          dedupKey: signal.dedupKey,
          title: signal.name,
          description: describe(signal),
          contact: null,
          component: signal.component,
          severity: signal.severity,
          status: "firing",
          link: signal.link,
          details: { labels: signal.labels, alerts: signal.alerts, truncated: signal.truncated },
        });
        await tx.insertReport(report, signal.dedupKey);
        await tx.enqueueJobs([syncJob(report.id)], now);
        return { report, outcome: "new" };
      },
    );
    const { report, outcome } = result;
    if (!report) return { reportId: null, outcome };
    const declared = await declareByRule(report);
    return { reportId: report.id, outcome, ...(declared ? { declared } : {}) };
  }

  /** A firing alert a rule names is declared once per report (the key makes a retry a replay). */
  async function declareByRule(report: TriageReport): Promise<string | null> {
    if (report.status !== "firing" || report.incidentKey) return report.incidentKey;
    const rule = policy.alerts.declareRules.find((r) => r.alert === report.title);
    if (!rule) return null;
    const draft = draftOf(report);
    const { key } = await deps.declare(
      {
        ...draft,
        severity: rule.severity ?? draft.severity,
        commanderId: rule.commander,
        private: rule.private ?? false,
      },
      `alert-rule:${report.id}`,
    );
    await inTransaction(async (tx) => {
      const r = await tx.findReport(report.id);
      if (!r || r.incidentKey) return;
      const now = clock();
      if (!(await tx.updateReport(r.id, r.version, { incidentKey: key, declaredBy: "muster", declaredAt: now })))
        throw new ConcurrencyConflict();
      await tx.enqueueJobs([syncJob(r.id)], now);
    });
    return key;
  }
}

export type IntakeService = ReturnType<typeof createIntakeService>;

/** An alert's text for people: its summary, then its description. */
function describe(s: AlertSignal): string {
  return [s.summary, s.description].filter((x) => x && x !== s.name).join("\n\n");
}

// Slack mentions and links never reach a title (the declare command refuses them).
const unlink = (s: string) => s.replace(/[<>]/g, "");

export function draftOf(r: TriageReport): DeclareDraft {
  const title = r.source === "monitoring" ? `Alert: ${r.title}` : `Reported outage: ${r.title}`;
  return {
    reportId: r.id,
    title: unlink(title).slice(0, 150),
    summary: r.description.slice(0, 3000),
    reportSource: r.source,
    components: r.component ? [r.component] : [],
    severity: r.severity,
    reportedBy: (r.source === "monitoring" ? `monitoring: ${r.title}` : (r.contact ?? "outage report form")).slice(
      0,
      200,
    ),
  };
}

/** A report as it first arrives: seen once, not yet declared. */
function newReport(
  id: string,
  now: Date,
  what: Pick<
    TriageReport,
    | "source"
    | "dedupKey"
    | "title"
    | "description"
    | "contact"
    | "component"
    | "severity"
    | "status"
    | "link"
    | "details"
  >,
): TriageReport {
  return {
    id,
    ...what,
    count: 1,
    receivedAt: now,
    lastSeenAt: now,
    resolvedAt: null,
    incidentKey: null,
    declaredBy: null,
    declaredAt: null,
    version: 0,
  };
}
