// A vendor's answer, from the buttons on the vendor-check message: the
// answer picked (changeable) and a note.
import { answerVendorCheckInput } from "../../incidents/commands/vendor-checks.js";
import { parseInput } from "../../incidents/input.js";
import type { VENDOR_ANSWERS } from "../../incidents/model.js";
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { input, modal, option, radios, section, textInput } from "../views/blocks.js";
import { ifGiven, keyOf, type SlackForm } from "./form.js";

const LABELS: Record<(typeof VENDOR_ANSWERS)[number], string> = {
  not_affected: "Not affected",
  compromised: "Compromised",
  pending: "Still waiting",
};

export const vendorAnswerForm: SlackForm = {
  callbackId: VIEW.vendorAnswer,
  incident: "named",
  permission: "recordVendorCheck",
  build: (_deps, r) =>
    modal({
      callbackId: VIEW.vendorAnswer,
      title: "Vendor answer",
      submit: "Record",
      metadata: { key: r.incident?.key, context: { vendorCheckId: r.context?.vendorCheckId ?? "" } },
      blocks: [
        section(`*${r.incident?.key}*: what did *${r.context?.vendor ?? "the vendor"}* say?`),
        input(
          FIELD.vendorAnswer,
          "Answer",
          radios(
            (["not_affected", "compromised", "pending"] as const).map((a) => option(LABELS[a], a)),
            r.context?.answer ?? "not_affected",
          ),
        ),
        input(FIELD.notes, "Note", textInput({ multiline: true, max: 3000 }), {
          optional: true,
          hint: "Who answered and how; for “Still waiting”, what they said so far.",
        }),
      ],
    }),
  submit: (deps, s) =>
    deps.service.answerVendorCheck(
      s.actor,
      parseInput(answerVendorCheckInput, {
        key: keyOf(s),
        vendorCheckId: s.meta.context?.vendorCheckId ?? "",
        answer: str(s.form[FIELD.vendorAnswer]) ?? "not_affected",
        ...ifGiven("notes", str(s.form[FIELD.notes])),
      }),
      { idempotencyKey: s.idempotencyKey },
    ),
};
