// Every Slack id muster emits or listens for, in one place.

export const COMMAND = "/incident";

/** Events muster subscribes to (manifest.yml). */
export const EVENT = {
  appHomeOpened: "app_home_opened",
} as const;

export const SHORTCUT = {
  declare: "declare_incident",
  addToTimeline: "add_to_timeline",
} as const;

/** Modal callback ids. */
export const VIEW = {
  declare: "incident_declare",
  severity: "incident_severity",
  role: "incident_role",
  handoff: "incident_handoff",
  update: "incident_update",
  escalate: "incident_escalate",
  vendor: "incident_vendor",
  followUp: "incident_follow_up",
  risk: "incident_risk",
  resolve: "incident_resolve",
  note: "incident_note",
  times: "incident_times",
  impact: "incident_impact",
  unrole: "incident_unrole",
  dismiss: "incident_dismiss",
  postmortem: "incident_postmortem",
  vendorAnswer: "incident_vendor_answer",
  waivePostmortem: "incident_postmortem_waive",
  dutyLog: "dr_duty_log",
  riskEdit: "risk_edit",
  workingHours: "working_hours",
  recoveryWaive: "incident_recovery_waive",
  commsNotApplicable: "incident_comms_not_applicable",
  unpublish: "incident_unpublish",
  /** The modal that replaces a form when its submission failed for a reason no field explains. */
  error: "incident_error",
  /** Replaces a form whose command outlasted Slack's 3 s: not yet saved; becomes `saved` or `error` when it ends. */
  saving: "incident_saving",
  saved: "incident_saved",
} as const;

/** Button and select action ids. */
export const ACTION = {
  openSeverity: "open_severity",
  openRole: "open_role",
  /** The role form with the communications lead picked (a nudge's button). */
  openCommsRole: "open_role_comms",
  openHandoff: "open_handoff",
  openUpdate: "open_update",
  mitigate: "mitigate",
  openResolve: "open_resolve",
  openDeclare: "open_declare",
  openImpact: "open_impact",
  openTimes: "open_times",
  acceptHandoff: "handoff_accept",
  declineHandoff: "handoff_decline",
  retryJob: "job_retry",
  openIncident: "open_incident",
  link: "link",
  openPostmortem: "open_postmortem",
  importPostmortem: "postmortem_import",
  followUpDone: "follow_up_done",
  vendorNotAffected: "vendor_not_affected",
  vendorCompromised: "vendor_compromised",
  vendorWaiting: "vendor_waiting",
  completePostmortem: "postmortem_complete",
  snoozePostmortem: "postmortem_snooze",
  openWaivePostmortem: "open_postmortem_waive",
  openDutyLog: "open_dr_duty_log",
  openRiskEdit: "open_risk_edit",
  acceptEscalationOffer: "escalation_offer_accept",
  declineEscalationOffer: "escalation_offer_decline",
  acknowledgeEscalation: "escalation_acknowledge",
  /** The end-of-day DM: "Hand off now" (opens the hand-off form with suggestions) and "I'm staying on" (a select). */
  dayEndHandoff: "day_end_handoff",
  dayEndSnooze: "day_end_snooze",
  openWorkingHours: "open_working_hours",
  /** A triage message's Declare (an outage report, an alert): the declare form pre-filled from the report. */
  declareFromReport: "triage_declare",
  /** A checklist's item ticked from its message: the value is `INC-42|recovery|restore_verified`. */
  checklistTick: "checklist_tick",
  /** A party on the resolution checklist that need not be told: the value is `INC-42|status_page`. */
  openCommsNotApplicable: "open_comms_not_applicable",
  openRecoveryWaive: "open_recovery_waive",
  /** The control message's "Unpublish", shown while the incident is on the public status page. */
  openUnpublish: "open_unpublish",
  /** The control message's checklist buttons: show it to the person (the value is the key). Two ids: one block holds both. */
  showRecovery: "show_recovery_checklist",
  showComms: "show_comms_checklist",
} as const;

/**
 * Modal input blocks are named after the command's input fields, so an
 * AppError naming a field becomes that block's error.
 */
export const FIELD = {
  incident: "key",
  title: "title",
  summary: "summary",
  severity: "severity",
  impacts: "impacts",
  components: "components",
  regions: "regions",
  customersAffected: "customersAffected",
  assetRisk: "assetRisk",
  commander: "commanderId",
  private: "private",
  reportSource: "reportSource",
  reason: "reason",
  role: "role",
  user: "userId",
  successor: "toUserId",
  note: "note",
  internalText: "internalText",
  publicText: "publicText",
  publish: "publish",
  publicTitle: "publicTitle",
  publicComponents: "publicComponents",
  vendor: "vendor",
  vendorAnswer: "answer",
  notes: "notes",
  owner: "ownerId",
  dueDate: "dueDate",
  description: "description",
  partiesInformed: "partiesInformed",
  text: "text",
  impactStartedAt: "impactStartedAt",
  detectedAt: "detectedAt",
  mitigatedAt: "mitigatedAt",
  resolvedAt: "resolvedAt",
  details: "details",
  timeline: "timeline",
  impact: "impact",
  actionsTaken: "actionsTaken",
  rootCauses: "rootCauses",
  followUps: "followUps",
  newRisks: "newRisks",
  publicSummary: "publicSummary",
  externalVersionShared: "externalVersionShared",
  externalSharedWhere: "externalSharedWhere",
  /** The post-mortem form's "save as draft / mark complete" choice. */
  complete: "complete",
  deadline: "deadline",
  duty: "duty",
  doneAt: "doneAt",
  link: "link",
  likelihood: "likelihood",
  reviewAt: "reviewAt",
  riskStatus: "status",
  /** Working hours: start and end (HH:MM) and the working days. */
  start: "start",
  end: "end",
  days: "days",
  /** Named affected customers or tenants, comma-separated. */
  customers: "customers",
  /** The "data or processes disrupted" flag. */
  disrupted: "disrupted",
  /** Resolve: "nobody needed telling" (not offered for a customer-facing incident). */
  noneAffected: "noneAffected",
  /** The party picked on the "not applicable" form. */
  item: "item",
} as const;

/** The one action id inside each input block. */
export const INPUT = "value";

/** Message metadata event type: lets a retried job find the message it already posted. */
export const METADATA_EVENT = "muster_message";
