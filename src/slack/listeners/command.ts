// /incident <subcommand>: acknowledge at once, then route through the
// subcommand table. Inside an incident channel the subcommands act on that
// incident; elsewhere they take a key (`/incident mitigate INC-42`) or ask in
// the form.
import type { App } from "@slack/bolt";
import { AppError } from "../../errors.js";
import { normalizeKey } from "../../incidents/context.js";
import type { IncidentSummary } from "../../incidents/ports.js";
import { actorOf, canSee, type SlackDeps, summaryOfChannel } from "../deps.js";
import { toUserError } from "../errors.js";
import { openForm } from "../forms/index.js";
import { COMMAND } from "../ids.js";
import { respondTo } from "../respond.js";
import { findSubcommand, HELP, HELP_LINES, type Subcommand } from "../subcommands.js";
import type { Message } from "../views/blocks.js";
import { confirmation, helpMessage } from "../views/messages.js";

export function registerCommand(app: App, deps: SlackDeps) {
  app.command(COMMAND, async (args) => {
    const { command } = args;
    const words = command.text.trim().split(/\s+/).filter(Boolean);
    const word = words[0]?.toLowerCase() ?? "";
    const sub = findSubcommand(word);
    // An explicit key wins; otherwise the channel's incident. (Not for `declare 42 servers down`.)
    const explicit = words[1] && sub?.incident !== "none" ? normalizeKey(words[1]) : null;
    const rest = words.slice(explicit ? 2 : 1);
    // Answers that need no I/O go back in the acknowledgement itself: no
    // second request to Slack, nothing to wait for.
    const immediate = immediateAnswer(word, sub, rest);
    if (immediate || !sub) {
      await args.ack({ response_type: "ephemeral", ...(immediate ?? HELP_MESSAGE) });
      return;
    }
    await args.ack();
    const log = deps.logger.child({ userId: command.user_id, requestId: command.trigger_id.slice(-8) });
    const say = async (msg: Message) => {
      await respondTo(command.response_url, { response_type: "ephemeral", ...msg });
    };
    try {
      // Only the subcommands that act on an incident look it up.
      const summary =
        sub.incident === "none"
          ? null
          : explicit
            ? await byKey(deps, explicit)
            : await summaryOfChannel(deps, command.channel_id);
      // A private incident does not exist for those outside it: whatever they
      // type about it gets this one answer, naming nothing but its key.
      if (summary && !canSee(deps, summary.incident, summary.roles, command.user_id)) {
        throw new AppError(
          "forbidden",
          `${summary.incident.key} is private: only its responders and admins can see it or act on it. Ask its Incident Commander for a role.`,
        );
      }
      const incident = summary?.incident ?? null;
      const need = () => {
        if (incident) return incident;
        throw new AppError(
          "validation",
          `Name the incident: \`/incident ${sub.name} INC-42\`, or run it in the incident's channel.`,
        );
      };
      if (sub.incident === "required") need();
      if (typeof sub.run !== "function") {
        await openForm(deps, {
          name: sub.run.form,
          incident,
          ...(summary ? { roles: summary.roles } : {}),
          userId: command.user_id,
          triggerId: command.trigger_id,
          text: rest.join(" "),
          origin: command.channel_id,
          reply: (t) => say(confirmation(t)),
        });
        return;
      }
      await sub.run({
        deps,
        actor: actorOf(deps, command.user_id),
        userId: command.user_id,
        channelId: command.channel_id,
        incident,
        need,
        rest,
        say,
        done: (text) => {
          deps.wake();
          return say(confirmation(text));
        },
        openForm: (name) =>
          openForm(deps, {
            name,
            incident,
            userId: command.user_id,
            triggerId: command.trigger_id,
            origin: command.channel_id,
            reply: (t) => say(confirmation(t)),
          }),
      });
    } catch (e) {
      await say(confirmation(`:warning: ${toUserError(e, log, { subcommand: sub.name }).text}`));
    }
  });
}

/** Help, unknown subcommands and usage mistakes: answered in the acknowledgement. */
/** The help never changes while muster runs: built once, not per request. */
const HELP_MESSAGE = helpMessage(HELP_LINES);

function immediateAnswer(word: string, sub: Subcommand | undefined, rest: string[]): Message | null {
  if (word === "" || word === HELP.name) return HELP_MESSAGE;
  if (!sub)
    return helpMessage(HELP_LINES, `I don't know \`${word.slice(0, 30).replace(/`/g, "")}\`. Here is what I can do:`);
  const mistake = sub.usageError?.(rest);
  return mistake ? confirmation(`:warning: ${mistake}`) : null;
}

async function byKey(deps: SlackDeps, key: string): Promise<IncidentSummary> {
  const s = await deps.store.incidentSummary({ key });
  if (!s) throw new AppError("not_found", `There is no incident ${key}.`);
  return s;
}
