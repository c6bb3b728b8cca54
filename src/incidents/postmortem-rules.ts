// When a post-mortem is owed, what it must hold, and what is still missing.
import type { CompanyPolicy } from "./company-policy.js";
import type { FollowUp, Incident, Postmortem, PostmortemSection, Risk } from "./model.js";
import { POSTMORTEM_SECTIONS } from "./model.js";

/**
 * The policy: a production outage or loss/corruption of customer or critical
 * data needs a post-mortem, and so does a Critical incident (Critical is
 * defined as one of those). Judged on the incident as it stands, so impacts
 * or a severity corrected after the declaration count.
 */
export function postmortemRequired(
  incident: Pick<Incident, "impacts" | "severity">,
  rule: CompanyPolicy["postmortem"],
): boolean {
  return (
    incident.impacts.some((i) => rule.impacts.includes(i)) ||
    (incident.severity !== "unclassified" && rule.severities.includes(incident.severity))
  );
}

/** Why one is owed, in words for people. */
export function postmortemReason(
  incident: Pick<Incident, "impacts" | "severity">,
  rule: CompanyPolicy["postmortem"],
): string {
  if (incident.impacts.includes("outage") && rule.impacts.includes("outage")) return "it caused a production outage";
  if (incident.impacts.includes("data_loss") && rule.impacts.includes("data_loss"))
    return "it caused a loss or corruption of customer or critical data";
  if (incident.severity !== "unclassified" && rule.severities.includes(incident.severity))
    return `it is ${incident.severity === "critical" ? "a Critical" : `a ${incident.severity}`} incident`;
  return "the company's post-mortem rule applies";
}

export const POSTMORTEM_SECTION_LABELS: Record<PostmortemSection, string> = {
  details: "Details",
  timeline: "Timeline",
  impact: "Impact",
  actionsTaken: "Actions taken to mitigate and resolve",
  rootCauses: "Root causes",
  followUps: "Follow-up actions",
  newRisks: "Newly identified risks",
};

/** The policy's six parts, then the risks: labels, and the doc headings each is read from. */
export const POSTMORTEM_PARTS: { key: PostmortemSection; label: string; headings: string[] }[] = [
  { key: "details", label: "Details", headings: ["details", "details of the incident", "summary"] },
  { key: "timeline", label: "Timeline", headings: ["timeline", "timeline of the incident"] },
  { key: "impact", label: "Impact", headings: ["impact"] },
  {
    key: "actionsTaken",
    label: "Actions taken to mitigate and resolve",
    headings: ["actions taken to mitigate and resolve", "actions taken", "mitigation", "resolution"],
  },
  { key: "rootCauses", label: "Root causes", headings: ["root causes", "root cause", "root cause(s)"] },
  { key: "followUps", label: "Follow-up actions", headings: ["follow-up actions", "follow-ups", "follow up actions"] },
  { key: "newRisks", label: "Newly identified risks", headings: ["newly identified risks", "new risks", "risks"] },
];

/** Besides the parts: the public-safe summary, and where a shared version went. */
export type PostmortemGap = PostmortemSection | "publicSummary" | "externalSharedWhere";

const GAP_WORDS: Record<PostmortemGap, string> = {
  ...(Object.fromEntries(POSTMORTEM_PARTS.map((p) => [p.key, p.label.toLowerCase()])) as Record<
    PostmortemSection,
    string
  >),
  followUps: "follow-up actions (a follow-up with an owner, or why none is needed)",
  newRisks: "newly identified risks (a risk-register entry, or why there are none)",
  publicSummary: "the public summary",
  externalSharedWhere: "where the external version was shared",
};

export const gapWords = (gaps: readonly PostmortemGap[]) => gaps.map((g) => GAP_WORDS[g]).join(", ");

/**
 * What is still empty. Follow-ups and risks are records: that part is
 * satisfied by at least one follow-up with an owner (one risk), or by
 * written words saying why none is needed.
 */
export function missingParts(
  pm: Postmortem | null,
  records: { followUps: readonly Pick<FollowUp, "ownerId">[]; risks: readonly Risk[] | readonly unknown[] },
): PostmortemGap[] {
  const empty = (s: string | undefined) => !s || s.trim() === "";
  const gaps: PostmortemGap[] = [];
  for (const s of POSTMORTEM_SECTIONS) {
    if (s === "followUps" && records.followUps.some((f) => f.ownerId)) continue;
    if (s === "newRisks" && records.risks.length > 0) continue;
    if (empty(pm?.[s])) gaps.push(s);
  }
  if (empty(pm?.publicSummary)) gaps.push("publicSummary");
  if (pm?.externalVersionShared && empty(pm.externalSharedWhere)) gaps.push("externalSharedWhere");
  return gaps;
}

/** Whether closing may go ahead as far as the post-mortem is concerned. */
export function postmortemSatisfied(
  incident: Pick<Incident, "impacts" | "severity">,
  rule: CompanyPolicy["postmortem"],
  pm: Postmortem | null,
): boolean {
  if (!postmortemRequired(incident, rule)) return true;
  return pm !== null && (pm.status === "complete" || pm.status === "waived");
}

/**
 * Reads a post-mortem doc back: the text under each heading goes to the part
 * whose name it carries. Headings no part knows are skipped.
 */
export function partsFromDoc(
  sections: readonly { heading: string; text: string }[],
): Partial<Record<PostmortemSection, string>> {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, " ").trim();
  const out: Partial<Record<PostmortemSection, string>> = {};
  for (const { heading, text } of sections) {
    const part = POSTMORTEM_PARTS.find((p) => p.headings.includes(norm(heading)));
    const body = text.trim();
    if (part && body && out[part.key] === undefined) out[part.key] = body;
  }
  return out;
}

/** A post-mortem with nothing written yet, owed by `ownerId`. */
export function emptyPostmortem(incidentId: string, now: Date, ownerId: string | null = null): Postmortem {
  return {
    incidentId,
    status: "draft",
    details: "",
    timeline: "",
    impact: "",
    actionsTaken: "",
    rootCauses: "",
    followUps: "",
    newRisks: "",
    externalVersionShared: false,
    externalSharedWhere: "",
    publicSummary: "",
    ownerId,
    waivedReason: null,
    waivedBy: null,
    completedBy: null,
    completedAt: null,
    updatedAt: now,
  };
}
