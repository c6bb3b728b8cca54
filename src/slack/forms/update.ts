// A status update: internal text, and customer-facing text kept separate.
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { input, modal, textInput } from "../views/blocks.js";
import { ifGiven, incidentPicker, keyOf, metadataFor, type SlackForm } from "./form.js";
import { publishBlocks, readPublishFields } from "./publish-fields.js";

export const updateForm: SlackForm = {
  callbackId: VIEW.update,
  incident: "pick",
  permission: "postStatusUpdate",
  build: (deps, r) =>
    modal({
      callbackId: VIEW.update,
      title: "Post a status update",
      submit: "Post",
      metadata: metadataFor(r),
      blocks: [
        ...incidentPicker(r.incident, r.open),
        input(FIELD.internalText, "Internal update", textInput({ multiline: true, max: 3000 })),
        input(FIELD.publicText, "Customer-facing text", textInput({ multiline: true, max: 3000 }), {
          optional: true,
          hint: "Only if customers should hear about it. Kept separate from the internal update; on the status page once the incident is published.",
        }),
        ...publishBlocks(deps.service.policy.statusPage?.components ?? []),
      ],
    }),
  submit: (deps, s) =>
    deps.service.postStatusUpdate(
      s.actor,
      {
        key: keyOf(s),
        internalText: str(s.form[FIELD.internalText]) ?? "",
        ...ifGiven("publicText", str(s.form[FIELD.publicText])),
        ...readPublishFields(s.form),
      },
      { idempotencyKey: s.idempotencyKey },
    ),
};
