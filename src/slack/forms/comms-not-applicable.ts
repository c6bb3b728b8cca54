// A party on the resolution-communication checklist that need not be told:
// which one, and why. Opened from the checklist's "Not applicable…" button.
import { AppError } from "../../errors.js";
import { commsChecklist, openItems } from "../../incidents/checklists.js";
import { COMMUNICATIONS } from "../../incidents/model.js";
import { mayAct } from "../../incidents/permissions.js";
import { actorOf } from "../deps.js";
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { input, modal, option, section, staticSelect, textInput } from "../views/blocks.js";
import { keyOf, metadataFor, type SlackForm } from "./form.js";

export const commsNotApplicableForm: SlackForm = {
  callbackId: VIEW.commsNotApplicable,
  incident: "named",
  async build(deps, r) {
    // The IC's duty, which the communications lead shares: refused on opening, like any form.
    const isCommsLead = r.roles.some((x) => x.role === COMMUNICATIONS && x.userId === r.userId && !x.endedAt);
    if (!isCommsLead && !mayAct("tickComms", actorOf(deps, r.userId), r.roles)) {
      throw new AppError(
        "forbidden",
        `Only the Incident Commander, the communications lead or an admin can tick off who was told for ${r.incident.key}.`,
      );
    }
    const record = await deps.store.loadIncidentById(r.incident.id);
    const open = openItems(commsChecklist(record?.timeline ?? []).items);
    if (!open.length) throw new AppError("validation", `Every party on ${r.incident.key}'s checklist is ticked off.`);
    return modal({
      callbackId: VIEW.commsNotApplicable,
      title: "Not applicable",
      submit: "Save",
      metadata: metadataFor(r),
      blocks: [
        section(`*${r.incident.key}*: a party that need not hear it is resolved, and why.`),
        input(
          FIELD.item,
          "Party",
          staticSelect(
            open.map((x) => option(x.label, x.key)),
            r.context?.item ?? open[0]!.key,
          ),
        ),
        input(FIELD.reason, "Why need they not be told?", textInput({ multiline: true, max: 1000 })),
      ],
    });
  },
  submit: (deps, s) =>
    deps.service.tickChecklist(
      s.actor,
      {
        key: keyOf(s),
        list: "comms",
        item: str(s.form[FIELD.item]) ?? "",
        state: "not_applicable",
        reason: str(s.form[FIELD.reason]) ?? "",
      },
      { idempotencyKey: s.idempotencyKey },
    ),
};
