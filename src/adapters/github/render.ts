// What the GitHub issue says. GitHub markdown, not Slack mrkdwn; the
// incident's own text is quoted so it can't mention people or close issues.
import { checklistEventWords } from "../../incidents/checklists.js";
import { impactChangeWords } from "../../incidents/commands/update-impact.js";
import { type CompanyPolicy, DEFAULT_COMPANY_POLICY } from "../../incidents/company-policy.js";
import type { Incident, Postmortem, RoleAssignment, TimelineEvent } from "../../incidents/model.js";
import { POSTMORTEM_PARTS } from "../../incidents/postmortem-rules.js";
import { severityLabel } from "../../incidents/severity.js";
import { STATUS_LABELS } from "../../incidents/transitions.js";

export const MAX_BODY = 65_536;

export const incidentMarker = (incidentId: string) => `<!-- muster:incident:${incidentId} -->`;
export const eventMarker = (eventId: number) => `<!-- muster:event:${eventId} -->`;

/** Neutralises @mentions and #refs so quoting incident text pings nobody and links nothing. */
export function quote(s: string): string {
  return s.replace(/@/g, "@\u200b").replace(/#(\d)/g, "#\u200b$1");
}

export function issueTitle(i: Incident): string {
  return `[${i.key}] ${quote(i.title)}`.slice(0, 256);
}

/** A private incident's issue in the shared repository: its key, nothing of its title. */
export function minimalIssueTitle(i: Incident): string {
  return `[${i.key}] Private incident`;
}

export const LABELS = {
  incident: { name: "incident", color: "b60205", description: "Tracked by muster" },
  severity: (s: string) => ({
    name: `severity: ${s}`,
    color: s === "critical" ? "b60205" : s === "high" ? "d93f0b" : s === "medium" ? "fbca04" : "c5def5",
    description: "Incident severity",
  }),
  status: (s: string) => ({ name: `status: ${s.replace(/_/g, " ")}`, color: "0e8a16", description: "Incident status" }),
};

export function issueLabels(i: Incident): { name: string; color: string; description: string }[] {
  return [LABELS.incident, LABELS.severity(i.severity), LABELS.status(i.status)];
}

export interface IssueLinks {
  channelUrl: string | null;
  channelName: string | null;
  docUrl: string | null;
  postmortemDocUrl: string | null;
  followUps: { title: string; url: string }[];
  /** Its state shows on the issue; a waiver with its reason. */
  postmortem?: Postmortem | null;
}

function postmortemState(pm: Postmortem | null | undefined, minimal: boolean): string[] {
  if (!pm) return [];
  if (pm.status === "waived")
    return [`**Post-mortem:** waived by an admin${minimal ? "" : `: ${quote(pm.waivedReason ?? "")}`}`];
  return [`**Post-mortem:** ${pm.status === "complete" ? "complete" : "owed (draft)"}`];
}

const who = (userId: string | null) => (userId ? `Slack user \`${userId}\`` : "nobody yet");

export function issueBody(
  i: Incident,
  roles: RoleAssignment[],
  links: IssueLinks,
  company: CompanyPolicy = DEFAULT_COMPANY_POLICY,
): string {
  const ic = roles.find((r) => r.role === "commander")?.userId ?? null;
  const sev = i.severity === "unclassified" ? "Not classified yet." : company.severities[i.severity].definition;
  const lines = [
    `**Severity:** ${severityLabel(i.severity, company)} — ${sev}`,
    `**Status:** ${STATUS_LABELS[i.status]}`,
    `**Incident Commander:** ${who(ic)}`,
    `**Declared:** ${i.times.declaredAt.toISOString()}`,
    ...postmortemState(links.postmortem, false),
    "",
    "## Summary",
    i.summary ? quote(i.summary) : "_No summary yet._",
    "",
    "## Scope",
    `- Components: ${quote(i.scope.components.join(", ")) || "—"}`,
    `- Regions: ${quote(i.scope.regions.join(", ")) || "—"}`,
    ...(i.scope.customersAffected !== null ? [`- Customers affected: ${i.scope.customersAffected}`] : []),
    ...(i.assetRisk ? [`- Risk to assets: ${quote(i.assetRisk)}`] : []),
    "",
    "## Links",
    `- Slack: ${links.channelUrl ? `[#${links.channelName ?? "incident channel"}](${links.channelUrl})` : "_channel being created_"}`,
    `- Doc: ${links.docUrl ? `[incident doc](${links.docUrl})` : "_being created_"}`,
    ...(links.postmortemDocUrl ? [`- Post-mortem: [doc](${links.postmortemDocUrl})`] : []),
    ...(i.resolutionSummary ? ["", "## Resolution", quote(i.resolutionSummary)] : []),
    ...(links.followUps.length ? ["", "## Follow-up issues", ...links.followUps.map((f) => `- [ ] ${f.url}`)] : []),
    "",
    "_Kept current by muster; edits here are overwritten. Discuss in Slack or comment below._",
    incidentMarker(i.id),
  ];
  const body = lines.join("\n");
  return body.length <= MAX_BODY ? body : `${body.slice(0, MAX_BODY - 200)}\n\n…(cut)\n${incidentMarker(i.id)}`;
}

/**
 * A private incident's issue in the shared repository: key, severity,
 * status, IC and links. Its title, summary, scope and resolution stay in
 * Slack (or in GITHUB_CONFIDENTIAL_REPO).
 */
export function minimalIssueBody(
  i: Incident,
  roles: RoleAssignment[],
  links: IssueLinks,
  company: CompanyPolicy = DEFAULT_COMPANY_POLICY,
): string {
  const ic = roles.find((r) => r.role === "commander")?.userId ?? null;
  return [
    `**Private incident.** Its details are kept in its private Slack channel and doc.`,
    "",
    `**Severity:** ${severityLabel(i.severity, company)}`,
    `**Status:** ${STATUS_LABELS[i.status]}`,
    `**Incident Commander:** ${who(ic)}`,
    ...postmortemState(links.postmortem, true),
    "",
    "## Links",
    `- Slack: ${links.channelUrl ? `[incident channel](${links.channelUrl})` : "_channel being created_"}`,
    `- Doc: ${links.docUrl ? `[incident doc](${links.docUrl})` : "_being created_"}`,
    ...(links.postmortemDocUrl ? [`- Post-mortem: [doc](${links.postmortemDocUrl})`] : []),
    ...(links.followUps.length ? ["", "## Follow-up issues", ...links.followUps.map((f) => `- [ ] ${f.url}`)] : []),
    "",
    "_Kept current by muster._",
    incidentMarker(i.id),
  ].join("\n");
}

/** The completed post-mortem, part by part, for the issue. */
export function postmortemSummary(pm: Postmortem): string {
  const parts = POSTMORTEM_PARTS.map(({ key, label }) => `### ${label}\n${quote(pm[key].trim()) || "—"}`);
  return [
    "**Post-mortem completed.**",
    "",
    ...(pm.publicSummary.trim()
      ? ["**Public summary:**", `> ${quote(pm.publicSummary.trim()).replace(/\n/g, "\n> ")}`, ""]
      : []),
    ...parts,
    ...(pm.externalVersionShared
      ? ["", `A version was shared with external affected parties: ${quote(pm.externalSharedWhere)}`]
      : []),
  ].join("\n");
}

export interface CommentOptions {
  /** A private incident in the shared repository: say what happened, never its words. */
  minimal?: boolean;
  /** For postmortem_completed: the post-mortem as completed. */
  postmortem?: Postmortem | null;
  /** Whose severity names to use; the policy's own when absent. */
  company?: CompanyPolicy;
}

const impactChanges = (changed: unknown) => quote(impactChangeWords(changed).join("; "));

export function commentBody(e: TimelineEvent, i: Incident, o: CommentOptions = {}): string | null {
  const d = e.data as Record<string, unknown>;
  const s = (k: string) => (o.minimal ? "" : typeof d[k] === "string" ? quote(d[k] as string) : "");
  let text: string | null = null;
  switch (e.kind) {
    case "severity_classified":
      text = `**Severity changed** to ${severityLabel((d.to as never) ?? i.severity, o.company)}.${o.minimal ? "" : ` Reason: ${s("reason")}`}`;
      break;
    case "impact_updated":
      text = `**Impact updated**: ${impactChanges(d.changed)}.${d.reason ? ` Reason: ${s("reason")}` : ""}`;
      break;
    case "handoff_accepted":
      text = `**Incident Commander hand-off**: ${who(String(d.toUserId ?? e.actorId))} is now the IC.`;
      break;
    case "status_update":
      text = `**Status update**\n\n${s("internalText") || "(see Slack)"}${d.publicText && !o.minimal ? `\n\n**Customer-facing:**\n> ${s("publicText")}` : ""}`;
      break;
    case "escalated":
      text = `**Escalated to leadership.**${o.minimal ? "" : ` ${s("reason")}`}`;
      break;
    case "escalation_acknowledged":
      text = "**Leadership acknowledged the escalation.**";
      break;
    case "vendor_check_answered":
      text = o.minimal ? "**Vendor check answered.**" : `**Vendor check**: ${s("vendor")} answered ${s("answer")}.`;
      break;
    case "follow_up_added":
      text = `**Follow-up added**${o.minimal ? "." : `: ${s("title")}`}`;
      break;
    case "status_changed":
      text = `**Status**: ${STATUS_LABELS[d.to as "resolved"] ?? s("to")}.${d.summary ? `\n\n${s("summary")}` : ""}`;
      break;
    case "postmortem_completed":
      text = !o.minimal && o.postmortem ? postmortemSummary(o.postmortem) : "**Post-mortem completed.**";
      break;
    case "postmortem_waived":
      text = `**Post-mortem waived** by an admin${o.minimal ? "." : `: ${s("reason")}`}`;
      break;
    case "follow_up_done":
      text = `**Follow-up done**${o.minimal ? "." : `: ${s("title")}`}`;
      break;
    case "recovery_checklist_opened":
    case "checklist_ticked":
    case "recovery_waived":
      // Labels are muster's own or a customer's name (kept out of the minimal form, like other text).
      text = o.minimal
        ? `**${e.kind === "recovery_checklist_opened" ? "Recovery checklist opened" : e.kind === "recovery_waived" ? "Recovery checklist waived" : "Checklist item ticked"}.**`
        : `**${e.kind === "checklist_ticked" ? "Checklist" : "BCP/DR recovery"}**: ${quote(checklistEventWords(e) ?? "")}${e.kind === "checklist_ticked" ? ` (by ${who(e.actorId)})` : ""}`;
      break;
    default:
      return null;
  }
  const body = `${text}\n\n<sub>${e.at.toISOString()} via muster</sub>\n${eventMarker(e.id)}`;
  return body.length <= MAX_BODY ? body : `${body.slice(0, MAX_BODY - 100)}…\n${eventMarker(e.id)}`;
}
