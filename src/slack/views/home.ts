// App Home: a Declare button, the incidents I hold a role in, what I owe
// (post-mortems, follow-ups), every open incident, and the commands.
import type { CompanyPolicy } from "../../incidents/company-policy.js";
import type { RoleDefinition } from "../../incidents/context.js";
import type { Incident, RoleAssignment } from "../../incidents/model.js";
import type { OwnedFollowUp } from "../../incidents/ports.js";
import { severityLabel } from "../../incidents/severity.js";
import { ACTION } from "../ids.js";
import { channelLink, link, safe, split } from "../text.js";
import { actions, type Block, button, context, divider, type HomeView, header, home, section } from "./blocks.js";
import { incidentLine } from "./incident.js";
import type { HelpLine } from "./messages.js";

export interface HomeItem {
  incident: Incident;
  roles: RoleAssignment[];
  channelId: string | null;
  canSee: boolean;
}

/** A post-mortem the person owns that is neither complete nor waived. */
export interface OwedPostmortem {
  key: string;
  title: string;
  private: boolean;
  docUrl: string | null;
}

export interface HomeState {
  userId: string;
  items: HomeItem[];
  definitions: RoleDefinition[];
  owed: { postmortems: OwedPostmortem[]; followUps: OwnedFollowUp[] };
  commands: readonly HelpLine[];
  now: Date;
  /** Whose severity names to show; the policy's own when absent. */
  company?: CompanyPolicy;
  /** The person's working hours, in words ("09:00–18:00, Monday to Friday"). */
  workingHours: string;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

function followUpLine(f: OwnedFollowUp, now: Date): string {
  const due = f.dueDate
    ? `due ${day(f.dueDate)}${day(f.dueDate) < day(now) ? " :warning: *overdue*" : ""}`
    : "no due date";
  return `• *${f.incidentKey}*${f.incidentPrivate ? " (private)" : ""} ${safe(f.title, 200)} · ${due}`;
}

export function homeView(s: HomeState): HomeView {
  const { userId, items, definitions } = s;
  const blocks: Block[] = [
    actions("home", [button("Declare an incident", ACTION.openDeclare, "declare", "primary")]),
    header("Your incident roles"),
  ];
  const mine = items.filter((x) => x.roles.some((r) => r.userId === userId));
  if (!mine.length) blocks.push(section("You hold no role in an open incident."));
  for (const x of mine.slice(0, 20)) {
    const held = x.roles
      .filter((r) => r.userId === userId)
      .map((r) => definitions.find((d) => d.key === r.role)?.name ?? r.role)
      .join(", ");
    blocks.push(
      section(
        `*${x.incident.key}* ${safe(x.incident.title, 150)} · ${severityLabel(x.incident.severity, s.company)}\nYou are: *${safe(held, 200)}*${x.channelId ? ` · ${channelLink(x.channelId)}` : ""}`,
      ),
    );
  }

  blocks.push(header("What you owe"));
  const { postmortems, followUps } = s.owed;
  if (!postmortems.length && !followUps.length) {
    blocks.push(section("Nothing: no post-mortem or open follow-up is yours."));
  }
  if (postmortems.length) {
    const lines = postmortems.map(
      (p) =>
        `• *${p.key}*${p.private ? " (private)" : ` ${safe(p.title, 150)}`}${p.docUrl ? ` · ${link(p.docUrl, "post-mortem doc")}` : ""}`,
    );
    for (const part of split(`*Post-mortems*\n${lines.join("\n")}`)) blocks.push(section(part));
  }
  if (followUps.length) {
    const lines = followUps.map((f) => followUpLine(f, s.now));
    for (const part of split(`*Follow-ups*\n${lines.join("\n")}`)) blocks.push(section(part));
  }

  blocks.push(
    header("Your working hours"),
    section(
      `*${safe(s.workingHours, 200)}*, in your Slack time zone. As Incident Commander you are asked to hand off 30 minutes before your day ends.`,
      button("Change", ACTION.openWorkingHours, "hours"),
    ),
  );

  blocks.push(divider(), header(`Open incidents (${items.length})`));
  if (!items.length) blocks.push(section(":white_check_mark: No open incidents."));
  for (const x of items.slice(0, 50)) {
    blocks.push(
      section(
        incidentLine(x.incident, x.roles, x.canSee, s.company) +
          (x.channelId && x.canSee ? ` · ${channelLink(x.channelId)}` : ""),
      ),
    );
  }
  if (items.length > 50) blocks.push(context([`…and ${items.length - 50} more: \`/incident list\``]));
  blocks.push(
    context([
      `Commands: ${s.commands.map((c) => `\`/incident ${c.usage}\``).join(" · ")}. In an incident's channel they act on that incident.`,
    ]),
  );
  return home(blocks);
}
