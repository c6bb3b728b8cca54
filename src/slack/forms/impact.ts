// The blast radius, editable at any time without touching the severity:
// impacts, customers affected, components, regions, risk to affected assets.
// Opened for a known incident only, so every field starts from what is
// recorded and an untouched field stays as it is.
import { updateImpactInput } from "../../incidents/commands/update-impact.js";
import { parseInput } from "../../incidents/input.js";
import { list, str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { checkboxes, input, modal, numberInput, section, textInput } from "../views/blocks.js";
import { ifGiven, keyOf, metadataFor, type SlackForm } from "./form.js";
import { disruptedOption, impactOptions } from "./labels.js";

export const impactForm: SlackForm = {
  callbackId: VIEW.impact,
  incident: "named",
  permission: "updateImpact",
  build(_deps, r) {
    const { incident: i } = r;
    return modal({
      callbackId: VIEW.impact,
      title: "Impact and scope",
      submit: "Save",
      metadata: metadataFor(r),
      blocks: [
        section(`*${i.key}*: what it affected, as far as is known now. The severity stays as it is.`),
        input(FIELD.impacts, "Impact", checkboxes(impactOptions(), i.impacts), { optional: true }),
        input(FIELD.disrupted, "BCP/DR", checkboxes([disruptedOption()], i.disrupted ? ["disrupted"] : []), {
          optional: true,
          hint: "A data loss or corruption, or a disrupted process: muster adds the recovery checklist (restore from backups, verified, signed off) and closing waits for it.",
        }),
        input(FIELD.customersAffected, "Customers affected", numberInput(i.scope.customersAffected), {
          optional: true,
          hint: "How many customers; leave empty while unknown.",
        }),
        input(
          FIELD.customers,
          "Affected customers or tenants",
          textInput({ initial: i.scope.customers.join(", "), max: 1000 }),
          {
            optional: true,
            hint: "By name, separated with commas (up to 15): each is proposed when telling parties it is resolved.",
          },
        ),
        input(
          FIELD.components,
          "Affected components",
          textInput({ initial: i.scope.components.join(", "), max: 1000 }),
          {
            optional: true,
            hint: "Separate with commas.",
          },
        ),
        input(FIELD.regions, "Affected regions", textInput({ initial: i.scope.regions.join(", "), max: 1000 }), {
          optional: true,
          hint: "Separate with commas.",
        }),
        input(
          FIELD.assetRisk,
          "Risk to affected assets",
          textInput({ initial: i.assetRisk, multiline: true, max: 3000 }),
          { optional: true },
        ),
        input(FIELD.reason, "What changed?", textInput({ multiline: true, max: 3000 }), { optional: true }),
      ],
    });
  },
  submit(deps, s) {
    const customers = str(s.form[FIELD.customersAffected]);
    const command = parseInput(updateImpactInput, {
      key: keyOf(s),
      impacts: list(s.form[FIELD.impacts]),
      components: list(s.form[FIELD.components]),
      regions: list(s.form[FIELD.regions]),
      customers: list(s.form[FIELD.customers]),
      disrupted: list(s.form[FIELD.disrupted]).includes("disrupted"),
      customersAffected: customers === undefined ? null : Number(customers),
      assetRisk: str(s.form[FIELD.assetRisk]) ?? "",
      ...ifGiven("reason", str(s.form[FIELD.reason])),
    });
    return deps.service.updateImpact(s.actor, command, { idempotencyKey: s.idempotencyKey });
  },
};
