// A yearly duty done: which one (the duties this person may record), notes
// and a link. Opened by `/incident dr log` or the reminder's button.
import { AppError } from "../../errors.js";
import { actorOf } from "../deps.js";
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { datePicker, input, modal, option, section, staticSelect, textInput } from "../views/blocks.js";
import type { SlackForm } from "./form.js";

export const dutyLogForm: SlackForm = {
  callbackId: VIEW.dutyLog,
  incident: "none",
  build: (deps, r) => {
    const mine = deps.duties.recordableBy(actorOf(deps, r.userId));
    if (!mine.length) throw new AppError("forbidden", "Only a yearly duty's owner or an admin can record it as done.");
    return modal({
      callbackId: VIEW.dutyLog,
      title: "Log a yearly duty",
      submit: "Log it",
      metadata: { ...(r.origin ? { origin: r.origin } : {}) },
      blocks: [
        section("Record a BCP/DR duty as done; its next due date moves on from the day it was done."),
        input(
          FIELD.duty,
          "Duty",
          staticSelect(
            mine.map((d) => option(d.name, d.key, d.policy)),
            r.context?.duty ?? (mine.length === 1 ? mine[0]!.key : null),
          ),
        ),
        input(FIELD.notes, "What was done", textInput({ multiline: true, max: 3000 }), {
          hint: "Who took part, what was tested or reviewed, what was found.",
        }),
        input(FIELD.doneAt, "Done on", datePicker(), {
          optional: true,
          hint: "Today when left empty; the next due date counts from this day.",
        }),
        input(FIELD.link, "Link", textInput({ max: 2000, placeholder: "https://…" }), {
          optional: true,
          hint: "The write-up, the ticket or the drill's report.",
        }),
      ],
    });
  },
  async submit(deps, s) {
    const duty = str(s.form[FIELD.duty]) ?? "";
    const r = await deps.duties.log(
      s.actor,
      {
        duty,
        notes: str(s.form[FIELD.notes]) ?? "",
        ...(str(s.form[FIELD.link]) ? { link: str(s.form[FIELD.link]) } : {}),
        ...(str(s.form[FIELD.doneAt]) ? { doneAt: `${str(s.form[FIELD.doneAt])}T00:00:00Z` } : {}),
        source: "slack",
      },
      { idempotencyKey: s.idempotencyKey },
    );
    return { incidentId: "", key: r.duty, eventIds: [], nextDueAt: r.nextDueAt };
  },
  confirm: (_deps, _s, result) => {
    const text = `:white_check_mark: Logged. Next due ${String(result.nextDueAt).slice(0, 10)}; the reminders start over from it.`;
    return { text, blocks: [section(text)] };
  },
};
