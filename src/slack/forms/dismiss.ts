// "Not an incident": a report that turned out not to be one, with the
// policy's own definition and its note on vulnerabilities beside the reason.
import { companyPolicyOf } from "../../incidents/company-policy.js";
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { safe } from "../text.js";
import { context, input, modal, section, textInput } from "../views/blocks.js";
import { confirmation } from "../views/messages.js";
import { keyOf, metadataFor, type SlackForm } from "./form.js";

export const dismissForm: SlackForm = {
  callbackId: VIEW.dismiss,
  incident: "named",
  permission: "markNotAnIncident",
  build(deps, r) {
    const { incident } = r;
    const policy = companyPolicyOf(deps.service.policy);
    return modal({
      callbackId: VIEW.dismiss,
      title: "Not an incident",
      submit: "Mark not an incident",
      metadata: metadataFor(r),
      blocks: [
        section(`Mark *${incident.key}* as not an incident. Its record and timeline stay; it can be reopened.`),
        section(`*What the policy calls an incident*\n${safe(policy.incidentDefinition)}`),
        context([safe(policy.vulnerabilityNote)]),
        input(FIELD.reason, "Why is it not an incident?", textInput({ multiline: true, max: 3000 })),
      ],
    });
  },
  submit: (deps, s) =>
    deps.service.markNotAnIncident(
      s.actor,
      { key: keyOf(s), reason: str(s.form[FIELD.reason]) ?? "" },
      { idempotencyKey: s.idempotencyKey },
    ),
  confirm: (_deps, _s, r) => confirmation(`${r.key} is marked not an incident.`),
};
