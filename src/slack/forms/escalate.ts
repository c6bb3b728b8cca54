// Escalating to leadership: anyone may pull it, and who did is recorded.
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { input, modal, textInput } from "../views/blocks.js";
import { confirmation } from "../views/messages.js";
import { incidentPicker, keyOf, metadataFor, type SlackForm } from "./form.js";

export const escalateForm: SlackForm = {
  callbackId: VIEW.escalate,
  incident: "pick",
  permission: "escalate",
  build: (_deps, r) =>
    modal({
      callbackId: VIEW.escalate,
      title: "Escalate to leadership",
      submit: "Escalate",
      metadata: metadataFor(r),
      blocks: [
        ...incidentPicker(r.incident, r.open),
        input(FIELD.reason, "Why does the response need leadership?", textInput({ multiline: true, max: 3000 })),
      ],
    }),
  submit: (deps, s) =>
    deps.service.escalate(
      s.actor,
      { key: keyOf(s), reason: str(s.form[FIELD.reason]) ?? "" },
      { idempotencyKey: s.idempotencyKey },
    ),
  confirm: (_deps, _s, r) => confirmation(`${r.key} escalated; leadership gets your brief by direct message.`),
};
