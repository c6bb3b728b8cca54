import type { RoleDefinition } from "../../incidents/context.js";
import type { Incident, RoleAssignment } from "../../incidents/model.js";
import { severityLabel } from "../../incidents/severity.js";
import { channelLink, safe } from "../text.js";
import { type Block, context, divider, header, section } from "./blocks.js";
import { incidentLine } from "./incident.js";

export interface HomeItem {
  incident: Incident;
  roles: RoleAssignment[];
  channelId: string | null;
  canSee: boolean;
}

/** App Home: open incidents, and the user's own roles first. */
export function homeView(userId: string, items: HomeItem[], definitions: RoleDefinition[]) {
  const mine = items.filter((x) => x.roles.some((r) => r.userId === userId));
  const blocks: Block[] = [header("Your incident roles")];
  if (!mine.length) blocks.push(section("You hold no role in an open incident."));
  for (const x of mine.slice(0, 20)) {
    const held = x.roles
      .filter((r) => r.userId === userId)
      .map((r) => definitions.find((d) => d.key === r.role)?.name ?? r.role)
      .join(", ");
    blocks.push(
      section(
        `*${x.incident.key}* ${safe(x.incident.title, 150)} · ${severityLabel(x.incident.severity)}\nYou are: *${safe(held, 200)}*${x.channelId ? ` · ${channelLink(x.channelId)}` : ""}`,
      ),
    );
  }
  blocks.push(divider(), header(`Open incidents (${items.length})`));
  if (!items.length) blocks.push(section(":white_check_mark: No open incidents."));
  for (const x of items.slice(0, 60)) {
    blocks.push(
      section(
        incidentLine(x.incident, x.roles, x.canSee) + (x.channelId && x.canSee ? ` · ${channelLink(x.channelId)}` : ""),
      ),
    );
  }
  if (items.length > 60) blocks.push(context([`…and ${items.length - 60} more: \`/incident list\``]));
  blocks.push(context(["Declare with `/incident declare` or the “Declare incident” shortcut."]));
  return { type: "home" as const, blocks: blocks.slice(0, 100) };
}
