// "Add to incident timeline": copies a message (author, time, permalink)
// into the timeline of the channel's incident, or asks which incident in the
// note form (forms/note.ts).
import type { MessageShortcut } from "@slack/bolt";
import { actorOf, incidentOfChannel, type SlackDeps } from "../deps.js";
import { toUserError } from "../errors.js";
import { buildForm } from "../forms/index.js";
import { SHORTCUT } from "../ids.js";
import type { SlackRouter } from "../router.js";
import { confirmation } from "../views/messages.js";

const tsToDate = (ts: string) => new Date(Math.round(Number(ts) * 1000));

export function registerTimelineShortcut(router: SlackRouter, deps: SlackDeps) {
  router.shortcut<MessageShortcut>(SHORTCUT.addToTimeline, async (args) => {
    await args.ack();
    const { shortcut, client } = args;
    const say = (text: string) =>
      args.respond({ response_type: "ephemeral", ...confirmation(text) }).catch(() => undefined);
    try {
      const text = (shortcut.message.text ?? "").slice(0, 3000) || "(a message without text)";
      let permalink: string | undefined;
      try {
        permalink = (await client.chat.getPermalink({ channel: shortcut.channel.id, message_ts: shortcut.message.ts }))
          .permalink;
      } catch {
        // The copy is still worth having without the link.
      }
      const source = {
        authorId: shortcut.message.user ?? undefined,
        postedAt: tsToDate(shortcut.message.ts).toISOString(),
        ...(permalink ? { permalink } : {}),
      };
      const incident = await incidentOfChannel(deps, shortcut.channel.id);
      if (!incident) {
        const view = await buildForm(deps, { name: "note", incident: null, userId: shortcut.user.id, text, source });
        await deps.views.open(shortcut.trigger_id, view);
        return;
      }
      const r = await deps.service.addNote(
        actorOf(deps, shortcut.user.id),
        { key: incident.key, text, source },
        {
          idempotencyKey: `shortcut:${shortcut.channel.id}:${shortcut.message.ts}:${shortcut.user.id}`,
        },
      );
      await say(`Added to the ${r.key} timeline.`);
    } catch (e) {
      await say(`:warning: ${toUserError(e, deps.logger, { shortcut: SHORTCUT.addToTimeline }).text}`);
    }
  });
}
