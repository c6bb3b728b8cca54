// The post-mortem and the records it rests on, as Slack shows them: its state
// line (the waiver included), the "what is owed" message, the suggested
// words a form starts from, the follow-up list and the vendor-check message.
import type { FollowUp, Incident, Postmortem, PostmortemSection, VendorCheck } from "../../incidents/model.js";
import type { IncidentRecord } from "../../incidents/ports.js";
import { severityLabel } from "../../incidents/severity.js";
import { ACTION } from "../ids.js";
import { link, mention, safe, slackDate } from "../text.js";
import { actions, type Block, button, context, message, section } from "./blocks.js";

/** "Post-mortem: draft, owed by @x" / "complete" / "waived by an admin: reason". */
export function postmortemLine(pm: Postmortem | null, owner: string | null = pm?.ownerId ?? null): string {
  if (!pm) return `*Post-mortem:* not started${owner ? `; owed by ${mention(owner)}` : ""}`;
  if (pm.status === "waived")
    return `*Post-mortem:* waived by ${mention(pm.waivedBy)}: ${safe(pm.waivedReason ?? "", 500)}`;
  if (pm.status === "complete") return `*Post-mortem:* complete (marked by ${mention(pm.completedBy)})`;
  return `*Post-mortem:* draft, owed by ${mention(pm.ownerId ?? owner)}`;
}

/** On resolve (and to a new owner): what is owed, by whom, where to write it. */
export function postmortemOwed(
  incident: Incident,
  pm: Postmortem | null,
  docUrl: string | null,
  reason: string | null,
) {
  const why = reason ? ` because ${safe(reason, 200)}` : "";
  const text = `:memo: ${incident.key} needs a post-mortem${why}. Owner: ${mention(pm?.ownerId ?? null)}.`;
  return message(text, [
    section(
      `${text}\nIt holds the policy's six parts (details, timeline, impact, actions taken to mitigate or resolve, root causes, follow-up actions), the newly identified risks, whether a version went to external affected parties, and a public summary.${docUrl ? `\nWrite it in the ${link(docUrl, "post-mortem doc")} and import it, or in Slack.` : ""}`,
    ),
    actions("postmortem", [
      button("Post-mortem", ACTION.openPostmortem, incident.key, "primary"),
      ...(docUrl ? [button("Import from doc", ACTION.importPostmortem, incident.key)] : []),
    ]),
    context([`\`/incident postmortem\` opens it; \`/incident postmortem owner @someone\` hands it on.`]),
  ]);
}

/** The buttons that end a reminder by fixing its cause, or put it off. */
function reminderButtons(incident: Incident, docUrl: string | null) {
  return actions("postmortem_reminder", [
    ...(docUrl ? [button("Open doc", ACTION.link, incident.key, undefined, docUrl)] : []),
    button("Write", ACTION.openPostmortem, incident.key, "primary"),
    button("Mark complete", ACTION.completePostmortem, incident.key),
    button("Snooze a day", ACTION.snoozePostmortem, incident.key),
    button("Not needed", ACTION.openWaivePostmortem, incident.key),
  ]);
}

/** The owner's reminder by DM, on business days until the post-mortem is complete or waived. */
export function postmortemReminder(incident: Incident, docUrl: string | null, n: number) {
  const text = `:memo: Reminder${n > 1 ? ` ${n}` : ""}: the ${incident.key} post-mortem is yours and still a draft.`;
  return message(text, [
    section(`${text}
*${safe(incident.title, 200)}*`),
    reminderButtons(incident, docUrl),
    context([
      "Reminders come on your business days until it is complete. Not needed? An admin can waive it, with a reason.",
    ]),
  ]);
}

/** Past the deadline: to the lead, with the IC in copy. */
export function postmortemOverdue(
  incident: Incident,
  ownerId: string,
  commander: string | null,
  deadlineDays: number,
  docUrl: string | null,
) {
  const text = `:rotating_light: The ${incident.key} post-mortem is past its deadline of ${deadlineDays} business days after resolution.`;
  return message(text, [
    section(
      `${text}
*${safe(incident.title, 200)}* (${severityLabel(incident.severity)})
Owner: ${mention(ownerId)}. IC: ${mention(commander)}.`,
    ),
    reminderButtons(incident, docUrl),
  ]);
}

