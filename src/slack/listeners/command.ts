// /incident <subcommand>: acknowledge at once, then route. Inside an incident
// channel the subcommands act on that incident; elsewhere they take a key
// (`/incident mitigate INC-42`) or ask in the form.
import type { App } from "@slack/bolt";
import { AppError } from "../../errors.js";
import { normalizeKey } from "../../incidents/context.js";
import type { Incident } from "../../incidents/model.js";
import { actorOf, canSee, incidentOfChannel, linksOf, openIncidents, type SlackDeps } from "../deps.js";
import { toUserError } from "../errors.js";
import { COMMAND } from "../ids.js";
import { respondTo } from "../respond.js";
import { confirmation, helpMessage, listMessage, statusMessage } from "../views/messages.js";
import { declareModal } from "../views/modals.js";
import { FORM_NAMES, type FormName, openForm } from "./forms.js";

const ALIASES: Record<string, string> = { "follow-up": "followup", handover: "handoff", sev: "severity", ls: "list" };

export function registerCommand(app: App, deps: SlackDeps) {
  app.command(COMMAND, async (args) => {
    const { command } = args;
    const words = command.text.trim().split(/\s+/).filter(Boolean);
    const sub = (ALIASES[words[0]?.toLowerCase() ?? ""] ?? words[0]?.toLowerCase() ?? "").trim();
    // Answers that need no I/O go back in the acknowledgement itself: no
    // second request to Slack, nothing to wait for.
    const immediate = immediateAnswer(sub, words.slice(1));
    if (immediate) {
      await args.ack({ response_type: "ephemeral", ...immediate } as never);
      return;
    }
    await args.ack();
    const log = deps.logger.child({ userId: command.user_id, requestId: command.trigger_id.slice(-8) });
    const say = async (msg: { text: string; blocks: unknown[] }) => {
      await respondTo(command.response_url, { response_type: "ephemeral", ...msg });
    };
    let rest = words.slice(1);
    try {
      // An explicit key wins; otherwise the channel's incident.
      const explicit = rest[0] && normalizeKey(rest[0]) ? normalizeKey(rest[0]) : null;
      if (explicit) rest = rest.slice(1);
      // Only the subcommands that act on an incident look it up.
      const incident = NO_INCIDENT.has(sub)
        ? null
        : explicit
          ? await byKey(deps, explicit)
          : await incidentOfChannel(deps, command.channel_id);
      const need = (): Incident => {
        if (incident) return incident;
        throw new AppError(
          "validation",
          `Name the incident: \`/incident ${sub} INC-42\`, or run it in the incident's channel.`,
        );
      };
      const actor = actorOf(deps, command.user_id);
      const done = (text: string) => {
        deps.wake();
        return say(confirmation(text));
      };

      if (sub === "declare" || sub === "new") {
        await deps.views.open(
          command.trigger_id,
          declareModal({ title: words.slice(1).join(" "), declarerId: command.user_id, origin: command.channel_id }),
        );
        return;
      }
      if ((FORM_NAMES as string[]).includes(sub)) {
        await openForm(deps, {
          name: sub as FormName,
          incident,
          userId: command.user_id,
          triggerId: command.trigger_id,
          reply: (t) => say(confirmation(t)),
        });
        return;
      }
      switch (sub) {
        case "note": {
          const text = rest.join(" ");
          const r = await deps.service.addNote(actor, { key: need().key, text });
          return done(`Added to the ${r.key} timeline.`);
        }
        case "mitigate": {
          const r = await deps.service.mitigate(actor, { key: need().key });
          return done(`${r.key} marked mitigated.`);
        }
        case "close": {
          const r = await deps.service.close(actor, { key: need().key });
          return done(`${r.key} closed.`);
        }
        case "reopen": {
          const r = await deps.service.reopen(actor, {
            key: need().key,
            reason: rest.join(" ") || "Reopened from Slack",
          });
          return done(`${r.key} reopened.`);
        }
        case "status": {
          if (!incident) return say(await listFor(deps, command.user_id));
          const summary = await deps.store.incidentSummary({ id: incident.id });
          if (!summary || !canSee(deps, summary.incident, summary.roles, command.user_id)) {
            throw new AppError("forbidden", `${incident.key} is private; ask its IC.`);
          }
          const links = await linksOf(deps, incident.id);
          return say(statusMessage(summary.incident, summary.roles, deps.roles, links.channelId));
        }
        case "list":
          return say(await listFor(deps, command.user_id));
        case "repair": {
          const r = await deps.service.repair(actor, { key: need().key });
          return done(`Checking ${r.key}'s channel, bookmarks, issue and doc; anything missing will be recreated.`);
        }
        default:
          return say(helpMessage());
      }
    } catch (e) {
      await say(confirmation(`:warning: ${toUserError(e, log, { subcommand: sub }).text}`));
    }
  });
}

const KNOWN = new Set([
  "declare",
  "new",
  ...FORM_NAMES,
  "note",
  "mitigate",
  "close",
  "reopen",
  "status",
  "list",
  "repair",
]);
const NO_INCIDENT = new Set(["declare", "new", "list"]);
const NOTE_USAGE = "Write the note after the command: `/incident note Rolled back api to v41`.";

/** Help, unknown subcommands and usage mistakes: answered in the acknowledgement. */
function immediateAnswer(sub: string, rest: string[]) {
  if (sub === "" || sub === "help") return helpMessage();
  if (!KNOWN.has(sub))
    return helpMessage(`I don't know \`${sub.slice(0, 30).replace(/`/g, "")}\`. Here is what I can do:`);
  const text = rest[0] && normalizeKey(rest[0]) ? rest.slice(1) : rest;
  if (sub === "note" && text.length === 0) return confirmation(`:warning: ${NOTE_USAGE}`);
  return null;
}

async function byKey(deps: SlackDeps, key: string): Promise<Incident> {
  const s = await deps.store.incidentSummary({ key });
  if (!s) throw new AppError("not_found", `There is no incident ${key}.`);
  return s.incident;
}

async function listFor(deps: SlackDeps, userId: string) {
  const incidents = await openIncidents(deps);
  if (incidents.length === 0) return listMessage([]);
  const roles = await deps.store.activeRoles(incidents.map((i) => i.id));
  return listMessage(
    incidents.map((incident) => {
      const r = roles.get(incident.id) ?? [];
      return { incident, roles: r, canSee: canSee(deps, incident, r, userId) };
    }),
  );
}
