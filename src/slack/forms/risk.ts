// A newly identified risk, for the risk register.
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { datePicker, input, modal, option, staticSelect, textInput, userSelect } from "../views/blocks.js";
import { ifGiven, incidentPicker, keyOf, metadataFor, type SlackForm } from "./form.js";

const LEVELS = [option("Low", "low"), option("Medium", "medium"), option("High", "high")];

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
        input(FIELD.title, "Title", textInput({ max: 150 }), {
          optional: true,
          hint: "A short name for the register; the first line of the risk when empty.",
        }),
        input(FIELD.description, "Risk", textInput({ multiline: true, max: 3000 })),
        input(FIELD.likelihood, "Likelihood", staticSelect(LEVELS), { optional: true }),
        input(FIELD.impact, "Impact", staticSelect(LEVELS), { optional: true }),
        input(FIELD.owner, "Owner", userSelect(), { optional: true }),
        input(FIELD.reviewAt, "Review by", datePicker(), {
          optional: true,
          hint: "Its owner is reminded on this day.",
        }),
      ],
    }),
  submit: (deps, s) => {
    const reviewDay = str(s.form[FIELD.reviewAt]);
    return deps.service.addRisk(
      s.actor,
      {
        key: keyOf(s),
        description: str(s.form[FIELD.description]) ?? "",
        ...ifGiven("title", str(s.form[FIELD.title])),
        ...ifGiven("ownerId", str(s.form[FIELD.owner])),
        ...(str(s.form[FIELD.likelihood]) ? { likelihood: str(s.form[FIELD.likelihood]) as "low" } : {}),
        ...(str(s.form[FIELD.impact]) ? { impact: str(s.form[FIELD.impact]) as "low" } : {}),
        ...(reviewDay ? { reviewAt: new Date(`${reviewDay}T09:00:00Z`) } : {}),
      },
      { idempotencyKey: s.idempotencyKey },
    );
  },
};
