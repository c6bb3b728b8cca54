// The yearly duties and the risk register for the command line: text, JSON,
// CSV (RFC 4180: every field quoted, quotes doubled) and Markdown.
import type { DutyStatus } from "../dr/service.js";
import type { RegisterRisk } from "../incidents/ports.js";

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "");

export function renderDutyStatus(statuses: DutyStatus[]): string {
  const rows = statuses.map((s) => [
    s.duty.key,
    s.duty.name,
    s.schedule.ownerId ?? "—",
    s.lastDone
      ? `${day(s.lastDone.at)} by ${s.lastDone.source === "restore-drill" ? "restore drill" : s.lastDone.by}`
      : "never",
    s.dueAt ? day(s.dueAt) : "now",
    s.overdue ? "OVERDUE" : "",
  ]);
  const head = ["DUTY", "NAME", "OWNER", "LAST DONE", "NEXT DUE", ""];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return `${[line(head), ...rows.map(line)].join("\n")}\n`;
}

export function renderDutyStatusJson(statuses: DutyStatus[]): string {
  return `${JSON.stringify(
    statuses.map((s) => ({
      duty: s.duty.key,
      name: s.duty.name,
      policy: s.duty.policy,
      ownerId: s.schedule.ownerId,
      everyMonths: s.schedule.everyMonths,
      lastDone: s.lastDone ? { ...s.lastDone, at: s.lastDone.at.toISOString() } : null,
      nextDueAt: s.dueAt?.toISOString() ?? null,
      overdue: s.overdue,
    })),
    null,
    2,
  )}\n`;
}

const RISK_COLUMNS = [
  ["id", (r: RegisterRisk) => r.id],
  ["title", (r: RegisterRisk) => r.title || r.description.split("\n")[0]!],
  ["description", (r: RegisterRisk) => r.description],
  ["likelihood", (r: RegisterRisk) => r.likelihood ?? ""],
  ["impact", (r: RegisterRisk) => r.impact ?? ""],
  ["owner", (r: RegisterRisk) => r.ownerId ?? ""],
  ["review_date", (r: RegisterRisk) => day(r.reviewAt)],
  ["status", (r: RegisterRisk) => r.status],
  ["incident", (r: RegisterRisk) => r.incidentKey],
  ["source", (r: RegisterRisk) => r.source],
  ["created_by", (r: RegisterRisk) => r.createdBy],
  ["created_at", (r: RegisterRisk) => r.createdAt.toISOString()],
] as const;

const csvField = (s: string) => `"${s.replace(/"/g, '""')}"`;

export function renderRisksCsv(risks: RegisterRisk[]): string {
  const lines = [RISK_COLUMNS.map(([h]) => csvField(h)).join(",")];
  for (const r of risks) lines.push(RISK_COLUMNS.map(([, f]) => csvField(f(r))).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

const mdCell = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");

export function renderRisksMarkdown(risks: RegisterRisk[]): string {
  const cols = RISK_COLUMNS.filter(([h]) => h !== "id" && h !== "created_by");
  const lines = [
    `| ${cols.map(([h]) => h.replace("_", " ")).join(" | ")} |`,
    `| ${cols.map(() => "---").join(" | ")} |`,
    ...risks.map((r) => `| ${cols.map(([, f]) => mdCell(f(r))).join(" | ")} |`),
  ];
  return `# Risk register\n\n${risks.length ? lines.join("\n") : "No risks match."}\n`;
}

export function renderRisksJson(risks: RegisterRisk[]): string {
  return `${JSON.stringify(
    risks.map((r) => ({
      ...r,
      reviewAt: r.reviewAt?.toISOString() ?? null,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt?.toISOString() ?? null,
    })),
    null,
    2,
  )}\n`;
}

export function renderRisksText(risks: RegisterRisk[]): string {
  if (!risks.length) return "No risks match.\n";
  return `${risks
    .map(
      (r) =>
        `${r.id}  ${r.status.padEnd(9)}  ${r.incidentKey.padEnd(8)}  owner ${(r.ownerId ?? "—").padEnd(11)}  review ${day(r.reviewAt) || "—"}  ${r.title || r.description.split("\n")[0]}`,
    )
    .join("\n")}\n`;
}
