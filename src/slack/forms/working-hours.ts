// "Your working hours" (App Home, `/incident hours`): when a person's day
// starts and ends in their own Slack time zone, and on which days. The
// end-of-day hand-off asks an IC 30 minutes before their day ends, and
// suggests successors whose hours are going on.
import { COMMANDER } from "../../incidents/model.js";
import {
  DEFAULT_WORKING_HOURS,
  minuteWords,
  parseWorkingHours,
  WEEKDAY_NAMES,
  workingHoursWords,
} from "../../incidents/working-hours.js";
import { list, str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { checkboxes, input, modal, option, section, staticSelect } from "../views/blocks.js";
import { confirmation } from "../views/messages.js";
import type { SlackForm } from "./form.js";

/** Every quarter hour of the day: the start and end choices. */
const QUARTERS = Array.from({ length: 96 }, (_, i) => minuteWords(i * 15));

export const workingHoursForm: SlackForm = {
  callbackId: VIEW.workingHours,
  incident: "none",
  async build(deps, r) {
    const hours = (await deps.store.workingHoursOf([r.userId])).get(r.userId) ?? DEFAULT_WORKING_HOURS;
    return modal({
      callbackId: VIEW.workingHours,
      title: "Your working hours",
      submit: "Save",
      metadata: r.origin ? { origin: r.origin } : {},
      blocks: [
        section(
          `Now: *${workingHoursWords(hours)}*, in your Slack time zone. When you are the Incident Commander, muster asks you to hand off 30 minutes before your day ends, and suggests you as a successor while your hours are going on.`,
        ),
        input(
          FIELD.start,
          "Day starts",
          staticSelect(
            QUARTERS.map((t) => option(t, t)),
            minuteWords(hours.startMinute),
          ),
        ),
        input(
          FIELD.end,
          "Day ends",
          staticSelect(
            QUARTERS.map((t) => option(t, t)),
            minuteWords(hours.endMinute),
          ),
        ),
        input(
          FIELD.days,
          "Working days",
          checkboxes(
            WEEKDAY_NAMES.map((d, i) => option(d, String(i + 1))),
            hours.days.map(String),
          ),
          { optional: true },
        ),
      ],
    });
  },
  async submit(deps, s) {
    const hours = parseWorkingHours({
      start: str(s.form[FIELD.start]) ?? "",
      end: str(s.form[FIELD.end]) ?? "",
      days: list(s.form[FIELD.days]),
    });
    const now = deps.clock();
    await deps.store.saveWorkingHours(s.actor.userId, hours, now);
    // Where this person is the IC, the end-of-day timer starts over from the new hours.
    const open = await deps.store.listIncidentSummaries({ status: ["investigating", "mitigated"], limit: 100 });
    const mine = open.filter(({ roles }) => roles.some((x) => x.role === COMMANDER && x.userId === s.actor.userId));
    if (mine.length)
      await deps.jobs.enqueue(
        mine.map(({ incident }) => ({ incidentId: incident.id, kind: "slack.day_end_due", payload: {} })),
        now,
      );
    return { incidentId: "", key: "", eventIds: [], hours: workingHoursWords(hours) };
  },
  confirm: (_deps, _s, r) => confirmation(`Your working hours are now ${String(r.hours)}, in your Slack time zone.`),
};
