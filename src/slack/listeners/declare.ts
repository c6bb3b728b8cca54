// Declaring: the /incident declare subcommand, the global shortcut, and the
// modal's submission.
import type { SlackDeps } from "../deps.js";
import { list, str } from "../form.js";
import { FIELD, SHORTCUT, VIEW } from "../ids.js";
import type { SlackRouter } from "../router.js";
import { declaredConfirmation } from "../views/messages.js";
import { declareModal } from "../views/modals.js";
import { handleSubmission, tellUser } from "./submit.js";

export function registerDeclare(router: SlackRouter, deps: SlackDeps) {
  router.shortcut(SHORTCUT.declare, async ({ ack, shortcut }) => {
    await ack();
    await deps.views.open(shortcut.trigger_id, declareModal({ declarerId: shortcut.user.id }));
  });

  router.view(VIEW.declare, async (args) => {
    await handleSubmission(
      args,
      deps,
      (s) => {
        const impacts = list(s.form[FIELD.impacts]);
        const ticked = list(s.form[FIELD.private]).includes("private");
        return deps.service.declare(
          s.actor,
          {
            title: str(s.form[FIELD.title]) ?? "",
            summary: str(s.form[FIELD.summary]) ?? "",
            ...(str(s.form[FIELD.severity]) ? { severity: str(s.form[FIELD.severity]) as never } : {}),
            impacts: impacts as never,
            components: list(s.form[FIELD.components]),
            commanderId: str(s.form[FIELD.commander]) ?? s.actor.userId,
            // Unticked means "the default": a suspected breach is private anyway.
            ...(ticked ? { private: true } : {}),
            reportSource: (str(s.form[FIELD.reportSource]) ?? "on_call") as never,
          },
          { idempotencyKey: s.idempotencyKey },
        );
      },
      async (s, result) => {
        const summary = await deps.store.incidentSummary({ id: result.incidentId });
        if (summary) await tellUser(args, s.actor.userId, s.meta.origin, declaredConfirmation(summary.incident));
      },
    );
  });
}
