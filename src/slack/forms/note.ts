// A note for the timeline, from the "Add to incident timeline" message
// shortcut outside an incident channel (inside one, it is added at once).
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { input, modal, textInput } from "../views/blocks.js";
import { confirmation } from "../views/messages.js";
import { incidentPicker, keyOf, metadataFor, type SlackForm } from "./form.js";

export const noteForm: SlackForm = {
  callbackId: VIEW.note,
  incident: "pick",
  permission: "addNote",
  build: (_deps, r) =>
    modal({
      callbackId: VIEW.note,
      title: "Add to timeline",
      submit: "Add",
      metadata: { ...metadataFor(r), source: r.source },
      blocks: [
        ...incidentPicker(r.incident, r.open),
        input(FIELD.text, "Text", textInput({ initial: r.text, multiline: true, max: 3000 })),
      ],
    }),
  submit: (deps, s) =>
    deps.service.addNote(
      s.actor,
      { key: keyOf(s), text: str(s.form[FIELD.text]) ?? "", ...(s.meta.source ? { source: s.meta.source } : {}) },
      { idempotencyKey: s.idempotencyKey },
    ),
  confirm: (_deps, _s, r) => confirmation(`Added to the ${r.key} timeline.`),
};
