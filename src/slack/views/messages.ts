// Messages muster posts: help, lists, DMs, timeline events in the channel.

import { checklistEventWords } from "../../incidents/checklists.js";
import { impactChangeWords } from "../../incidents/commands/update-impact.js";
import { type CompanyPolicy, DEFAULT_COMPANY_POLICY } from "../../incidents/company-policy.js";
import type { RoleDefinition } from "../../incidents/context.js";
import type {
  FollowUp,
  Handoff,
  Incident,
  Postmortem,
  RoleAssignment,
  StatusUpdate,
  TimelineEvent,
} from "../../incidents/model.js";
import { type Nudge, nudgedWords } from "../../incidents/nudges.js";
import { type SEVERITY_DEFINITIONS, severityLabel } from "../../incidents/severity.js";
import { STATUS_LABELS } from "../../incidents/transitions.js";
import { ACTION } from "../ids.js";
import { channelLink, mention, safe, slackDate, split } from "../text.js";
import { actions, type Block, button, context, header, message, section } from "./blocks.js";
import { commanderId, incidentLine, statusLabel } from "./incident.js";
import { postmortemLine } from "./postmortem.js";

/** One line of `/incident help`, from the subcommand table. */
export interface HelpLine {
  usage: string;
  help: string;
  aliases: readonly string[];
}

export function helpMessage(lines: readonly HelpLine[], intro?: string) {
  const text = lines
    .map((l) => `\`/incident ${l.usage}\` ${l.help}${l.aliases.length ? ` (also: ${l.aliases.join(", ")})` : ""}`)
    .join("\n");
  return message("How to use /incident", [
    ...(intro ? [section(intro)] : []),
    ...split(`*\`/incident\` commands*\n${text}`).map((part) => section(part)),
    context([
      "In an incident's channel the commands act on that incident; elsewhere, name it (`/incident mitigate INC-42`) or pick it in the form.",
    ]),
  ]);
}

export function listMessage(
  items: { incident: Incident; roles: RoleAssignment[]; canSee: boolean }[],
  company: CompanyPolicy = DEFAULT_COMPANY_POLICY,
) {
  if (!items.length) return message("No open incidents", [section(":white_check_mark: No open incidents.")]);
  const lines = items.map((x) => incidentLine(x.incident, x.roles, x.canSee, company));
  const blocks: Block[] = [header(`Open incidents (${items.length})`)];
  for (const part of split(lines.join("\n"))) blocks.push(section(part));
  return message(`${items.length} open incidents`, blocks);
}

export function statusMessage(
  incident: Incident,
  roles: RoleAssignment[],
  definitions: RoleDefinition[],
  channelId: string | null,
  postmortem: Postmortem | null = null,
  company: CompanyPolicy = DEFAULT_COMPANY_POLICY,
) {
  const i = incident;
  const roleText = roles
    .map((r) => `${definitions.find((d) => d.key === r.role)?.name ?? r.role}: ${mention(r.userId)}`)
    .join(", ");
  return message(`${i.key}: ${statusLabel(i)}`, [
    section(
      `*${i.key}: ${safe(i.title, 200)}*\n${severityLabel(i.severity, company)} · ${statusLabel(i)} · IC ${mention(commanderId(roles))}`,
    ),
    ...(i.summary ? [section(safe(i.summary))] : []),
    ...(postmortem ? [section(postmortemLine(postmortem))] : []),
    context([
      roleText || "No roles",
      `Declared ${slackDate(i.times.declaredAt)}`,
      ...(channelId ? [channelLink(channelId)] : []),
    ]),
  ]);
}

export function roleMessage(incident: Incident, role: RoleDefinition, channelId: string | null) {
  return message(`You are the ${role.name} for ${incident.key}`, [
    section(
      `You are now the *${safe(role.name, 80)}* for *${incident.key}*${incident.private ? " (private)" : `: ${safe(incident.title, 200)}`}.` +
        (channelId ? ` Join ${channelLink(channelId)}.` : ""),
    ),
    section(`*What this role does*\n${safe(role.description)}`),
  ]);
}

export function handoffRequest(incident: Incident, handoff: Handoff) {
  return message(`${mention(handoff.fromUserId)} wants to hand you ${incident.key}`, [
    section(`${mention(handoff.fromUserId)} would like to hand you the Incident Commander role for *${incident.key}*.`),
    ...split(handoff.note, 2900).map((p, n) => section(`${n === 0 ? "*Hand-off note*\n" : ""}${safe(p)}`)),
    actions("handoff", [
      button("Accept", ACTION.acceptHandoff, handoff.id, "primary"),
      button("Decline", ACTION.declineHandoff, handoff.id, "danger"),
    ]),
  ]);
}

