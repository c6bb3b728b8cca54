// An admin waives the BCP/DR recovery checklist, saying why (it shows on the
// checklist, the timeline and the GitHub issue). Refused when the form is
// asked for by anyone else, before they write a word.
import { AppError } from "../../errors.js";
import { recoveryRequired } from "../../incidents/checklists.js";
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { input, modal, section, textInput } from "../views/blocks.js";
import { confirmation } from "../views/messages.js";
import { keyOf, metadataFor, type SlackForm } from "./form.js";

export const recoveryWaiveForm: SlackForm = {
  callbackId: VIEW.recoveryWaive,
  incident: "named",
  permission: "waiveRecovery",
  build: (_deps, r) => {
    if (!recoveryRequired(r.incident)) {
      throw new AppError("validation", `${r.incident.key} has no recovery checklist, so there is nothing to waive.`);
    }
    return modal({
      callbackId: VIEW.recoveryWaive,
      title: "Waive recovery",
      submit: "Waive",
      metadata: metadataFor(r),
      blocks: [
        section(
          `*${r.incident.key}*: the BCP/DR policy asks for a restore from backups, recorded. Waiving it lets the incident close with the checklist open; the reason is kept with it.`,
        ),
        input(FIELD.reason, "Why is the recovery checklist not needed?", textInput({ multiline: true, max: 3000 })),
      ],
    });
  },
  submit: (deps, s) =>
    deps.service.waiveRecovery(
      s.actor,
      { key: keyOf(s), reason: str(s.form[FIELD.reason]) ?? "" },
      { idempotencyKey: s.idempotencyKey },
    ),
  confirm: (_deps, _s, r) => confirmation(`${r.key}'s recovery checklist is waived; it can be closed.`),
};
