// The yearly duties and the risk register as Slack shows them: the owner's
// reminder, the channel's overdue notice, `/incident dr status`, the risk
// review reminder and `/incident risks`. Policy words are quoted verbatim.
import type { DutyDefinition } from "../../dr/duties.js";
import type { DutyStatus } from "../../dr/service.js";
import type { RiskStatus } from "../../incidents/model.js";
import type { RegisterRisk } from "../../incidents/ports.js";
import { ACTION } from "../ids.js";
import { mention, safe } from "../text.js";
import { actions, type Block, button, context, message, section } from "./blocks.js";

const day = (d: Date) => d.toISOString().slice(0, 10);
const DAY = 24 * 60 * 60_000;

const quote = (duty: DutyDefinition) => `> ${safe(duty.policy, 1000)}\n_${duty.source}_`;

/** The DM to a duty's owner ahead of (or past) its due date. */
export function dutyReminder(duty: DutyDefinition, dueAt: Date | null, now: Date) {
  const when = !dueAt
    ? "has never been recorded, so it is due now"
    : dueAt > now
      ? `is due on ${day(dueAt)} (in ${Math.ceil((dueAt.getTime() - now.getTime()) / DAY)} days)`
      : `was due on ${day(dueAt)} and is overdue`;
  const text = `:calendar: Yearly duty: *${duty.name}* ${when}.`;
  return message(text, [
    section(`${text}\n${quote(duty)}`),
    actions("dr_duty", [button("Log it as done", ACTION.openDutyLog, duty.key, "primary")]),
    context(["You own this duty. Reminders come weekly until it is logged (`/incident dr log`)."]),
  ]);
}

/** The channel's notice that a duty has passed its due date. */
export function dutyOverdue(duty: DutyDefinition, dueAt: Date | null, ownerId: string | null) {
  const text = `:rotating_light: Yearly duty overdue: *${duty.name}*${dueAt ? ` (due ${day(dueAt)})` : " (never recorded)"}. Owner: ${ownerId ? mention(ownerId) : "none configured"}.`;
  return message(text, [
    section(`${text}\n${quote(duty)}`),
    actions("dr_duty", [button("Log it as done", ACTION.openDutyLog, duty.key)]),
    context(["Done already? Log it with `/incident dr log` (the owner or an admin)."]),
  ]);
}

/** `/incident dr status`: each duty, its owner, when it was last done and is next due. */
export function dutyStatusMessage(statuses: DutyStatus[]) {
  const blocks: Block[] = [section("*Yearly BCP/DR duties*")];
  for (const s of statuses) {
    const last = s.lastDone
      ? `last done ${day(s.lastDone.at)} by ${s.lastDone.source === "restore-drill" ? "a muster restore drill" : mention(s.lastDone.by)}`
      : "never recorded";
    const next = s.dueAt ? `next due ${day(s.dueAt)}` : "due now";
    blocks.push(
      section(
        `${s.overdue ? ":rotating_light: *OVERDUE* " : ""}*${s.duty.name}* (\`${s.duty.key}\`)\nOwner ${s.schedule.ownerId ? mention(s.schedule.ownerId) : "none configured"}; ${last}; ${next} (every ${s.schedule.everyMonths} months).`,
      ),
    );
  }
  blocks.push(context(["`/incident dr log` records one as done; the next due date moves on from it."]));
  return message("Yearly BCP/DR duties", blocks);
}

export const RISK_STATUS_LABELS: Record<RiskStatus, string> = {
  open: "Open",
  accepted: "Accepted",
  mitigated: "Mitigated",
  closed: "Closed",
};

export const riskTitle = (r: Pick<RegisterRisk, "title" | "description">) => r.title || r.description.split("\n")[0]!;

/** `/incident risks`: the open (and accepted) risks, each with a button to change it. */
export function riskListMessage(risks: RegisterRisk[], canSee: (r: RegisterRisk) => boolean) {
  if (!risks.length) return message("No open risks in the register.", [section("No open risks in the register.")]);
  const blocks: Block[] = [section(`*Risk register: ${risks.length} open*`)];
  for (const r of risks.slice(0, 45)) {
    const title = canSee(r) ? safe(riskTitle(r), 200) : "(a risk from a private incident)";
    const rating = r.likelihood || r.impact ? ` · likelihood ${r.likelihood ?? "?"}, impact ${r.impact ?? "?"}` : "";
    const review = r.reviewAt ? ` · review ${day(r.reviewAt)}` : "";
    blocks.push(
      section(
        `*${title}*\n${RISK_STATUS_LABELS[r.status]} · owner ${mention(r.ownerId)} · from ${r.incidentKey}${rating}${review}`,
        button("Change", ACTION.openRiskEdit, r.id),
      ),
    );
  }
  if (risks.length > 45) blocks.push(context([`…and ${risks.length - 45} more: \`muster risks\` lists them all.`]));
  return message(`Risk register: ${risks.length} open`, blocks);
}

/** The owner's reminder at a risk's review date. */
export function riskReviewReminder(r: RegisterRisk) {
  const title = r.incidentPrivate ? `a risk from ${r.incidentKey}` : `“${safe(riskTitle(r), 200)}”`;
  const text = `:warning: Time to review ${title} (from ${r.incidentKey}); it is ${RISK_STATUS_LABELS[r.status].toLowerCase()} and yours.`;
  return message(text, [
    section(text),
    actions("dr_risk", [button("Review it", ACTION.openRiskEdit, r.id, "primary")]),
    context(["Change its status, owner or next review date; every change is kept in its history."]),
  ]);
}
