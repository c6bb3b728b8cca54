// Resolving: the summary, and which affected parties were told.
import { list, str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { input, modal, textInput } from "../views/blocks.js";
import { incidentPicker, keyOf, metadataFor, type SlackForm } from "./form.js";

export const resolveForm: SlackForm = {
  callbackId: VIEW.resolve,
  incident: "pick",
  permission: "resolve",
  build: (_deps, r) =>
    modal({
      callbackId: VIEW.resolve,
      title: "Resolve incident",
      submit: "Resolve",
      metadata: metadataFor(r),
      blocks: [
        ...incidentPicker(r.incident, r.open),
        input(FIELD.summary, "Resolution summary", textInput({ multiline: true, max: 3000 })),
        input(FIELD.partiesInformed, "Affected parties told it is resolved", textInput({ max: 1000 }), {
          hint: "Comma-separated, e.g. “support, Acme Corp, status page”; write “none affected” if nobody was.",
        }),
      ],
    }),
  submit: (deps, s) =>
    deps.service.resolve(
      s.actor,
      {
        key: keyOf(s),
        summary: str(s.form[FIELD.summary]) ?? "",
        partiesInformed: list(s.form[FIELD.partiesInformed]),
      },
      { idempotencyKey: s.idempotencyKey },
    ),
};
