// Names of the external references muster keeps for an incident.
export const REF = {
  channel: "slack_channel",
  announcement: "slack_announcement",
  control: "slack_control",
  issue: "github_issue",
  doc: "google_doc",
  postmortemDoc: "google_postmortem_doc",
  /** Which late links are already written into the incident doc (Docs writes are 60 a minute). */
  docLinks: "google_doc:links",
  bookmark: (of: string) => `slack_bookmark:${of}`,
  message: (what: string) => `slack_message:${what}`,
  followUpIssue: (followUpId: string) => `github_follow_up:${followUpId}`,
} as const;
