// A newly identified risk, for the risk register.
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { input, modal, textInput, userSelect } from "../views/blocks.js";
import { ifGiven, incidentPicker, keyOf, metadataFor, type SlackForm } from "./form.js";

export const riskForm: SlackForm = {
  callbackId: VIEW.risk,
  incident: "pick",
  permission: "addRisk",
  build: (_deps, r) =>
    modal({
      callbackId: VIEW.risk,
      title: "Add a risk",
      submit: "Add",
      metadata: metadataFor(r),
      blocks: [
        ...incidentPicker(r.incident, r.open),
        input(FIELD.description, "Risk", textInput({ multiline: true, max: 3000 })),
        input(FIELD.owner, "Owner", userSelect(), { optional: true }),
      ],
    }),
  submit: (deps, s) =>
    deps.service.addRisk(
      s.actor,
      {
        key: keyOf(s),
        description: str(s.form[FIELD.description]) ?? "",
        ...ifGiven("ownerId", str(s.form[FIELD.owner])),
      },
      { idempotencyKey: s.idempotencyKey },
    ),
};
