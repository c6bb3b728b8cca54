// How an incident looks in Slack: topic, control message, announcement.

import { recoveryRequired } from "../../incidents/checklists.js";
import { type CompanyPolicy, DEFAULT_COMPANY_POLICY } from "../../incidents/company-policy.js";
import type { RoleDefinition } from "../../incidents/context.js";
import type { Incident, Postmortem, RoleAssignment } from "../../incidents/model.js";
import { COMMANDER } from "../../incidents/model.js";
import type { Publication } from "../../incidents/publication.js";
import { severityLabel } from "../../incidents/severity.js";
import { isOpen, STATUS_LABELS } from "../../incidents/transitions.js";
import type { IncidentLinks } from "../../jobs/refs.js";
import { fitTopic } from "../channel-name.js";
import { ACTION } from "../ids.js";
import { channelLink, link, mention, safe, slackDate } from "../text.js";
import { actions, type Block, button, context, fields, header, message, section } from "./blocks.js";
import { postmortemLine } from "./postmortem.js";

export type { IncidentLinks };

export interface IncidentView {
  incident: Incident;
  roles: RoleAssignment[];
  links: IncidentLinks;
  /** Its state (a waiver with its reason) shows on the control message. */
  postmortem?: Postmortem | null;
  /** What is on the public status page (public words), with a button to take it down. */
  publication?: Pick<Publication, "title"> | null;
}

export const commanderId = (roles: RoleAssignment[]) => roles.find((r) => r.role === COMMANDER)?.userId ?? null;

const SEVERITY_EMOJI: Record<string, string> = {
  critical: ":red_circle:",
  high: ":large_orange_circle:",
  medium: ":large_yellow_circle:",
  low: ":white_circle:",
  unclassified: ":grey_question:",
};

export const statusLabel = (i: Incident) => STATUS_LABELS[i.status];

export function topic(v: IncidentView, company: CompanyPolicy = DEFAULT_COMPANY_POLICY): string {
  const i = v.incident;
  return fitTopic(
    `${severityLabel(i.severity, company)} · ${statusLabel(i)} · IC ${mention(commanderId(v.roles))}${i.private ? " · private" : ""}`,
  );
}

function roleLines(roles: RoleAssignment[], definitions: RoleDefinition[]): string {
  if (!roles.length) return "No roles assigned yet.";
  return roles
    .map((r) => `*${safe(definitions.find((d) => d.key === r.role)?.name ?? r.role, 80)}*: ${mention(r.userId)}`)
    .join("\n");
}

function linkLine(l: IncidentLinks): string {
  const parts = [
    l.issueUrl ? link(l.issueUrl, "GitHub issue") : "GitHub issue: being created…",
    l.docUrl ? link(l.docUrl, "Incident doc") : "Incident doc: being created…",
  ];
  if (l.postmortemDocUrl) parts.push(link(l.postmortemDocUrl, "Post-mortem doc"));
  return parts.join("  ·  ");
}

