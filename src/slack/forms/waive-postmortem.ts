// "Not needed": an admin waives the post-mortem, saying why (the reason shows wherever the incident does).
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { input, modal, textInput } from "../views/blocks.js";
import { confirmation } from "../views/messages.js";
import { incidentPicker, keyOf, metadataFor, type SlackForm } from "./form.js";

export const waivePostmortemForm: SlackForm = {
  callbackId: VIEW.waivePostmortem,
  incident: "pick",
  permission: "waivePostmortem",
  build: (_deps, r) =>
    modal({
      callbackId: VIEW.waivePostmortem,
      title: "Post-mortem not needed",
      submit: "Waive",
      metadata: metadataFor(r),
      blocks: [
        ...incidentPicker(r.incident, r.open),
        input(FIELD.reason, "Why is no post-mortem needed?", textInput({ multiline: true, max: 3000 })),
      ],
    }),
  submit: (deps, s) =>
    deps.service.waivePostmortem(
      s.actor,
      { key: keyOf(s), reason: str(s.form[FIELD.reason]) ?? "" },
      { idempotencyKey: s.idempotencyKey },
    ),
  confirm: (_deps, _s, r) => confirmation(`The ${r.key} post-mortem is waived; its reminders stop.`),
};