export function handoffAnswered(incident: Incident, handoff: Handoff) {
  const verb = handoff.status === "accepted" ? "accepted" : handoff.status === "declined" ? "declined" : handoff.status;
  return message(`${incident.key} hand-off ${verb}`, [
    section(
      `${mention(handoff.toUserId)} *${verb}* the Incident Commander hand-off for *${incident.key}*.` +
        (handoff.status === "accepted" ? ` ${mention(handoff.toUserId)} is now the IC.` : ""),
    ),
  ]);
}

export function handoffOverdue(incident: Incident, handoff: Handoff, minutes: number) {
  return message(`${incident.key}: hand-off not answered`, [
    section(
      `:hourglass: ${mention(handoff.toUserId)} has not answered your Incident Commander hand-off for *${incident.key}* after ${minutes} minutes. You are still the IC; offer it to someone else or ping them.`,
    ),
  ]);
}

const durationWords = (ms: number) => {
  const m = Math.max(1, Math.round(ms / 60_000));
  return m < 120 ? `${m} minutes` : `${Math.round(m / 60)} hours`;
};

/** In the incident channel: what is missing, for how long, and the button that fixes it. */
export function nudgeMessage(incident: Incident, nudge: Nudge, commander: string | null, now: Date) {
  const how = durationWords(now.getTime() - nudge.since.getTime());
  const [text, fix] =
    nudge.what === "classify"
      ? [
          `:grey_question: ${mention(commander)} ${incident.key} is still unclassified ${how} after it was declared. Set its severity so everyone knows how bad it is.`,
          button("Set severity", ACTION.openSeverity, incident.key, "primary"),
        ]
      : nudge.what === "comms_lead"
        ? [
            `:loudspeaker: ${mention(commander)} ${incident.key} is customer-facing and has had no communications lead for ${how}. Appoint one to own what customers and stakeholders are told.`,
            button("Assign comms lead", ACTION.openCommsRole, incident.key, "primary"),
          ]
        : [
            `:hourglass: ${mention(commander)} no status update on ${incident.key} for ${how}. Post one: what is known, what is being done, when the next update comes.`,
            button("Post update", ACTION.openUpdate, incident.key, "primary"),
          ];
  return message(text, [section(text), actions("nudge", [fix])]);
}

/** To a follow-up's owner: what is overdue, each with the button that closes it (and its issue, when there is one). */
export function followUpsOverdue(incident: Incident, followUps: FollowUp[], issueUrls: Map<string, string>) {
  const intro = `:pushpin: ${followUps.length === 1 ? "A follow-up you own is" : `${followUps.length} follow-ups you own are`} past due for *${incident.key}*${incident.private ? " (private)" : `: ${safe(incident.title, 200)}`}. Mark it done when it is, or ask the IC to move the date.`;
  const blocks: Block[] = [section(intro)];
  for (const f of followUps.slice(0, 20)) {
    const url = issueUrls.get(f.id);
    blocks.push(
      section(`*${safe(f.title, 300)}*${f.dueDate ? ` · due ${f.dueDate.toISOString().slice(0, 10)}` : ""}`),
      actions(`follow_up_${f.id}`.slice(0, 255), [
        button("Mark done", ACTION.followUpDone, `${incident.key}|${f.id}`, "primary"),
        ...(url ? [button("Open issue", ACTION.link, f.id, undefined, url)] : []),
      ]),
    );
  }
  return message(`${incident.key}: follow-up past due`, blocks);
}

/** muster's own user id as an actor ("muster" in main.ts): named in words, not as a Slack mention. */
const actorName = (userId: string) => (userId === "muster" ? "muster" : mention(userId));

/**
 * To leadership. `ack`: who acknowledged it and when (the button then gives
 * way to that line); absent, an "Acknowledge" button when `escalationId` is known.
 */
export function escalationBrief(
  incident: Incident,
  roles: RoleAssignment[],
  by: string,
  reason: string,
  channelId: string | null,
  company: CompanyPolicy = DEFAULT_COMPANY_POLICY,
  escalationId: string | null = null,
  ack: { by: string; at: Date } | null = null,
) {
  return message(`${incident.key} was escalated to you`, [
    header(`Escalation: ${incident.key}`),
    section(
      `${actorName(by)} escalated *${incident.key}*${incident.private ? " (private)" : `: ${safe(incident.title, 200)}`} to leadership.\n` +
        `*Severity:* ${severityLabel(incident.severity, company)} · *Status:* ${statusLabel(incident)} · *IC:* ${mention(commanderId(roles))}`,
    ),
    section(`*Why*\n${safe(reason)}`),
    ...(channelId ? [context([`Incident channel: ${channelLink(channelId)}`])] : []),
    ...(ack
      ? [
          section(
            `:white_check_mark: Acknowledged by ${mention(ack.by)} ${slackDate(ack.at)}. The IC's channel was told.`,
          ),
        ]
      : escalationId
        ? [
            actions("escalation", [
              button("Acknowledge", ACTION.acknowledgeEscalation, `${incident.key}|${escalationId}`, "primary"),
            ]),
          ]
        : []),
  ]);
}

