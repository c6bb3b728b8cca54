// A corrective action with an owner (and, optionally, a due date).
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { datePicker, input, modal, textInput, userSelect } from "../views/blocks.js";
import { ifGiven, incidentPicker, keyOf, metadataFor, type SlackForm } from "./form.js";

export const followUpForm: SlackForm = {
  callbackId: VIEW.followUp,
  incident: "pick",
  permission: "addFollowUp",
  build: (_deps, r) =>
    modal({
      callbackId: VIEW.followUp,
      title: "Add a follow-up",
      submit: "Add",
      metadata: metadataFor(r),
      blocks: [
        ...incidentPicker(r.incident, r.open),
        input(FIELD.title, "Action", textInput({ max: 200 })),
        input(FIELD.owner, "Owner", userSelect(r.userId)),
        input(FIELD.dueDate, "Due", datePicker(), { optional: true }),
      ],
    }),
  submit: (deps, s) =>
    deps.service.addFollowUp(
      s.actor,
      {
        key: keyOf(s),
        title: str(s.form[FIELD.title]) ?? "",
        ownerId: str(s.form[FIELD.owner]) ?? "",
        ...ifGiven("dueDate", str(s.form[FIELD.dueDate])),
      },
      { idempotencyKey: s.idempotencyKey },
    ),
};
