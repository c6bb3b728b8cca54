// Offering the Incident Commander role to someone; it moves when they accept.
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { mention } from "../text.js";
import { input, modal, section, textInput, userSelect } from "../views/blocks.js";
import { confirmation } from "../views/messages.js";
import { keyOf, metadataFor, type SlackForm } from "./form.js";

export const handoffForm: SlackForm = {
  callbackId: VIEW.handoff,
  incident: "named",
  permission: "proposeHandoff",
  build(_deps, r) {
    const { incident } = r;
    // From the end-of-day DM: who was working when it was sent.
    const suggested = (r.context?.suggested ?? "").split(",").filter((u) => /^[UW][A-Z0-9]+$/.test(u));
    return modal({
      callbackId: VIEW.handoff,
      title: "Hand off IC",
      submit: "Offer hand-off",
      metadata: metadataFor(r),
      blocks: [
        section(`Hand *${incident.key}* to another Incident Commander. They must accept before it moves.`),
        ...(suggested.length
          ? [section(`In their working hours now (on-call first): ${suggested.map(mention).join(", ")}`)]
          : []),
        input(FIELD.successor, "Successor", userSelect(suggested[0] ?? null)),
        input(
          FIELD.note,
          "Hand-off note",
          textInput({
            multiline: true,
            max: 3000,
            placeholder: "Current state · what has been tried · open threads · next checkpoint",
          }),
          { hint: "Current state, what has been tried, open threads, next checkpoint." },
        ),
      ],
    });
  },
  submit: (deps, s) =>
    deps.service.proposeHandoff(
      s.actor,
      { key: keyOf(s), toUserId: str(s.form[FIELD.successor]) ?? "", note: str(s.form[FIELD.note]) ?? "" },
      { idempotencyKey: s.idempotencyKey },
    ),
  confirm: (_deps, _s, r) => confirmation(`Hand-off of ${r.key} offered. You stay the IC until they accept.`),
};