/**
 * To the IC, when a rule says the response is not enough: a drafted brief
 * (severity, how long open, what is missing, the last update) and one button
 * to send it to leadership; "Not needed" answers it the other way.
 */
export function escalationOffer(
  incident: Incident,
  o: { proposalEventId: number; missing: string; lastUpdate: StatusUpdate | null; withinMs: number; now: Date },
  company: CompanyPolicy = DEFAULT_COMPANY_POLICY,
) {
  const value = `${incident.key}|${o.proposalEventId}`;
  const open = durationWords(o.now.getTime() - incident.times.declaredAt.getTime());
  const last = o.lastUpdate
    ? `${slackDate(o.lastUpdate.postedAt)} by ${mention(o.lastUpdate.authorId)}: ${safe(o.lastUpdate.internalText.split("\n")[0] ?? "", 300)}`
    : "none yet";
  return message(`${incident.key}: escalate to leadership?`, [
    header(`Escalate ${incident.key}?`),
    section(
      `The response to *${incident.key}*${incident.private ? " (private)" : `: ${safe(incident.title, 200)}`} may not be enough: it is *${safe(o.missing, 300)}*.`,
    ),
    section(
      `*Drafted brief for leadership*\n*Severity:* ${severityLabel(incident.severity, company)} · *Status:* ${statusLabel(incident)} · *Open for* ${open}\n*Missing:* ${safe(o.missing, 300)}\n*Last update:* ${last}`,
    ),
    actions("escalation_offer", [
      button("Escalate to leadership", ACTION.acceptEscalationOffer, value, "primary"),
      button("Not needed", ACTION.declineEscalationOffer, value),
    ]),
    context([`Without an answer within ${durationWords(o.withinMs)}, muster escalates by itself with this brief.`]),
  ]);
}

/** The offer, once answered (the buttons give way to the answer). */
export function escalationOfferAnswered(incident: Incident, answer: "escalated" | "escalation_declined", by: string) {
  return confirmation(
    answer === "escalated"
      ? `:arrow_double_up: ${incident.key} is escalated to leadership (${actorName(by)}); they have the brief by DM.`
      : `:ok_hand: ${incident.key}: ${mention(by)} judged an escalation not needed; muster will not escalate for this.`,
  );
}

export function statusUpdateMessage(
  incident: Incident,
  update: StatusUpdate,
  company: CompanyPolicy = DEFAULT_COMPANY_POLICY,
) {
  const blocks: Block[] = [section(`:mega: *Status update* from ${mention(update.authorId)}`)];
  for (const p of split(update.internalText, 2900)) blocks.push(section(safe(p)));
  if (update.publicText) {
    blocks.push(section("*Customer-facing text*"));
    for (const p of split(update.publicText, 2900)) blocks.push(section(`>${safe(p).replace(/\n/g, "\n>")}`));
  }
  blocks.push(context([`${incident.key} · ${severityLabel(incident.severity, company)} · ${statusLabel(incident)}`]));
  return message(`${incident.key} status update`, blocks);
}

/** The short summary in the announcement's thread. */
export function statusUpdateSummary(
  incident: Incident,
  update: StatusUpdate,
  company: CompanyPolicy = DEFAULT_COMPANY_POLICY,
) {
  const first = update.internalText.split("\n")[0] ?? "";
  return message(`${incident.key} update`, [
    section(`*Update* (${statusLabel(incident)}, ${severityLabel(incident.severity, company)}): ${safe(first, 400)}`),
  ]);
}

