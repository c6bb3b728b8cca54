// When an open incident's channel is nudged about what is missing: no status
// update for too long (by severity), or no severity at all. Rules only; the
// worker posts. Repeats back off (after the cadence, then twice it, then four
// times) and stop after a cap; fixing the cause (an update, a severity)
// starts the count again from then.
import type { Incident, Severity } from "./model.js";
import { isOpen } from "./transitions.js";

const MINUTE = 60_000;

export interface NudgePolicy {
  /** No status update for this long, by severity. */
  updateEveryMs: Record<Exclude<Severity, "unclassified">, number>;
  /** Still unclassified this long after the declaration. */
  classifyWithinMs: number;
  /** Nudges about one gap before muster stops asking. */
  cap: number;
}

export const DEFAULT_NUDGES: NudgePolicy = {
  updateEveryMs: { critical: 30 * MINUTE, high: 60 * MINUTE, medium: 4 * 60 * MINUTE, low: 24 * 60 * MINUTE },
  classifyWithinMs: 15 * MINUTE,
  cap: 3,
};

export type NudgeWhat = "classify" | "update";

export interface Nudge {
  what: NudgeWhat;
  /** Since when it has been missing: the declaration, or the last status update. */
  since: Date;
  /** When the next nudge about it is due. */
  at: Date;
  /** Which nudge this is about this gap, from 0. */
  n: number;
}

/** What was already said about a gap: how many nudges, the last one when. */
export interface NudgeState {
  what: NudgeWhat;
  since: Date;
  n: number;
  lastAt: Date;
}

/**
 * The next nudge an incident is owed, given what was already sent; null when
 * it is not open or the cap is reached. The first comes one cadence after the
 * gap opened, each next one twice as long after the previous.
 */
export function nextNudge(
  incident: Incident,
  lastUpdateAt: Date | null,
  state: NudgeState | null,
  policy: NudgePolicy = DEFAULT_NUDGES,
): Nudge | null {
  if (!isOpen(incident.status)) return null;
  const gap: { what: NudgeWhat; since: Date; every: number } =
    incident.severity === "unclassified"
      ? { what: "classify", since: incident.times.declaredAt, every: policy.classifyWithinMs }
      : {
          what: "update",
          since: lastUpdateAt ?? incident.times.declaredAt,
          every: policy.updateEveryMs[incident.severity],
        };
  const same = state && state.what === gap.what && state.since.getTime() === gap.since.getTime();
  const n = same ? state.n : 0;
  if (n >= policy.cap) return null;
  const at = same && n > 0 ? state.lastAt.getTime() + gap.every * 2 ** n : gap.since.getTime() + gap.every;
  return { what: gap.what, since: gap.since, n, at: new Date(at) };
}
