// The two alert formats muster accepts on POST /hooks/alerts, read into one
// shape. Prometheus Alertmanager's webhook (version 4) is recognised by its
// `version` and `alerts`; anything else must be the generic format (README,
// "Alert ingestion"). Senders are authenticated, but their text still goes
// into Slack and into an incident title, so every string is cut to size here.
import { createHash } from "node:crypto";
import { z } from "zod";
import { AppError } from "../errors.js";
import { type ClassifiedSeverity, SEVERITIES } from "../incidents/model.js";
import type { AlertInstance } from "./model.js";

/** One alert (or Alertmanager group) as intake sees it. */
export interface AlertSignal {
  /** Repeats of the same alert share it; it holds for the dedup window. */
  dedupKey: string;
  /** The alert's name: what a declare rule matches. */
  name: string;
  status: "firing" | "resolved";
  severity: ClassifiedSeverity | null;
  summary: string;
  description: string;
  component: string | null;
  link: string | null;
  labels: Record<string, string>;
  alerts: AlertInstance[];
  truncated: number;
}

const MAX = { name: 120, summary: 300, description: 3000, label: 200, labels: 30, alerts: 20, key: 200 } as const;

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const labelMap = z
  .record(z.string(), z.unknown())
  .optional()
  .transform((m) =>
    Object.fromEntries(
      Object.entries(m ?? {})
        .filter(([, v]) => typeof v === "string" || typeof v === "number" || typeof v === "boolean")
        .slice(0, MAX.labels)
        .map(([k, v]) => [cut(k, MAX.label), cut(String(v), MAX.label)]),
    ),
  );
const httpUrl = (s: string | undefined | null): string | null => {
  if (!s) return null;
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:" ? cut(u.toString(), 2000) : null;
  } catch {
    return null;
  }
};

/** Monitoring's severity words, mapped to the policy's levels; anything else leaves it unclassified. */
const SEVERITY_WORDS: Record<string, ClassifiedSeverity> = {
  critical: "critical",
  page: "high",
  high: "high",
  error: "high",
  warning: "medium",
  medium: "medium",
  info: "low",
  low: "low",
};
export function severityOf(word: string | undefined): ClassifiedSeverity | null {
  const s = SEVERITY_WORDS[(word ?? "").toLowerCase()];
  return s && (SEVERITIES as readonly string[]).includes(s) ? s : null;
}

/** A dedup key never longer than the column wants, and stable for the same input. */
const keyOf = (prefix: string, raw: string) =>
  `${prefix}:${raw.length > MAX.key ? createHash("sha256").update(raw).digest("hex") : raw}`;

const labelLine = (labels: Record<string, string>, skip: Record<string, string>) =>
  Object.entries(labels)
    .filter(([k, v]) => skip[k] !== v)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");

// https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
const alertmanagerAlert = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: labelMap,
  annotations: labelMap,
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});
const alertmanager = z.object({
  version: z.literal("4"),
  groupKey: z.string().min(1).max(10_000),
  truncatedAlerts: z.number().int().min(0).optional(),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string().optional(),
  groupLabels: labelMap,
  commonLabels: labelMap,
  commonAnnotations: labelMap,
  externalURL: z.string().optional(),
  alerts: z.array(alertmanagerAlert).min(1).max(10_000),
});

function fromAlertmanager(p: z.output<typeof alertmanager>): AlertSignal {
  const first = p.alerts[0]!;
  const name = p.commonLabels.alertname ?? p.groupLabels.alertname ?? first.labels.alertname ?? "Alert";
  const summary = p.commonAnnotations.summary ?? first.annotations.summary ?? name;
  return {
    dedupKey: keyOf("alertmanager", p.groupKey),
    name: cut(name, MAX.name),
    status: p.status,
    severity: severityOf(p.commonLabels.severity),
    summary: cut(summary, MAX.summary),
    description: cut(p.commonAnnotations.description ?? first.annotations.description ?? "", MAX.description),
    component: p.commonLabels.component ?? p.commonLabels.service ?? p.commonLabels.job ?? null,
    link: httpUrl(first.generatorURL) ?? httpUrl(p.externalURL),
    labels: p.commonLabels,
    alerts: p.alerts.slice(0, MAX.alerts).map((a) => ({
      status: a.status,
      labels: cut(labelLine(a.labels, p.commonLabels), MAX.summary),
      summary: cut(a.annotations.summary ?? "", MAX.summary),
      startsAt: a.startsAt ?? null,
    })),
    truncated: Math.max(0, p.alerts.length - MAX.alerts) + (p.truncatedAlerts ?? 0),
  };
}

// The generic format: documented in README, "Alert ingestion".
const generic = z.object({
  name: z.string().trim().min(1, "name is required").max(500),
  status: z.enum(["firing", "resolved"]).default("firing"),
  summary: z.string().max(10_000).optional(),
  description: z.string().max(100_000).optional(),
  severity: z.string().max(50).optional(),
  component: z.string().max(500).optional(),
  dedup_key: z.string().min(1).max(10_000).optional(),
  url: z.string().max(10_000).optional(),
  labels: labelMap,
});

function fromGeneric(p: z.output<typeof generic>): AlertSignal {
  const labels = p.labels;
  const identity = p.dedup_key ?? `${p.name}|${JSON.stringify(Object.entries(labels).sort())}`;
  return {
    dedupKey: keyOf("generic", identity),
    name: cut(p.name, MAX.name),
    status: p.status,
    severity: severityOf(p.severity ?? labels.severity),
    summary: cut(p.summary ?? p.name, MAX.summary),
    description: cut(p.description ?? "", MAX.description),
    component: p.component ? cut(p.component, MAX.label) : (labels.component ?? labels.service ?? null),
    link: httpUrl(p.url),
    labels,
    alerts: [],
    truncated: 0,
  };
}

/**
 * Reads a webhook body (already JSON-parsed) into signals; throws an
 * AppError in plain words naming what is wrong with it.
 */
export function parseAlerts(body: unknown): AlertSignal[] {
  if (body && typeof body === "object" && !Array.isArray(body) && "version" in body && "alerts" in body) {
    const r = alertmanager.safeParse(body);
    if (!r.success) throw problem("This Alertmanager webhook (version 4)", r.error);
    return [fromAlertmanager(r.data)];
  }
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0 || list.length > 100) throw new AppError("validation", "Send between 1 and 100 alerts.");
  return list.map((item, i) => {
    const r = generic.safeParse(item);
    if (!r.success) throw problem(list.length > 1 ? `Alert ${i + 1}` : "This alert", r.error);
    return fromGeneric(r.data);
  });
}

function problem(what: string, error: z.ZodError): AppError {
  const issue = error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
  return new AppError("validation", `${what} is not valid: ${issue?.message ?? "unreadable"}${where}.`);
}
