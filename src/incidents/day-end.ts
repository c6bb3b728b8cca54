// The end-of-day hand-off: while an incident is open and has an IC, the IC is
// asked 30 minutes before their working day ends (in their own zone) to hand
// off or stay on; if the day ends with neither, the channel is told (and for
// Critical and High, the escalation contacts). Rules only: the worker reads
// the IC's zone and hours, asks `dayEndStep` what is due and records it.
//
// A "round" is one such question: asked at `round`, answered by `deadline`.
// Normally round = day end − 30 min and deadline = day end; "I'm staying on"
// starts a round at the end of the snooze instead. Rounds are recognised on
// the timeline by their `round` time, so a link run twice records nothing twice.
import type { Severity, TimelineEvent } from "./model.js";
import { HANDOFF_LEAD_MS, nextDayEnd, nextWorkingDayEnd, type WorkingHours } from "./working-hours.js";

export const DAY_END_EVENTS = ["day_end_reminded", "day_end_snoozed", "day_end_unanswered"] as const;

/** Snooze choices of "I'm staying on": hours, or until the next working day ends. */
export const DAY_END_SNOOZES = ["1h", "2h", "4h", "next_day"] as const;
export type DayEndSnooze = (typeof DAY_END_SNOOZES)[number];

/** Severities whose unanswered day end also goes to the escalation contacts. */
export const DAY_END_ESCALATES: readonly Severity[] = ["critical", "high"];

export interface DayEndState {
  now: Date;
  icId: string;
  /** When the IC took the role: snoozes and notices from before do not count. */
  icSince: Date;
  /** When this chain (re)started: rounds that ended before it are not raised after the fact. */
  chainStart: Date;
  hours: WorkingHours;
  tz: string;
  /** The incident's day-end events (any IC); the rule picks this IC's. */
  events: readonly Pick<TimelineEvent, "kind" | "at" | "data">[];
}

export type DayEndStep =
  | { action: "wait"; at: Date }
  | { action: "remind" | "unanswered"; round: Date; deadline: Date };

const latest = <T extends { at: Date }>(xs: T[]) => xs.reduce<T | null>((a, x) => (!a || x.at > a.at ? x : a), null);

/** The round the IC is in: from their latest snooze, or the next day end. */
export function currentRound(s: DayEndState): { round: Date; deadline: Date } {
  const mine = s.events.filter((e) => e.data.icId === s.icId && e.at >= s.icSince);
  const notice = latest(mine.filter((e) => e.kind === "day_end_unanswered"));
  const snooze = latest(mine.filter((e) => e.kind === "day_end_snoozed" && (!notice || e.at >= notice.at)));
  if (snooze) {
    if (snooze.data.snooze === "next_day") {
      const end = nextWorkingDayEnd(snooze.at, s.hours, s.tz);
      return { round: new Date(end.getTime() - HANDOFF_LEAD_MS), deadline: end };
    }
    const until = new Date(String(snooze.data.until));
    return { round: until, deadline: new Date(until.getTime() + HANDOFF_LEAD_MS) };
  }
  const anchor = new Date(Math.max(s.chainStart.getTime(), s.icSince.getTime(), notice?.at.getTime() ?? 0));
  const end = nextDayEnd(anchor, s.hours, s.tz);
  return { round: new Date(end.getTime() - HANDOFF_LEAD_MS), deadline: end };
}

/**
 * What is due now: ask the IC (once per round), tell the channel the round
 * ended unanswered, or wait. A round whose deadline passed while muster was
 * down is raised once, without asking the IC about a day that already ended.
 */
export function dayEndStep(s: DayEndState): DayEndStep {
  const { round, deadline } = currentRound(s);
  const key = round.toISOString();
  const asked = s.events.some(
    (e) => e.kind === "day_end_reminded" && e.data.icId === s.icId && e.data.round === key && e.at >= s.icSince,
  );
  if (s.now < round) return { action: "wait", at: round };
  if (s.now < deadline) return asked ? { action: "wait", at: deadline } : { action: "remind", round, deadline };
  return { action: "unanswered", round, deadline };
}

/** When "I'm staying on" with this choice ends, for the timeline; null for the next working day (worked out in the IC's zone). */
export function snoozeUntil(now: Date, choice: DayEndSnooze): Date | null {
  const hours = { "1h": 1, "2h": 2, "4h": 4, next_day: 0 }[choice];
  return hours ? new Date(now.getTime() + hours * 60 * 60_000) : null;
}
