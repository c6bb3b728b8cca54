// Recording a check with a vendor whose product may be compromised.
import { recordVendorCheckInput } from "../../incidents/commands/vendor-checks.js";
import { parseInput } from "../../incidents/input.js";
import { VENDOR_ANSWERS } from "../../incidents/model.js";
import { dateTime, str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { dateTimePicker, input, modal, option, staticSelect, textInput } from "../views/blocks.js";
import { ifGiven, incidentPicker, keyOf, metadataFor, type SlackForm } from "./form.js";
import { VENDOR_ANSWER_LABELS } from "./labels.js";

export const vendorForm: SlackForm = {
  callbackId: VIEW.vendor,
  incident: "pick",
  permission: "recordVendorCheck",
  build: (_deps, r) =>
    modal({
      callbackId: VIEW.vendor,
      title: "Vendor check",
      submit: "Record",
      metadata: metadataFor(r),
      blocks: [
        ...incidentPicker(r.incident, r.open),
        input(FIELD.vendor, "Vendor", textInput({ max: 200 })),
        input(
          FIELD.vendorAnswer,
          "Answer",
          staticSelect(
            VENDOR_ANSWERS.map((a) => option(VENDOR_ANSWER_LABELS[a], a)),
            "pending",
          ),
        ),
        input(FIELD.notes, "Notes", textInput({ multiline: true, max: 3000 }), { optional: true }),
        input(FIELD.deadline, "Answer needed by", dateTimePicker(), {
          optional: true,
          hint: "Shown on the check's message in the channel.",
        }),
      ],
    }),
  submit(deps, s) {
    const command = parseInput(recordVendorCheckInput, {
      key: keyOf(s),
      vendor: str(s.form[FIELD.vendor]) ?? "",
      answer: str(s.form[FIELD.vendorAnswer]) ?? "pending",
      ...ifGiven("notes", str(s.form[FIELD.notes])),
      ...(dateTime(s.form[FIELD.deadline]) ? { deadline: dateTime(s.form[FIELD.deadline])! } : {}),
    });
    return deps.service.recordVendorCheck(s.actor, command, { idempotencyKey: s.idempotencyKey });
  },
};
