// Resolving: the summary, and the resolution-communication checklist. Each
// party the incident proposes (checklists.ts) is told, still to tell (muster
// reminds) or not applicable with a reason; others told are typed by name.
// "None affected" is offered only when the incident is not customer-facing;
// the command refuses it anyway (the incident may have changed meanwhile).

import type { ItemState } from "../../incidents/checklists.js";
import {
  isCustomerFacing,
  NONE_AFFECTED_FIELD,
  type Party,
  POSTED_BY_MUSTER,
  partyField,
  partyReasonField,
  proposedParties,
} from "../../incidents/checklists.js";
import { list, str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { type Block, checkboxes, context, input, modal, option, staticSelect, textInput } from "../views/blocks.js";
import { incidentPicker, keyOf, metadataFor, type SlackForm } from "./form.js";

const STATE_OPTIONS = [
  option("Told", "done"),
  option("Still to tell (muster reminds)", "open"),
  option("Not applicable", "not_applicable"),
];

function partyBlocks(parties: readonly Party[]): Block[] {
  return parties.flatMap((p) => {
    const posted = POSTED_BY_MUSTER.includes(p.key);
    return [
      input(partyField(p.key), p.label, staticSelect(STATE_OPTIONS, posted ? "done" : "open"), {
        optional: true,
        ...(posted ? { hint: "muster posts the resolution there." } : {}),
      }),
      input(partyReasonField(p.key), `Why not applicable: ${p.label}`, textInput({ max: 500 }), { optional: true }),
    ];
  });
}

const STATES: readonly string[] = ["open", "done", "not_applicable"];

export const resolveForm: SlackForm = {
  callbackId: VIEW.resolve,
  incident: "pick",
  permission: "resolve",
  async build(deps, r) {
    const blocks: Block[] = [
      ...incidentPicker(r.incident, r.open),
      input(FIELD.summary, "Resolution summary", textInput({ multiline: true, max: 3000 })),
    ];
    let customerFacing = false;
    if (r.incident) {
      const record = await deps.store.loadIncidentById(r.incident.id);
      const escalated = (record?.escalations.length ?? 0) > 0;
      customerFacing = isCustomerFacing(r.incident);
      blocks.push(
        context([
          "*Who must hear it is resolved?* Mark each party told, still to tell (muster reminds until it is ticked off), or not applicable with a reason.",
        ]),
        ...partyBlocks(
          proposedParties(r.incident, { escalated, announcementChannel: deps.service.policy.announcementChannel }),
        ),
      );
    } else {
      blocks.push(
        context([
          "The parties to tell (its channels, named customers, the status page…) are proposed from the incident: after resolving, tick them off with `/incident comms`.",
        ]),
      );
    }
    blocks.push(
      input(FIELD.partiesInformed, "Others told it is resolved", textInput({ max: 1000 }), {
        optional: true,
        hint: "Comma-separated, e.g. “support, billing team”.",
      }),
    );
    // "None affected" is not offered where customers were affected.
    if (!customerFacing) {
      blocks.push(
        input(
          FIELD.noneAffected,
          "Nobody affected",
          checkboxes([option("None affected: nobody needs telling", "none")]),
          { optional: true },
        ),
      );
    }
    return modal({
      callbackId: VIEW.resolve,
      title: "Resolve incident",
      submit: "Resolve",
      metadata: metadataFor(r),
      blocks,
    });
  },
  submit: (deps, s) => {
    const parties: { key: string; state: ItemState; reason?: string }[] = [];
    for (const [block, value] of Object.entries(s.form)) {
      const key = block.startsWith("party.") ? block.slice("party.".length) : null;
      const state = str(value);
      if (!key || !state || !STATES.includes(state)) continue;
      const reason = str(s.form[partyReasonField(key)])?.trim();
      // A reason written beside a party left "still to tell" says it is not applicable.
      const picked = reason && state === "open" ? "not_applicable" : (state as ItemState);
      parties.push({ key, state: picked, ...(reason ? { reason } : {}) });
    }
    return deps.service.resolve(
      s.actor,
      {
        key: keyOf(s),
        summary: str(s.form[FIELD.summary]) ?? "",
        parties,
        partiesInformed: list(s.form[FIELD.partiesInformed]),
        noneAffected: list(s.form[NONE_AFFECTED_FIELD]).includes("none"),
      },
      { idempotencyKey: s.idempotencyKey },
    );
  },
};
