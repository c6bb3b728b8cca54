// The recovery checklist and the resolution-communication checklist as
// Slack messages: one line per item (who ticked it and when, or a button to
// tick it), posted in the incident channel and kept up to date, and shown to
// a person by `/incident recovery` and `/incident comms`.
import {
  CHECKLIST_TITLES,
  type ChecklistItem,
  type CommsChecklist,
  openItems,
  type RecoveryChecklist,
  recoveryReason,
  recoveryRequired,
} from "../../incidents/checklists.js";
import type { Incident } from "../../incidents/model.js";
import { ACTION } from "../ids.js";
import { mention, safe, slackDate } from "../text.js";
import { actions, type Block, button, context, message, section } from "./blocks.js";

const ICON = {
  open: ":white_large_square:",
  done: ":white_check_mark:",
  not_applicable: ":heavy_minus_sign:",
} as const;

function itemLine(item: ChecklistItem, doneWord: string): string {
  const label = `*${safe(item.label, 200)}*`;
  if (item.state === "open") return `${ICON.open} ${label}`;
  const when = item.at ? ` ${slackDate(item.at)}` : "";
  if (item.state === "done") return `${ICON.done} ${label}: ${doneWord} by ${mention(item.by)}${when}`;
  return `${ICON.not_applicable} ${label}: not applicable (${mention(item.by)}${when}): ${safe(item.reason ?? "", 500)}`;
}

/** The BCP/DR recovery checklist: a Done button per open item; an admin may waive it. */
export function recoveryMessage(incident: Incident, checklist: RecoveryChecklist) {
  const title = `${incident.key}: ${CHECKLIST_TITLES.recovery}`;
  if (!recoveryRequired(incident) && !checklist.items.some((x) => x.state !== "open")) {
    return message(title, [
      section(
        `*${incident.key}* has no recovery checklist: it records no data loss, and nobody flagged data or processes as disrupted. Flag it in \`/incident impact\` if they were.`,
      ),
    ]);
  }
  const open = openItems(checklist.items);
  const blocks: Block[] = [
    section(
      `:floppy_disk: *${CHECKLIST_TITLES.recovery}* for *${incident.key}*: ${recoveryReason(incident)}, so the BCP/DR policy applies: restore from backups, and record it. It can't be closed until every item is ticked.`,
    ),
  ];
  for (const item of checklist.items) {
    blocks.push(
      section(
        itemLine(item, "done"),
        item.state === "open" && !checklist.waiver
          ? button(
              item.key === "sign_off" ? "Sign off" : "Done",
              ACTION.checklistTick,
              `${incident.key}|recovery|${item.key}`,
            )
          : undefined,
      ),
    );
  }
  if (checklist.waiver) {
    blocks.push(
      context([
        `Waived by ${mention(checklist.waiver.by)} ${slackDate(checklist.waiver.at)}: ${safe(checklist.waiver.reason, 1500)}`,
      ]),
    );
  } else if (open.length) {
    blocks.push(
      context([
        "Anyone with a role ticks the work; the sign-off is the Incident Commander's (or an admin's), after the rest.",
      ]),
      actions("recovery_waive", [button("Waive (admins)", ACTION.openRecoveryWaive, incident.key)]),
    );
  } else {
    blocks.push(context(["Every item is done: the recovery is recorded."]));
  }
  return message(title, blocks);
}

/** The reminder in the channel: parties still to be told, long after resolve, with the same buttons. */
export function commsNudge(
  incident: Incident,
  checklist: CommsChecklist,
  commander: string | null,
  since: Date,
  now: Date,
) {
  const open = openItems(checklist.items);
  const hours = Math.max(1, Math.round((now.getTime() - since.getTime()) / 3_600_000));
  const intro = `:bell: ${mention(commander)} ${incident.key} was resolved ${hours === 1 ? "an hour" : `${hours} hours`} ago and ${open.length === 1 ? "one party is" : `${open.length} parties are`} still to be told it is resolved: ${safe(open.map((x) => x.label).join(", "), 1500)}. Tell them, then tick them off.`;
  const msg = commsMessage(incident, checklist, intro);
  return { ...msg, text: intro.slice(0, 3000) };
}

/** The resolution-communication checklist: Told per party still to tell, and "Not applicable…" with a reason. */
export function commsMessage(incident: Incident, checklist: CommsChecklist, intro?: string) {
  const title = `${incident.key}: ${CHECKLIST_TITLES.comms}`;
  if (checklist.legacy) {
    const told = checklist.legacy.length ? checklist.legacy.map((x) => safe(x, 200)).join(", ") : "nobody recorded";
    return message(title, [
      section(`*${incident.key}* was resolved before the checklist existed. Parties told, as recorded then: ${told}.`),
    ]);
  }
  if (!checklist.resolvedAt) {
    return message(title, [
      section(
        `*${incident.key}* is not resolved yet. When it is, \`/incident resolve\` proposes who to tell: its channels, leadership if escalated, the named customers, and the status page when it is customer-facing.`,
      ),
    ]);
  }
  const open = openItems(checklist.items);
  const blocks: Block[] = [
    section(
      intro ??
        `:loudspeaker: *${CHECKLIST_TITLES.comms}* for *${incident.key}*: the Incident Commander makes sure every affected party hears it is resolved.${open.length ? ` ${open.length} still to tell.` : " Everyone is told."}`,
    ),
  ];
  for (const item of checklist.items.slice(0, 40)) {
    blocks.push(
      section(
        itemLine(item, "told"),
        item.state === "open" ? button("Told", ACTION.checklistTick, `${incident.key}|comms|${item.key}`) : undefined,
      ),
    );
  }
  if (open.length) {
    blocks.push(
      actions("comms_not_applicable", [
        button("Not applicable…", ACTION.openCommsNotApplicable, `${incident.key}|${open[0]!.key}`),
      ]),
    );
  }
  return message(title, blocks);
}
