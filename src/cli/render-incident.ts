// Pure renderings of an incident record for the command line: text, Markdown, JSON.

import {
  checklistEventWords,
  commsChecklist,
  openItems,
  recoveryChecklist,
  recoveryRequired,
} from "../incidents/checklists.js";
import { type CompanyPolicy, DEFAULT_COMPANY_POLICY } from "../incidents/company-policy.js";
import type { Incident, Postmortem, TimelineEvent } from "../incidents/model.js";
import { nudgedWords } from "../incidents/nudges.js";
import type { IncidentRecord } from "../incidents/ports.js";
import { severityLabel } from "../incidents/severity.js";
import { STATUS_LABELS } from "../incidents/transitions.js";

export const when = (d: Date | null) => (d ? `${d.toISOString().slice(0, 19).replace("T", " ")}Z` : "—");

function describeEvent(e: TimelineEvent): string {
  const d = e.data as Record<string, unknown>;
  const s = (k: string) => String(d[k] ?? "");
  switch (e.kind) {
    case "declared":
      return `Declared; Incident Commander ${s("commanderId")}, severity ${s("severity")}`;
    case "severity_classified":
      return `Severity ${s("from")} → ${s("to")}: ${s("reason")}`;
    case "impact_updated":
      return `Impact updated: ${Object.keys((d.changed as object) ?? {}).join(", ")}${d.reason ? `: ${s("reason")}` : ""}`;
    case "role_assigned":
      return `${s("userId")} is now ${s("role")}`;
    case "role_unassigned":
      return `${s("userId")} is no longer ${s("role")}`;
    case "handoff_proposed":
      return `IC hand-off proposed to ${s("toUserId")}`;
    case "handoff_accepted":
      return `${s("toUserId")} accepted the IC hand-off from ${s("fromUserId")}`;
    case "handoff_declined":
      return `${s("toUserId")} declined the IC hand-off`;
    case "status_update":
      return `Update: ${s("internalText")}${d.publicText ? ` (public: ${s("publicText")})` : ""}`;
    case "escalated":
      return `Escalated to leadership: ${s("reason")}`;
    case "vendor_check_requested":
      return `Vendor check: ${s("vendor")} asked by ${s("askedBy")}`;
    case "vendor_check_answered":
      return `Vendor ${s("vendor")} answered: ${s("answer")}`;
    case "follow_up_added":
      return `Follow-up for ${s("ownerId")}: ${s("title")}`;
    case "follow_up_done":
      return `Follow-up done${d.source === "github" ? " (its issue was closed on GitHub)" : ""}: ${s("title")}`;
    case "risk_added":
      return `Risk${d.source === "postmortem" ? " (from the post-mortem)" : ""}: ${s("title") || s("description")}`;
    case "risk_updated":
      return `Risk ${s("title")} changed: ${((d.changes as { field: string; to: unknown }[]) ?? []).map((c) => `${c.field} → ${String(c.to ?? "—")}`).join(", ")}`;
    case "note":
      return `Note: ${s("text")}`;
    case "status_changed":
      return `Status ${s("from")} → ${s("to")}${d.reason ? `: ${s("reason")}` : ""}${d.summary ? `: ${s("summary")}` : ""}`;
    case "times_corrected":
      return `Times corrected: ${Object.keys((d.changed as object) ?? {}).join(", ")}`;
    case "postmortem_updated":
      return `Post-mortem edited (${((d.sections as string[]) ?? []).join(", ")})`;
    case "postmortem_owner_assigned":
      return `Post-mortem owner: ${s("ownerId")}`;
    case "postmortem_completed":
      return "Post-mortem marked complete";
    case "postmortem_waived":
      return `Post-mortem waived: ${s("reason")}`;
    case "repair_requested":
      return "Repair requested: missing channel, bookmarks, issue or doc will be recreated";
    case "postmortem_reminded":
      return `Post-mortem reminder ${s("n")} sent to ${s("ownerId")}`;
    case "postmortem_reminder_snoozed":
      return `Post-mortem reminders snoozed until ${s("until")}`;
    case "postmortem_escalated":
      return `Post-mortem past its deadline (${s("deadlineDays")} business days): escalated`;
    case "nudged":
      return nudgedWords(d);
    case "escalation_proposed":
      return `Escalation offered to the IC: ${s("missing")}`;
    case "escalation_declined":
      return `Escalation not needed (IC)${d.reason ? `: ${s("reason")}` : ""}`;
    case "escalation_acknowledged":
      return "Escalation acknowledged by leadership";
    case "day_end_reminded":
      return `End of ${s("icId")}'s working day at ${s("deadline")}: asked to hand off or stay on`;
    case "day_end_snoozed":
      return `${s("icId")} is staying on as IC${d.until ? ` until ${s("until")}` : " until their next working day ends"}`;
    case "day_end_unanswered":
      return `${s("icId")}'s working day ended at ${s("deadline")} with no hand-off accepted`;
    case "recovery_checklist_opened":
    case "checklist_ticked":
    case "recovery_waived":
      return `${checklistEventWords(e)}${e.kind === "checklist_ticked" ? ` (${e.actorId})` : ""}`;
    case "unpublished":
      return `Taken off the status page (public title “${s("title")}”, public id ${s("publicId")}): ${s("reason")}`;
  }
}

function postmortemFact(pm: Postmortem | null): string {
  if (!pm) return "—";
  if (pm.status === "waived") return `waived by ${pm.waivedBy ?? "an admin"}: ${pm.waivedReason ?? ""}`;
  if (pm.status === "complete") return `complete (${pm.completedBy ?? ""}, ${when(pm.completedAt)})`;
  return `draft, owed by ${pm.ownerId ?? "the IC"}`;
}

