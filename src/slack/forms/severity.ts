// Classifying severity (and, with it, the scope and the risk to assets).

import { classifySeverityInput } from "../../incidents/commands/classify-severity.js";
import { companyPolicyOf } from "../../incidents/company-policy.js";
import { parseInput } from "../../incidents/input.js";
import { list, str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { input, modal, radios, textInput } from "../views/blocks.js";
import { incidentPicker, keyOf, metadataFor, type SlackForm } from "./form.js";
import { severityDefinitions, severityOptions } from "./labels.js";

export const severityForm: SlackForm = {
  callbackId: VIEW.severity,
  incident: "pick",
  permission: "classifySeverity",
  build(deps, r) {
    const { incident: i, open } = r;
    const policy = companyPolicyOf(deps.service.policy);
    return modal({
      callbackId: VIEW.severity,
      title: "Change severity",
      submit: "Save",
      metadata: metadataFor(r),
      blocks: [
        ...incidentPicker(i, open),
        input(
          FIELD.severity,
          "Severity",
          radios(severityOptions(policy), i?.severity === "unclassified" ? null : i?.severity),
        ),
        severityDefinitions(policy),
        // The scope starts from what is recorded, so it is only offered when the incident is known:
        // picked from a list, empty fields would erase it. (`/incident impact` edits it on its own.)
        ...(i
          ? [
              input(
                FIELD.components,
                "Scope: affected components",
                textInput({ initial: i.scope.components.join(", "), max: 1000 }),
                { optional: true },
              ),
              input(
                FIELD.regions,
                "Scope: affected regions",
                textInput({ initial: i.scope.regions.join(", "), max: 1000 }),
                { optional: true },
              ),
              input(
                FIELD.assetRisk,
                "Risk to affected assets",
                textInput({ initial: i.assetRisk, multiline: true, max: 3000 }),
                { optional: true },
              ),
            ]
          : []),
        input(FIELD.reason, "Why this severity?", textInput({ multiline: true, max: 3000 })),
      ],
    });
  },
  submit(deps, s) {
    const command = parseInput(classifySeverityInput, {
      key: keyOf(s),
      severity: str(s.form[FIELD.severity]) ?? "",
      reason: str(s.form[FIELD.reason]) ?? "",
      // Only what the form showed.
      ...(FIELD.components in s.form ? { components: list(s.form[FIELD.components]) } : {}),
      ...(FIELD.regions in s.form ? { regions: list(s.form[FIELD.regions]) } : {}),
      ...(FIELD.assetRisk in s.form ? { assetRisk: str(s.form[FIELD.assetRisk]) ?? "" } : {}),
    });
    return deps.service.classifySeverity(s.actor, command, { idempotencyKey: s.idempotencyKey });
  },
};
