// Correcting the incident's times. Slack shows each picker in the person's
// own time zone and returns epoch seconds, so no zone handling happens here.
// The block ids are the command's field names: an order mistake comes back as
// an error on exactly the field to fix.
import type { CorrectTimesInput } from "../../incidents/commands/correct-times.js";
import { dateTime, str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { slackDate } from "../text.js";
import { context, dateTimePicker, input, modal, section, textInput } from "../views/blocks.js";
import { confirmation } from "../views/messages.js";
import { ifGiven, keyOf, metadataFor, type SlackForm } from "./form.js";

const EDITABLE = [FIELD.impactStartedAt, FIELD.detectedAt, FIELD.mitigatedAt, FIELD.resolvedAt] as const;

export const timesForm: SlackForm = {
  callbackId: VIEW.times,
  incident: "named",
  permission: "correctTimes",
  build(_deps, r) {
    const { incident } = r;
    const t = incident.times;
    const mitigated = ["mitigated", "resolved", "closed"].includes(incident.status);
    const resolved = incident.status === "resolved" || incident.status === "closed";
    return modal({
      callbackId: VIEW.times,
      title: "Correct times",
      submit: "Save",
      metadata: metadataFor(r),
      blocks: [
        section(`*${incident.key}*: when did each step really happen? Times are in your own time zone.`),
        input(FIELD.impactStartedAt, "Impact started", dateTimePicker(t.impactStartedAt), { optional: true }),
        input(FIELD.detectedAt, "Detected", dateTimePicker(t.detectedAt), { optional: true }),
        section(`*Declared*\n${slackDate(t.declaredAt)}`),
        context(["Recorded by muster when the incident was declared; it can't be changed."]),
        ...(mitigated
          ? [input(FIELD.mitigatedAt, "Mitigated", dateTimePicker(t.mitigatedAt), { hint: "When the impact stopped." })]
          : []),
        ...(resolved ? [input(FIELD.resolvedAt, "Resolved", dateTimePicker(t.resolvedAt))] : []),
        input(FIELD.reason, "How do you know?", textInput({ multiline: true, max: 3000 }), {
          optional: true,
          hint: "E.g. “graphs show errors from 14:02”. Kept on the timeline with the correction.",
        }),
      ],
    });
  },
  submit(deps, s) {
    const command: CorrectTimesInput = { key: keyOf(s), ...ifGiven("reason", str(s.form[FIELD.reason])) };
    // Only the pickers the form showed; a cleared one means "not known".
    for (const k of EDITABLE) if (k in s.form) command[k] = dateTime(s.form[k]);
    return deps.service.correctTimes(s.actor, command, { idempotencyKey: s.idempotencyKey });
  },
  confirm: (_deps, _s, r) => confirmation(`${r.key}'s times are corrected; the timeline shows what changed.`),
};
