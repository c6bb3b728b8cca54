// `muster report` output: the period's aggregates as Markdown, JSON or CSV.
import {
  DURATION_LABELS,
  DURATIONS,
  type DurationStats,
  type InsightsReport,
  REPORT_SEVERITIES,
} from "../insights/report.js";

/** 0 s, 45 s, 12 min, 3 h 05 min, 2 d 4 h: short and unambiguous. */
export function formatDuration(s: number | null): string {
  if (s === null) return "—";
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, "0")} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export const percent = (r: number | null) => (r === null ? "—" : `${Math.round(r * 1000) / 10}%`);
const int = (n: number) => Math.round(n).toLocaleString("en-US");
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderReportMarkdown(r: InsightsReport): string {
  const lines: string[] = [];
  const filters = [
    r.filter.severity ? `severity ${r.filter.severity.join(", ")}` : null,
    r.filter.component ? `component ${r.filter.component}` : null,
  ].filter(Boolean);
  lines.push(`# Incident report ${r.since.slice(0, 10)} – ${r.until.slice(0, 10)}`);
  lines.push("");
  lines.push(
    `Incidents declared from ${r.since} until ${r.until}${filters.length ? ` (${filters.join("; ")})` : ""}. Generated ${r.generatedAt}.`,
  );
  lines.push("");
  lines.push(`## Counts`, "", `| | Incidents |`, `|---|---:|`, `| All | ${int(r.incidents)} |`);
  for (const s of REPORT_SEVERITIES) lines.push(`| ${s[0]!.toUpperCase()}${s.slice(1)} | ${int(r.bySeverity[s])} |`);
  lines.push(
    `| Unavailability | ${int(r.byImpactKind.unavailability)} |`,
    `| Degraded performance (latency) | ${int(r.byImpactKind.degradedPerformance)} |`,
    `| Data | ${int(r.byImpactKind.data)} |`,
    `| Reopened | ${int(r.reopened)} |`,
    `| Severity changes | ${int(r.severityChanges)} |`,
  );
  lines.push("", "## Durations (from impact start; first update from declaring)", "");
  lines.push("| | Median | p90 | Incidents |", "|---|---:|---:|---:|");
  for (const k of DURATIONS) {
    const d: DurationStats = r.durations[k];
    lines.push(`| ${DURATION_LABELS[k]} | ${formatDuration(d.medianS)} | ${formatDuration(d.p90S)} | ${int(d.n)} |`);
  }
  const b = r.blastRadius;
  lines.push("", "## Blast radius", "");
  lines.push(
    `- Customer-minutes affected: ${int(b.customerMinutes)} (over ${int(b.withCustomers)} incidents that know their customers)`,
    `- Customers affected, summed: ${int(b.customersAffected)}; largest: ${b.maxCustomers === null ? "—" : int(b.maxCustomers)}`,
    `- Incidents touching several components: ${int(b.multiComponent)}; several regions: ${int(b.multiRegion)}`,
  );
  lines.push("", "## Incidents per component", "");
  if (r.components.length) {
    lines.push("| Component | Incidents |", "|---|---:|");
    for (const c of r.components) lines.push(`| ${cell(c.component)} | ${int(c.incidents)} |`);
  } else lines.push("No components recorded.");
  const pm = r.postmortems;
  lines.push("", "## Follow-through", "");
  lines.push(
    `- Post-mortems: ${int(pm.completed)} of ${int(pm.required - pm.waived)} owed complete (${percent(pm.completionRate)}); ${int(pm.waived)} waived`,
    `- On time: ${int(pm.onTime)} of ${int(pm.judged)} completed or past their deadline (${percent(pm.onTimeRate)})`,
    `- Follow-ups: ${int(r.followUps.done)} of ${int(r.followUps.total)} done (${percent(r.followUps.completionRate)})`,
    `- Hand-offs: ${int(r.handoffs.total)} (${r.handoffs.perIncident === null ? "—" : r.handoffs.perIncident.toFixed(2)} per incident)`,
  );
  if (r.weeks.length) {
    lines.push("", "## Weeks", "");
    lines.push(
      `| Week of | ${REPORT_SEVERITIES.map((s) => s[0]!.toUpperCase() + s.slice(1)).join(" | ")} | Median to mitigate | Median to resolve | Customer-minutes |`,
      `|---|${REPORT_SEVERITIES.map(() => "---:").join("|")}|---:|---:|---:|`,
    );
    for (const w of r.weeks)
      lines.push(
        `| ${w.week} | ${REPORT_SEVERITIES.map((s) => int(w.bySeverity[s])).join(" | ")} | ${formatDuration(w.medianToMitigateS)} | ${formatDuration(w.medianToResolveS)} | ${int(w.customerMinutes)} |`,
      );
  }
  return `${lines.join("\n")}\n`;
}

export const renderReportJson = (r: InsightsReport) => `${JSON.stringify(r, null, 2)}\n`;

const csvField = (v: string | number | null) => {
  const s = v === null ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Long form, one figure a row (metric, dimension, value): pivots cleanly in a spreadsheet. */
export function renderReportCsv(r: InsightsReport): string {
  const rows: [string, string, string | number | null][] = [
    ["period_since", "", r.since],
    ["period_until", "", r.until],
    ["filter_severity", "", r.filter.severity?.join(" ") ?? null],
    ["filter_component", "", r.filter.component],
    ["incidents", "", r.incidents],
  ];
  for (const s of REPORT_SEVERITIES) rows.push(["incidents_by_severity", s, r.bySeverity[s]]);
  for (const [k, v] of Object.entries(r.byImpactKind)) rows.push(["incidents_by_impact", k, v]);
  rows.push(["reopened", "", r.reopened], ["severity_changes", "", r.severityChanges]);
  for (const k of DURATIONS) {
    rows.push([`${k}_median_s`, "", r.durations[k].medianS], [`${k}_p90_s`, "", r.durations[k].p90S]);
    rows.push([`${k}_n`, "", r.durations[k].n]);
  }
  for (const [k, v] of Object.entries(r.blastRadius)) rows.push([`blast_radius_${k}`, "", v]);
  for (const c of r.components) rows.push(["incidents_by_component", c.component, c.incidents]);
  for (const [k, v] of Object.entries(r.postmortems)) rows.push([`postmortems_${k}`, "", v]);
  for (const [k, v] of Object.entries(r.followUps)) rows.push([`follow_ups_${k}`, "", v]);
  rows.push(["handoffs_total", "", r.handoffs.total], ["handoffs_per_incident", "", r.handoffs.perIncident]);
  for (const w of r.weeks) {
    for (const s of REPORT_SEVERITIES) rows.push([`week_incidents_${s}`, w.week, w.bySeverity[s]]);
    rows.push(["week_median_to_mitigate_s", w.week, w.medianToMitigateS]);
    rows.push(["week_median_to_resolve_s", w.week, w.medianToResolveS]);
    rows.push(["week_customer_minutes", w.week, w.customerMinutes]);
  }
  return `${["metric,dimension,value", ...rows.map((row) => row.map(csvField).join(","))].join("\n")}\n`;
}
