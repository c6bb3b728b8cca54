// The "Declare incident" global shortcut opens the declare form (its
// submission is routed with the other forms).
import type { SlackDeps } from "../deps.js";
import { openForm } from "../forms/index.js";
import { SHORTCUT } from "../ids.js";
import type { SlackRouter } from "../router.js";
import { dm } from "./submit.js";

export function registerDeclare(router: SlackRouter, deps: SlackDeps) {
  router.shortcut(SHORTCUT.declare, async (args) => {
    await args.ack();
    const userId = args.shortcut.user.id;
    await openForm(deps, {
      name: "declare",
      incident: null,
      userId,
      triggerId: args.shortcut.trigger_id,
      reply: (text) => dm(args, deps, userId, `shortcut:${args.shortcut.trigger_id}`, text),
    });
  });
}
