import type { EventKind, JobKind } from "./model.js";

/**
 * Which outside systems hear about each kind of timeline event. Kept as data
 * so "what does GitHub get?" has one answer. The jobs carry the event id;
 * the worker renders the event when it runs.
 */
export const EVENT_EFFECTS: Record<EventKind, readonly JobKind[]> = {
  // Each event with slack.nudge_due may open or close a gap muster nudges about (nudges.ts): the incident's nudge timer restarts.
  // A change of IC (or of the incident's state) restarts the end-of-day hand-off timer (slack.day_end_due).
  declared: ["slack.nudge_due", "slack.day_end_due"],
  severity_classified: ["slack.post_event", "github.post_comment", "slack.nudge_due"],
  impact_updated: ["slack.post_event", "github.post_comment", "slack.nudge_due"],
  // The new holder joins the channel, appears on the control message and can edit the doc.
  role_assigned: ["slack.post_event", "slack.sync_channel", "google.sync_doc", "slack.nudge_due", "slack.day_end_due"],
  role_unassigned: ["slack.post_event", "slack.nudge_due", "slack.day_end_due"],
  handoff_proposed: ["slack.post_event"],
  handoff_accepted: ["slack.post_event", "github.post_comment", "google.sync_doc", "slack.day_end_due"],
  handoff_declined: ["slack.post_event"],
  status_update: ["slack.post_event", "github.post_comment", "slack.nudge_due"],
  escalated: ["slack.post_event", "github.post_comment", "slack.escalate"],
  vendor_check_requested: ["slack.post_event", "slack.nudge_due"],
  vendor_check_answered: ["slack.post_event", "github.post_comment", "slack.nudge_due"],
  follow_up_added: ["slack.post_event", "github.post_comment", "github.create_follow_up_issue", "slack.nudge_due"],
  follow_up_done: ["slack.post_event", "github.post_comment", "github.close_follow_up_issue", "slack.nudge_due"],
  risk_added: ["slack.post_event"],
  // The register's history (RiskChange) has the detail; the channel has moved on by then.
  risk_updated: [],
  note: [],
  status_changed: ["slack.post_event", "github.post_comment", "slack.nudge_due", "slack.day_end_due"],
  times_corrected: ["slack.post_event"],
  postmortem_updated: [],
  postmortem_owner_assigned: ["slack.post_event", "slack.postmortem_owed"],
  postmortem_completed: ["slack.post_event", "github.post_comment"],
  postmortem_waived: ["slack.post_event", "github.post_comment"],
  repair_requested: [],
  // The owner is told by DM; the lead (with the IC) when the deadline has passed. Not in the channel.
  postmortem_reminded: ["slack.postmortem_reminder"],
  postmortem_reminder_snoozed: [],
  postmortem_escalated: ["slack.postmortem_reminder"],
  // The worker posted the nudge before recording it: nothing to post again.
  nudged: [],
  // The IC is offered the escalation by DM; the timer (queued by the command) escalates without an answer.
  escalation_proposed: ["slack.escalation_offer"],
  escalation_declined: [],
  // The channel hears that leadership has it.
  escalation_acknowledged: ["slack.post_event", "github.post_comment"],
  // The IC is asked by DM (not in the channel); staying on restarts the timer at the end of the snooze;
  // a day that ended unanswered is told in the channel (and, for Critical and High, to the escalation contacts).
  day_end_reminded: ["slack.day_end_message"],
  day_end_snoozed: ["slack.day_end_due"],
  day_end_unanswered: ["slack.post_event", "slack.day_end_message"],
  // The checklists (checklists.ts): the checklist message in the channel is posted or brought up to date
  // (slack.checklist); each tick is a line in the channel and a comment on the issue; a comms tick may close
  // the gap muster reminds about.
  recovery_checklist_opened: ["slack.checklist", "github.post_comment"],
  checklist_ticked: ["slack.post_event", "github.post_comment", "slack.checklist", "slack.nudge_due"],
  recovery_waived: ["slack.post_event", "github.post_comment", "slack.checklist"],
  // Withdrawn from the status page: the channel hears it and its control message loses the Unpublish button.
  // No GitHub comment, as publishing has none of its own.
  unpublished: ["slack.post_event", "slack.sync_channel"],
};

/** Jobs that bring every outside view of the incident up to date with its state. */
export const SYNC_JOBS: readonly JobKind[] = ["slack.sync_announcement", "slack.sync_channel", "github.sync_issue"];
