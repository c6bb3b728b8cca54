// Removing a role from whoever holds it (the IC role moves by hand-off).

import { AppError } from "../../errors.js";
import { COMMANDER } from "../../incidents/model.js";
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { mention, safe } from "../text.js";
import { input, modal, option, section, staticSelect } from "../views/blocks.js";
import { keyOf, metadataFor, type SlackForm } from "./form.js";

export const unroleForm: SlackForm = {
  callbackId: VIEW.unrole,
  incident: "named",
  permission: "unassignRole",
  build(deps, r) {
    const { incident, roles } = r;
    const name = (key: string) => deps.roles.find((d) => d.key === key)?.name ?? key;
    const removable = roles.filter((r) => r.role !== COMMANDER);
    if (!removable.length) {
      throw new AppError(
        "validation",
        `Nobody in ${incident.key} holds a role besides the Incident Commander (that role moves by hand-off).`,
      );
    }
    return modal({
      callbackId: VIEW.unrole,
      title: "Remove a role",
      submit: "Remove",
      metadata: metadataFor(r),
      blocks: [
        section(
          `*${incident.key}* roles:\n${removable.map((r) => `• ${safe(name(r.role), 80)}: ${mention(r.userId)}`).join("\n")}`,
        ),
        input(FIELD.role, "Role to remove", staticSelect(removable.map((r) => option(name(r.role), r.role)))),
      ],
    });
  },
  submit: (deps, s) =>
    deps.service.unassignRole(
      s.actor,
      { key: keyOf(s), role: str(s.form[FIELD.role]) ?? "" },
      { idempotencyKey: s.idempotencyKey },
    ),
};