/** The pinned message in the incident channel: state at a glance and the buttons. */
export function controlMessage(
  v: IncidentView,
  definitions: RoleDefinition[],
  company: CompanyPolicy = DEFAULT_COMPANY_POLICY,
) {
  const i = v.incident;
  const open = isOpen(i.status);
  const buttons = open
    ? [
        button("Set severity", ACTION.openSeverity, i.key),
        button("Impact", ACTION.openImpact, i.key),
        button("Assign role", ACTION.openRole, i.key),
        button("Hand off IC", ACTION.openHandoff, i.key),
        button("Post update", ACTION.openUpdate, i.key, "primary"),
        ...(i.status === "investigating" ? [button("Mitigated", ACTION.mitigate, i.key)] : []),
        button("Resolve", ACTION.openResolve, i.key, "danger"),
      ]
    : i.status === "resolved"
      ? [
          button("Post-mortem", ACTION.openPostmortem, i.key, "primary"),
          ...(v.links.postmortemDocUrl ? [button("Import from doc", ACTION.importPostmortem, i.key)] : []),
          // What the post-mortem reports (blast radius, time to recovery) is still correctable.
          button("Impact", ACTION.openImpact, i.key),
          button("Correct times", ACTION.openTimes, i.key),
        ]
      : [];
  const blocks: Block[] = [
    header(`${i.key}: ${i.title}`),
    fields([
      `*Severity*\n${SEVERITY_EMOJI[i.severity] ?? ""} ${severityLabel(i.severity, company)}`,
      `*Status*\n${statusLabel(i)}`,
      `*Incident Commander*\n${mention(commanderId(v.roles))}`,
      `*Declared*\n${slackDate(i.times.declaredAt)} by ${mention(i.declaredBy)}`,
    ]),
  ];
  if (i.summary) blocks.push(section(safe(i.summary)));
  if (i.severity !== "unclassified") blocks.push(context([safe(company.severities[i.severity].definition)]));
  blocks.push(section(`*Roles*\n${roleLines(v.roles, definitions)}`));
  blocks.push(section(linkLine(v.links)));
  if (v.postmortem || i.status === "resolved" || i.status === "closed")
    blocks.push(section(postmortemLine(v.postmortem ?? null, v.postmortem?.ownerId ?? commanderId(v.roles))));
  // The checklists the incident owes: shown to whoever presses, with their buttons.
  if (buttons.length && recoveryRequired(i)) buttons.push(button("Recovery checklist", ACTION.showRecovery, i.key));
  if (i.status === "resolved") buttons.push(button("Who to tell", ACTION.showComms, i.key));
  if (v.publication) {
    blocks.push(context([`:globe_with_meridians: On the public status page as “${safe(v.publication.title, 200)}”`]));
    // Whatever the status: a closed incident stays in the page's history until taken down.
    buttons.push(button("Unpublish", ACTION.openUnpublish, i.key));
  }
  if (buttons.length) blocks.push(actions("controls", buttons));
  blocks.push(context(["Commands here act on this incident: `/incident help` lists them."]));
  return message(`${i.key}: ${severityLabel(i.severity, company)}, ${statusLabel(i)}`, blocks);
}

/**
 * The message in #incident-response, updated in place. A private incident
 * shows only that it exists, its key and its IC.
 */
export function announcement(v: IncidentView, company: CompanyPolicy = DEFAULT_COMPANY_POLICY) {
  const i = v.incident;
  const ic = mention(commanderId(v.roles));
  if (i.private) {
    return message(`${i.key}: a private incident`, [
      section(`:lock: *${i.key}*: a private incident was declared. Incident Commander: ${ic}.`),
      context([`${statusLabel(i)} · Ask the IC if you think you should be involved.`]),
    ]);
  }
  const where = v.links.channelId ? `Join ${channelLink(v.links.channelId)} to help.` : "Its channel is being created.";
  return message(`${i.key}: ${i.title} (${severityLabel(i.severity, company)}, ${statusLabel(i)})`, [
    section(
      `${SEVERITY_EMOJI[i.severity] ?? ""} *${i.key}: ${safe(i.title, 200)}*\n` +
        `*Severity:* ${severityLabel(i.severity, company)}   *Status:* ${statusLabel(i)}   *IC:* ${ic}`,
    ),
    context([where, `Declared ${slackDate(i.times.declaredAt)} by ${mention(i.declaredBy)}`]),
    ...(v.postmortem?.status === "waived" ? [context([postmortemLine(v.postmortem)])] : []),
  ]);
}

/** One line per incident for lists, hiding what a private incident is about. */
export function incidentLine(
  i: Incident,
  roles: RoleAssignment[],
  canSee: boolean,
  company: CompanyPolicy = DEFAULT_COMPANY_POLICY,
): string {
  const what = i.private && !canSee ? "_private incident_" : safe(i.title, 150);
  return `*${i.key}* ${what} · ${severityLabel(i.severity, company)} · ${statusLabel(i)} · IC ${mention(commanderId(roles))}`;
}
