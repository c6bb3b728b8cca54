// When the response itself is not enough: rules that, once they hold, offer
// the IC a drafted brief to escalate to leadership (and escalate by
// themselves if the IC does not answer in time). A table of rule kinds; the
// company's policy file says which rules apply, with their numbers. Each
// rule holds about one condition at a time (`since`): it fires once for it,
// and again only when a new condition opens (a new gap in the updates).
import type { ClassifiedSeverity } from "./model.js";
import { lastUpdateAt, type NudgeFacts, type NudgePolicy } from "./nudges.js";
import { isOpen } from "./transitions.js";

const MINUTE = 60_000;

export const INSUFFICIENT_KINDS = ["not_mitigated", "no_update"] as const;
export type InsufficientKind = (typeof INSUFFICIENT_KINDS)[number];

export type InsufficientRule =
  /** Still investigating this long after the declaration, at these severities. */
  | { kind: "not_mitigated"; severities: ClassifiedSeverity[]; afterMs: number }
  /** No status update for `cadences` times the nudge cadence of its severity. */
  | { kind: "no_update"; cadences: number };

export interface EscalationPolicy {
  rules: InsufficientRule[];
  /** The IC has this long to answer the offer; then muster escalates by itself. */
  answerWithinMs: number;
}

export const DEFAULT_ESCALATION: EscalationPolicy = {
  rules: [
    { kind: "not_mitigated", severities: ["critical"], afterMs: 60 * MINUTE },
    { kind: "no_update", cadences: 2 },
  ],
  answerWithinMs: 15 * MINUTE,
};

/** A rule that holds, or will: about which condition (`since`), and when it fires. */
export interface Trigger {
  rule: InsufficientKind;
  since: Date;
  at: Date;
  /** "what is missing", for the brief and the timeline. */
  missing: string;
}

const words = (ms: number) => {
  const m = Math.round(ms / MINUTE);
  return m < 120 ? `${m} minutes` : `${Math.round(m / 60)} hours`;
};

const RULES: {
  [K in InsufficientKind]: (
    f: NudgeFacts,
    rule: Extract<InsufficientRule, { kind: K }>,
    nudges: NudgePolicy,
  ) => Trigger | null;
} = {
  not_mitigated: ({ incident }, rule) => {
    if (incident.status !== "investigating" || incident.severity === "unclassified") return null;
    if (!rule.severities.includes(incident.severity)) return null;
    const since = incident.times.declaredAt;
    return {
      rule: "not_mitigated",
      since,
      at: new Date(since.getTime() + rule.afterMs),
      missing: `not mitigated ${words(rule.afterMs)} after it was declared`,
    };
  },
  no_update: ({ incident, statusUpdates }, rule, nudges) => {
    if (!isOpen(incident.status) || incident.severity === "unclassified") return null;
    const since = lastUpdateAt(statusUpdates) ?? incident.times.declaredAt;
    const after = nudges.updateEveryMs[incident.severity] * rule.cadences;
    return {
      rule: "no_update",
      since,
      at: new Date(since.getTime() + after),
      missing: `no status update for ${words(after)} (${rule.cadences}× the cadence)`,
    };
  },
};

/** The triggers of the configured rules that could fire for this incident now or later. */
export function insufficientTriggers(f: NudgeFacts, policy: EscalationPolicy, nudges: NudgePolicy): Trigger[] {
  return policy.rules
    .map((r) => (RULES[r.kind] as (f: NudgeFacts, r: InsufficientRule, n: NudgePolicy) => Trigger | null)(f, r, nudges))
    .filter((t): t is Trigger => t !== null);
}

/** One condition's identity: a rule fires once for it. */
export const triggerKey = (t: Pick<Trigger, "rule" | "since">) => `${t.rule}:${t.since.getTime()}`;
