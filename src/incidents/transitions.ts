import { AppError } from "../errors.js";
import type { Status } from "./model.js";

/**
 * The allowed status changes, as data. Reopening is the way back from any
 * end state; "mitigated → investigating" is impact coming back.
 */
export const TRANSITIONS: Record<Status, readonly Status[]> = {
  investigating: ["mitigated", "resolved", "not_an_incident"],
  mitigated: ["investigating", "resolved"],
  resolved: ["closed", "investigating"],
  closed: ["investigating"],
  not_an_incident: ["investigating"],
};

export const STATUS_LABELS: Record<Status, string> = {
  investigating: "Investigating",
  mitigated: "Mitigated",
  resolved: "Resolved",
  closed: "Closed",
  not_an_incident: "Not an incident",
};

/** Open means someone is working it: it has an IC and takes updates. */
export const isOpen = (s: Status) => s === "investigating" || s === "mitigated";

export function canTransition(from: Status, to: Status): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(key: string, from: Status, to: Status): void {
  if (canTransition(from, to)) return;
  const allowed = TRANSITIONS[from].map((s) => STATUS_LABELS[s]).join(", ");
  throw new AppError(
    "invalid_transition",
    `${key} is ${STATUS_LABELS[from]}, so it can't become ${STATUS_LABELS[to]}. From ${STATUS_LABELS[from]} it can become: ${allowed}.`,
  );
}
