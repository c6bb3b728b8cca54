import type { Impact, Postmortem, PostmortemSection } from "./model.js";
import { POSTMORTEM_SECTIONS } from "./model.js";

/** Policy: a production outage or loss/corruption of customer or critical data needs a post-mortem. */
export function postmortemRequired(impacts: readonly Impact[]): boolean {
  return impacts.includes("outage") || impacts.includes("data_loss");
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

/** The parts of a post-mortem in the order the policy lists them, then the risks. */
export const POSTMORTEM_PARTS: { key: PostmortemSection; label: string }[] = POSTMORTEM_SECTIONS.map((key) => ({
  key,
  label: POSTMORTEM_SECTION_LABELS[key],
}));

export function missingSections(pm: Pick<Postmortem, PostmortemSection> | null): PostmortemSection[] {
  return POSTMORTEM_SECTIONS.filter((s) => !pm || pm[s].trim() === "");
}

/** Whether closing may go ahead as far as the post-mortem is concerned. */
export function postmortemSatisfied(impacts: readonly Impact[], pm: Postmortem | null): boolean {
  if (!postmortemRequired(impacts)) return true;
  return pm !== null && (pm.status === "complete" || pm.status === "waived");
}

/** A post-mortem with nothing written yet. */
export function emptyPostmortem(incidentId: string, now: Date): Postmortem {
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
    waivedReason: null,
    waivedBy: null,
    completedBy: null,
    completedAt: null,
    updatedAt: now,
  };
}