/** The recovery checklist: how far, or waived; "—" when not owed. */
function recoveryFact(r: IncidentRecord): string {
  const c = recoveryChecklist(r.timeline);
  if (!recoveryRequired(r.incident) && c.items.every((x) => x.state === "open")) return "—";
  if (c.waiver) return `waived by ${c.waiver.by}: ${c.waiver.reason}`;
  const open = openItems(c.items);
  return open.length
    ? `${c.items.length - open.length} of ${c.items.length} done; open: ${open.map((x) => x.label).join(", ")}`
    : "done";
}

/** Who was told it is resolved: the checklist, or the free-text list of an incident resolved before it. */
function toldFact(r: IncidentRecord): string {
  const c = commsChecklist(r.timeline);
  if (c.legacy) return c.legacy.join(", ") || "—";
  if (!c.items.length) return "—";
  const told = c.items.filter((x) => x.state === "done").map((x) => x.label);
  const untold = openItems(c.items).map((x) => x.label);
  const na = c.items.filter((x) => x.state === "not_applicable").map((x) => `${x.label} (n/a: ${x.reason ?? ""})`);
  return [
    told.length ? `told: ${told.join(", ")}` : "",
    untold.length ? `still to tell: ${untold.join(", ")}` : "",
    na.length ? na.join(", ") : "",
  ]
    .filter(Boolean)
    .join("; ");
}

function facts(r: IncidentRecord, company: CompanyPolicy): [string, string][] {
  const i = r.incident;
  const pm = r.postmortem;
  return [
    ["Status", STATUS_LABELS[i.status]],
    ["Severity", severityLabel(i.severity, company)],
    ["Private", i.private ? "yes" : "no"],
    ["Impact", i.impacts.join(", ") || "—"],
    ["Components", i.scope.components.join(", ") || "—"],
    ["Regions", i.scope.regions.join(", ") || "—"],
    ["Customers affected", i.scope.customersAffected?.toString() ?? "unknown"],
    ["Named customers", i.scope.customers.join(", ") || "—"],
    ["Data disrupted", i.disrupted || i.impacts.includes("data_loss") ? "yes" : "no"],
    ["Recovery checklist", recoveryFact(r)],
    ["Asset risk", i.assetRisk || "—"],
    ["Reported", `${i.reportSource}${i.reportedBy ? ` by ${i.reportedBy}` : ""}`],
    ["Impact started", when(i.times.impactStartedAt)],
    ["Detected", when(i.times.detectedAt)],
    ["Declared", when(i.times.declaredAt)],
    ["Mitigated", when(i.times.mitigatedAt)],
    ["Resolved", when(i.times.resolvedAt)],
    ["Closed", when(i.times.closedAt)],
    ["Parties told", toldFact(r)],
    ["Post-mortem", postmortemFact(pm)],
  ];
}

export function renderText(r: IncidentRecord, company: CompanyPolicy = DEFAULT_COMPANY_POLICY): string {
  const i = r.incident;
  const lines = [`${i.key}  ${i.title}`, ""];
  for (const [k, v] of facts(r, company)) lines.push(`${k.padEnd(20)}${v}`);
  const active = r.roles.filter((x) => x.endedAt === null);
  lines.push("", "Roles:");
  for (const x of active) lines.push(`  ${x.role.padEnd(18)}${x.userId}`);
  if (i.summary) lines.push("", "Summary:", `  ${i.summary}`);
  lines.push("", `Timeline (${r.timeline.length} events):`);
  for (const e of r.timeline) lines.push(`  ${when(e.at)}  ${e.actorId.padEnd(12)} ${describeEvent(e)}`);
  return `${lines.join("\n")}\n`;
}

const md = (s: string) => s.replace(/([\\`*_[\]|<>#])/g, "\\$1").replace(/\n/g, " ");

export function renderMarkdown(r: IncidentRecord, company: CompanyPolicy = DEFAULT_COMPANY_POLICY): string {
  const i = r.incident;
  const lines = [`# ${i.key}: ${md(i.title)}`, "", "| | |", "|---|---|"];
  for (const [k, v] of facts(r, company)) lines.push(`| ${k} | ${md(v)} |`);
  lines.push("", "## Roles", "");
  for (const x of r.roles.filter((y) => y.endedAt === null)) lines.push(`- **${x.role}**: ${md(x.userId)}`);
  if (i.summary) lines.push("", "## Summary", "", md(i.summary));
  lines.push("", "## Timeline", "", "| Time (UTC) | Who | What |", "|---|---|---|");
  for (const e of r.timeline) lines.push(`| ${when(e.at)} | ${md(e.actorId)} | ${md(describeEvent(e))} |`);
  return `${lines.join("\n")}\n`;
}

export function renderJson(r: IncidentRecord): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

export function renderList(incidents: Incident[], company: CompanyPolicy = DEFAULT_COMPANY_POLICY): string {
  if (incidents.length === 0) return "No incidents match.\n";
  const rows = incidents.map((i) =>
    [
      i.key.padEnd(9),
      STATUS_LABELS[i.status].padEnd(16),
      severityLabel(i.severity, company).padEnd(13),
      when(i.times.declaredAt).padEnd(21),
      i.private ? "[private] " : "",
      i.title,
    ].join(" "),
  );
  return `${["KEY       STATUS           SEVERITY      DECLARED", ...rows].join("\n")}\n`;
}