/** One timeline event as a line in the incident channel, or null if it has its own message. */
export function eventText(
  e: TimelineEvent,
  definitions: RoleDefinition[],
  company: CompanyPolicy = DEFAULT_COMPANY_POLICY,
): string | null {
  const d = e.data as Record<string, unknown>;
  const who = mention(e.actorId);
  const str = (k: string) => (typeof d[k] === "string" ? (d[k] as string) : "");
  const roleName = (k: string) => definitions.find((r) => r.key === k)?.name ?? k;
  switch (e.kind) {
    case "severity_classified": {
      const to = str("to") as keyof typeof SEVERITY_DEFINITIONS;
      return `:rotating_light: ${who} set the severity to *${severityLabel(to || "unclassified", company)}*${str("from") ? ` (was ${severityLabel(str("from") as "low", company)})` : ""}. Reason: ${safe(str("reason"), 1500)}`;
    }
    case "impact_updated":
      return `:bar_chart: ${who} updated the impact: ${safe(impactChangeWords(d.changed).join("; "), 1500)}.${str("reason") ? ` Reason: ${safe(str("reason"), 1000)}` : ""}`;
    case "role_assigned":
      return `:bust_in_silhouette: ${who} made ${mention(str("userId"))} the *${safe(roleName(str("role")), 80)}*.`;
    case "role_unassigned":
      return `:bust_in_silhouette: ${who} removed ${mention(str("userId"))} as ${safe(roleName(str("role")), 80)}.`;
    case "handoff_proposed":
      return `:handshake: ${who} offered the IC role to ${mention(str("toUserId"))}; waiting for them to accept.`;
    case "handoff_accepted":
      return `:handshake: ${mention(str("toUserId") || e.actorId)} accepted the hand-off and is now the Incident Commander.`;
    case "handoff_declined":
      return `:handshake: ${who} declined the IC hand-off.`;
    case "escalated":
      return `:arrow_double_up: ${actorName(e.actorId)} escalated to leadership: ${safe(str("reason"), 1500)}`;
    case "escalation_acknowledged":
      return `:white_check_mark: Leadership has the escalation: ${who} acknowledged it.`;
    case "vendor_check_requested":
      return `:mag: ${who} recorded a check with *${safe(str("vendor"), 200)}*.`;
    case "vendor_check_answered":
      return str("answer") === "pending"
        ? `:mag: Still waiting for *${safe(str("vendor"), 200)}* (${who} chased them).`
        : `:mag: *${safe(str("vendor"), 200)}* answered: ${safe(str("answer").replace(/_/g, " "), 50)}.`;
    case "postmortem_owner_assigned":
      return `:memo: ${who} made ${mention(str("ownerId"))} the owner of the post-mortem.`;
    case "follow_up_added":
      return `:pushpin: Follow-up: ${safe(str("title"), 500)} (owner ${mention(str("ownerId"))}).`;
    case "follow_up_done":
      return `:white_check_mark: Follow-up done${str("source") === "github" ? " (its issue was closed on GitHub)" : ` (marked by ${who})`}: ${safe(str("title"), 500)}.`;
    case "risk_added":
      return str("source") === "postmortem"
        ? `:warning: New risk from the post-mortem in the register (\`/incident risks\`).`
        : `:warning: New risk recorded by ${who}.`;
    case "status_changed":
      return `:traffic_light: ${who} changed the status to *${STATUS_LABELS[str("to") as "resolved"] ?? safe(str("to"), 40)}*.${str("summary") ? ` ${safe(str("summary"), 1500)}` : ""}`;
    case "times_corrected":
      return `:clock3: ${who} corrected the incident's times.`;
    case "postmortem_completed":
      return `:memo: ${who} marked the post-mortem complete.`;
    case "postmortem_waived":
      return `:memo: ${who} waived the post-mortem: ${safe(str("reason"), 1000)}`;
    case "nudged":
      return `:bell: ${nudgedWords(d, mention)}.`;
    case "checklist_ticked":
      return `${d.state === "not_applicable" ? ":heavy_minus_sign:" : ":white_check_mark:"} ${safe(checklistEventWords(e) ?? "", 1500)} (${who})`;
    case "recovery_waived":
      return `:floppy_disk: ${who}: ${safe(checklistEventWords(e) ?? "", 1500)}`;
    case "unpublished":
      return `:no_entry_sign: ${who} took the incident off the public status page. Reason: ${safe(str("reason"), 1500)}`;
    case "day_end_unanswered": {
      const ended = new Date(str("deadline"));
      return `:city_sunset: ${mention(str("icId"))}'s working day ended${Number.isNaN(ended.getTime()) ? "" : ` (${slackDate(ended)})`} and no hand-off was accepted: they are still the Incident Commander. Who can take over? \`/incident handoff\` offers the role.`;
    }
    default:
      return null;
  }
}

export function jobFailedMessage(incident: Incident, commander: string | null, what: string, jobId: number) {
  return message(`${incident.key}: muster could not ${what}`, [
    section(
      `:warning: ${mention(commander)} muster could not *${safe(what, 200)}* for ${incident.key} after several tries. Nothing is lost: the incident record is intact. Press Retry when the service is back, or run \`/incident repair\`.`,
    ),
    actions("job", [button("Retry", ACTION.retryJob, String(jobId), "primary")]),
  ]);
}

