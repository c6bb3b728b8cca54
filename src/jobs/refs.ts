// Names of the external references muster keeps for an incident, and the
// links every adapter shows. Neutral ground: the Slack, GitHub and Google
// adapters all use it, none imports another's module for it.
import type { RefStore } from "./ports.js";

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

/** Where an incident lives outside muster; null while not created (yet). */
export interface IncidentLinks {
  channelId: string | null;
  issueUrl: string | null;
  docUrl: string | null;
  postmortemDocUrl: string | null;
}

export async function linksOf(deps: { refs: Pick<RefStore, "all"> }, incidentId: string): Promise<IncidentLinks> {
  const refs = await deps.refs.all(incidentId);
  const ok = (k: string) => {
    const r = refs.get(k);
    return r?.externalId ? r : null;
  };
  return {
    channelId: ok(REF.channel)?.externalId ?? null,
    issueUrl: ok(REF.issue)?.url ?? null,
    docUrl: ok(REF.doc)?.url ?? null,
    postmortemDocUrl: ok(REF.postmortemDoc)?.url ?? null,
  };
}
