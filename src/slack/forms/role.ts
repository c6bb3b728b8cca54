// Appointing a role (the IC role moves by hand-off instead).
import { COMMANDER } from "../../incidents/model.js";
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { context, input, modal, option, staticSelect, userSelect } from "../views/blocks.js";
import { incidentPicker, keyOf, metadataFor, type SlackForm } from "./form.js";

export const roleForm: SlackForm = {
  callbackId: VIEW.role,
  incident: "pick",
  permission: "assignRole",
  build(deps, r) {
    const assignable = deps.roles.filter((d) => d.key !== COMMANDER);
    return modal({
      callbackId: VIEW.role,
      title: "Assign a role",
      submit: "Assign",
      metadata: metadataFor(r),
      blocks: [
        ...incidentPicker(r.incident, r.open),
        input(
          FIELD.role,
          "Role",
          // A nudge's button opens the form with the missing role already picked.
          staticSelect(
            assignable.map((d) => option(d.name, d.key, d.description)),
            r.context?.role,
          ),
        ),
        input(FIELD.user, "Person", userSelect()),
        context(["They get a direct message saying what the role involves. The IC role moves by hand-off."]),
      ],
    });
  },
  submit: (deps, s) =>
    deps.service.assignRole(
      s.actor,
      { key: keyOf(s), role: str(s.form[FIELD.role]) ?? "", userId: str(s.form[FIELD.user]) ?? "" },
      { idempotencyKey: s.idempotencyKey },
    ),
};