/** What `/incident repair` found broken and fixed, one kind per message. */
export type RepairFix =
  | "channel_unarchived"
  | "channel_recreated"
  | "bookmarks_readded"
  | "issue_recreated"
  | "doc_restored"
  | "doc_recreated"
  | "postmortem_doc_restored"
  | "postmortem_doc_recreated";

const REPAIR_WORDS: Record<RepairFix, (n: number) => string> = {
  channel_unarchived: () => "the incident channel was archived; it is unarchived",
  channel_recreated: () =>
    "the incident channel was deleted; this new one has its members, topic, control message and bookmarks",
  bookmarks_readded: (n) => `${n === 1 ? "a bookmark was" : `${n} bookmarks were`} missing; added again`,
  issue_recreated: () => "the GitHub issue was deleted; a new one tracks the incident",
  doc_restored: () => "the incident doc was in the trash; it is restored",
  doc_recreated: () => "the incident doc was deleted; a new one was made",
  postmortem_doc_restored: () => "the post-mortem doc was in the trash; it is restored",
  postmortem_doc_recreated: () => "the post-mortem doc was deleted; a new one was made",
};

export function repairReport(incident: Incident, fixed: string, count = 1) {
  const words = REPAIR_WORDS[fixed as RepairFix]?.(count) ?? "something was missing and is back";
  return confirmation(`:hammer_and_wrench: Repair of ${incident.key}: ${words}.`);
}

export function confirmation(text: string) {
  return message(text, [section(text)]);
}

export function declaredConfirmation(incident: Incident) {
  return confirmation(
    `:white_check_mark: *${incident.key}* declared. Its channel, GitHub issue and doc are being created; you'll be invited to the channel.`,
  );
}

/** Offered in the end-of-day DM: "I'm staying on" for a while. */
const STAY_ON_CHOICES: [string, string][] = [
  ["1h", "Staying on for 1 hour"],
  ["2h", "Staying on for 2 hours"],
  ["4h", "Staying on for 4 hours"],
  ["next_day", "Until my next working day ends"],
];

/**
 * To the IC, 30 minutes before their working day ends: hand off now (with
 * successors who are working now, on-call first) or stay on for a while.
 */
export function dayEndAsk(
  incident: Incident,
  o: { endsAt: Date; localEnd: string; tz: string; tzUnknown: boolean; suggested: string[] },
) {
  const what = incident.private ? `*${incident.key}*` : `*${incident.key}* ${safe(incident.title, 150)}`;
  const blocks: Block[] = [
    section(
      `:city_sunset: Your working day ends at *${o.localEnd}* (${safe(o.tz, 60)}), ${slackDate(o.endsAt)}. You are still the Incident Commander of ${what}. Hand it off now, or say you are staying on.`,
    ),
  ];
  if (o.tzUnknown)
    blocks.push(
      context([
        "Slack did not tell muster your time zone, so your working hours are read in UTC. Set your time zone in your Slack profile.",
      ]),
    );
  blocks.push(
    section(
      o.suggested.length
        ? `Working now (on-call first): ${o.suggested.map(mention).join(", ")}`
        : "Nobody in the incident channel is in their working hours now.",
    ),
    actions("day_end", [
      button("Hand off now", ACTION.dayEndHandoff, `${incident.key}|${o.suggested.join(",")}`, "primary"),
      {
        type: "static_select",
        action_id: ACTION.dayEndSnooze,
        placeholder: { type: "plain_text", text: "I'm staying on…" },
        options: STAY_ON_CHOICES.map(([v, text]) => ({
          text: { type: "plain_text", text },
          value: `${incident.key}|${v}`,
        })),
      },
    ]),
  );
  return message(`${incident.key}: your working day ends at ${o.localEnd}; hand off or stay on`, blocks);
}

/** To the escalation contacts: a Critical or High incident's IC ended their day without a hand-off. */
export function dayEndEscalation(incident: Incident, icId: string, channelId: string | null, company?: CompanyPolicy) {
  const what = incident.private ? `*${incident.key}* (private)` : `*${incident.key}* ${safe(incident.title, 150)}`;
  return message(`${incident.key}: the IC's day ended without a hand-off`, [
    section(
      `:rotating_light: ${what} (${severityLabel(incident.severity, company)}) is still open, and its Incident Commander ${mention(icId)} has reached the end of their working day with no hand-off accepted.${channelId && !incident.private ? ` ${channelLink(channelId)}` : ""}`,
    ),
  ]);
}