const when = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace("T", " ")} UTC` : "—");
const minutes = (a: Date | null, b: Date | null) =>
  a && b ? `${Math.max(0, Math.round((b.getTime() - a.getTime()) / 60_000))} minutes` : null;

const TIMELINE_WORDS: Record<string, (d: Record<string, unknown>) => string | null> = {
  declared: () => "Declared",
  severity_classified: (d) => `Severity set to ${severityLabel((d.to as "low") ?? "unclassified")}`,
  status_changed: (d) => `Status: ${String(d.to ?? "").replace(/_/g, " ")}`,
  handoff_accepted: () => "IC hand-off",
  escalated: () => "Escalated to leadership",
  status_update: (d) => (typeof d.internalText === "string" ? `Update: ${d.internalText}` : "Status update"),
  vendor_check_answered: (d) => `Vendor ${String(d.vendor ?? "")} answered ${String(d.answer ?? "")}`,
  note: (d) => (typeof d.text === "string" ? `Note: ${d.text}` : null),
};

/** Words muster can offer for empty parts: what it knows from the record. */
export function suggestedPostmortem(r: IncidentRecord): Partial<Record<PostmortemSection, string>> & {
  publicSummary: string;
} {
  const i = r.incident;
  const t = i.times;
  const timeline = r.timeline
    .map((e) => {
      const words = TIMELINE_WORDS[e.kind]?.(e.data as Record<string, unknown>);
      return words ? `${when(e.at)}  ${words.replace(/\s+/g, " ").slice(0, 200)}` : null;
    })
    .filter((x): x is string => x !== null)
    .slice(0, 60)
    .join("\n");
  const duration = minutes(t.impactStartedAt ?? t.detectedAt ?? t.declaredAt, t.resolvedAt ?? t.mitigatedAt);
  const impact = [
    i.impacts.length ? `Impacts: ${i.impacts.map((x) => x.replace(/_/g, " ")).join(", ")}.` : null,
    i.scope.customersAffected !== null ? `Customers affected: ${i.scope.customersAffected}.` : null,
    i.scope.components.length ? `Components: ${i.scope.components.join(", ")}.` : null,
    i.scope.regions.length ? `Regions: ${i.scope.regions.join(", ")}.` : null,
    duration ? `Duration: ${duration} (impact start to ${t.resolvedAt ? "resolution" : "mitigation"}).` : null,
  ]
    .filter(Boolean)
    .join("\n");
  const details = [i.summary, i.resolutionSummary ? `Resolution: ${i.resolutionSummary}` : ""]
    .filter(Boolean)
    .join("\n\n");
  return { details, timeline, impact, publicSummary: "" };
}

/** `/incident followups`: each with its owner, its issue and a Done button while open. */
export function followUpsMessage(incident: Incident, followUps: FollowUp[], issueUrls: Map<string, string>) {
  if (!followUps.length) {
    return message(`${incident.key} has no follow-ups`, [
      section(`${incident.key} has no follow-up actions yet. Add one with \`/incident followup\`.`),
    ]);
  }
  const blocks: Block[] = [section(`*Follow-up actions of ${incident.key}*`)];
  for (const f of followUps.slice(0, 40)) {
    const url = issueUrls.get(f.id);
    const line = `${f.status === "done" ? ":white_check_mark:" : ":black_square_button:"} ${safe(f.title, 300)} · ${mention(f.ownerId)}${f.dueDate ? ` · due ${slackDate(f.dueDate)}` : ""}${url ? ` · ${link(url, "issue")}` : ""}`;
    blocks.push(
      f.status === "open"
        ? section(line, button("Done", ACTION.followUpDone, `${incident.key}|${f.id}`, "primary"))
        : section(line),
    );
  }
  blocks.push(
    context([
      "A follow-up whose GitHub issue is closed counts as done: muster reads them back hourly and whenever this list is shown.",
    ]),
  );
  return message(`Follow-ups of ${incident.key}`, blocks);
}

/** A vendor check in the incident channel, with the answers as buttons while it waits. */
export function vendorCheckMessage(incident: Incident, check: VendorCheck, who: string) {
  const text = `:mag: ${mention(who)} recorded a check with *${safe(check.vendor, 200)}*: is their product compromised?${check.deadline ? ` Answer needed by ${slackDate(check.deadline)}.` : ""}`;
  return message(`${incident.key}: vendor check with ${check.vendor}`, [
    section(text),
    vendorButtons(incident, check, "vendor"),
  ]);
}

function vendorButtons(incident: Incident, check: VendorCheck, prefix: string) {
  const value = `${incident.key}|${check.id}`;
  return actions(`${prefix}_${check.id}`.slice(0, 255), [
    button("Not affected", ACTION.vendorNotAffected, value, "primary"),
    button("Compromised", ACTION.vendorCompromised, value, "danger"),
    button("Still waiting", ACTION.vendorWaiting, value),
  ]);
}

/** A vendor check past its deadline with no answer: the same buttons, and whoever asked is pinged. */
export function vendorCheckOverdue(incident: Incident, check: VendorCheck) {
  const text = `:alarm_clock: ${mention(check.askedBy)} *${safe(check.vendor, 200)}* has not answered and the deadline has passed. Chase them, or record what they said.`;
  return message(`${incident.key}: ${check.vendor} is past its deadline`, [
    section(text),
    vendorButtons(incident, check, "vendor_late"),
  ]);
}
