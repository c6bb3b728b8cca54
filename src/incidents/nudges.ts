// What muster nudges people about, as a table of rules: each rule looks at an
// incident and names its gaps (something missing, since when, who hears of
// it). Rules only; the worker posts. Every gap is nudged on the same terms:
// the first nudge when it is due, each next one twice as long after the
// previous (backoff), none after the cap; fixing the cause closes the gap,
// and a gap that opens again later (a new `since`) starts a fresh count.
import { DateTime } from "luxon";
import { zoneOrUtc } from "./business-days.js";
import { commsChecklist, openItems } from "./checklists.js";
import type { ClassifiedSeverity, Impact, RoleAssignment, TimelineEvent } from "./model.js";
import { COMMUNICATIONS } from "./model.js";
import type { IncidentRecord } from "./ports.js";
import { isOpen } from "./transitions.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface NudgePolicy {
  /** No status update for this long, by severity. */
  updateEveryMs: Record<ClassifiedSeverity, number>;
  /** Still unclassified this long after the declaration. */
  classifyWithinMs: number;
  /** Customer-facing this long with nobody as communications lead. */
  commsLeadWithinMs: number;
  /** A vendor check unanswered at its deadline: nudged then, and again after this (backing off). */
  vendorEveryMs: number;
  /** An overdue follow-up: its owner is nudged on the first working morning after the due day, then after this (backing off). */
  followUpEveryMs: number;
  /** Parties still to be told of the resolution: the channel is reminded this long after resolve, then after this again (backing off). */
  commsUntoldEveryMs: number;
  /** Nudges about one gap before muster stops asking. */
  cap: number;
}

export const DEFAULT_NUDGES: NudgePolicy = {
  updateEveryMs: { critical: 30 * MINUTE, high: HOUR, medium: 4 * HOUR, low: 24 * HOUR },
  classifyWithinMs: 15 * MINUTE,
  commsLeadWithinMs: 15 * MINUTE,
  vendorEveryMs: HOUR,
  followUpEveryMs: 24 * HOUR,
  commsUntoldEveryMs: 2 * HOUR,
  cap: 3,
};

export const NUDGE_KINDS = [
  "classify",
  "update",
  "comms_lead",
  "vendor_overdue",
  "follow_up_overdue",
  "comms_untold",
] as const;
export type NudgeWhat = (typeof NUDGE_KINDS)[number];

/** What the rules read of an incident: the record the store loads. */
export type NudgeFacts = Pick<
  IncidentRecord,
  "incident" | "roles" | "statusUpdates" | "vendorChecks" | "followUps" | "timeline"
>;

/** Something missing, since when, and how it is nudged. */
export interface Gap {
  what: NudgeWhat;
  /** Which one, when an incident can have several (a vendor check's id, a follow-up's id); "" otherwise. */
  subject: string;
  since: Date;
  /** The first nudge. */
  first: Date;
  /** The backoff's base: the n-th repeat comes every·2ⁿ after the previous nudge. */
  every: number;
  /** The incident channel, or one person by DM. */
  to: { channel: true } | { userId: string };
  /** A DM waits for the person's working hours (09:00–18:00 on weekdays) in this zone. */
  tz?: string;
}

export interface Nudge extends Gap {
  /** When this nudge is due. */
  at: Date;
  /** Which nudge this is about this gap, from 0. */
  n: number;
}

/** What was already said about a gap: how many nudges, the last one when. */
export interface NudgeState {
  since: Date;
  n: number;
  lastAt: Date;
}

/** One gap's key in the remembered state. */
export const gapKey = (g: Pick<Gap, "what" | "subject">) => `${g.what}:${g.subject}`;

interface NudgeRule {
  /** In words, for the README and the timeline. */
  words: string;
  gaps(f: NudgeFacts, p: NudgePolicy, zones: ReadonlyMap<string, string>): Gap[];
}

const active = (roles: RoleAssignment[]) => roles.filter((r) => r.endedAt === null);
const CHANNEL = { channel: true } as const;

/**
 * The rules, one per kind of gap. The follow-up and comms rules outlive the
 * response: the work is still owed after resolve.
 */
export const NUDGE_RULES: Record<NudgeWhat, NudgeRule> = {
  classify: {
    words: "the severity is still unclassified",
    gaps: ({ incident }, p) =>
      isOpen(incident.status) && incident.severity === "unclassified"
        ? [gap("classify", "", incident.times.declaredAt, p.classifyWithinMs)]
        : [],
  },
  update: {
    words: "no status update for the severity's cadence",
    gaps: ({ incident, statusUpdates }, p) => {
      if (!isOpen(incident.status) || incident.severity === "unclassified") return [];
      return [
        gap("update", "", lastUpdateAt(statusUpdates) ?? incident.times.declaredAt, p.updateEveryMs[incident.severity]),
      ];
    },
  },
  comms_lead: {
    words: "a customer-facing incident has no communications lead",
    gaps: ({ incident, roles, timeline }, p) => {
      if (!isOpen(incident.status) || !incident.impacts.includes("customer_facing")) return [];
      if (active(roles).some((r) => r.role === COMMUNICATIONS)) return [];
      return [gap("comms_lead", "", commsGapSince(incident.times.declaredAt, timeline), p.commsLeadWithinMs)];
    },
  },
  vendor_overdue: {
    words: "a vendor check is past its deadline without an answer",
    gaps: ({ incident, vendorChecks }, p) =>
      isOpen(incident.status)
        ? vendorChecks
            .filter((c) => c.answer === "pending" && c.deadline)
            .map((c) => ({ ...gap("vendor_overdue", c.id, c.deadline!, p.vendorEveryMs), first: c.deadline! }))
        : [],
  },
  follow_up_overdue: {
    words: "a follow-up is past its due date (its owner, by DM)",
    gaps: ({ incident, followUps }, p, zones) =>
      incident.status === "not_an_incident"
        ? []
        : followUps
            .filter((f) => f.status === "open" && f.dueDate)
            .map((f) => {
              const tz = zoneOrUtc(zones.get(f.ownerId));
              const since = endOfDueDay(f.dueDate!, tz);
              return {
                what: "follow_up_overdue" as const,
                subject: f.id,
                since,
                first: nextWorkingMoment(since, tz),
                every: p.followUpEveryMs,
                to: { userId: f.ownerId },
                tz,
              };
            }),
  },
  comms_untold: {
    words: "parties are still to be told the incident is resolved",
    gaps: ({ incident, timeline }, p) => {
      if (incident.status !== "resolved" && incident.status !== "closed") return [];
      const comms = commsChecklist(timeline);
      if (!comms.resolvedAt || openItems(comms.items).length === 0) return [];
      return [gap("comms_untold", "", comms.resolvedAt, p.commsUntoldEveryMs)];
    },
  },
};

function gap(what: NudgeWhat, subject: string, since: Date, every: number): Gap {
  return { what, subject, since, first: new Date(since.getTime() + every), every, to: CHANNEL };
}

export function lastUpdateAt(updates: NudgeFacts["statusUpdates"]): Date | null {
  return updates.reduce<Date | null>((a, u) => (!a || u.postedAt > a ? u.postedAt : a), null);
}

/**
 * Since when a customer-facing incident has had no comms lead: the later of
 * the moment it became customer-facing and the moment the last comms lead
 * left; the declaration when neither is on the timeline.
 */
function commsGapSince(declaredAt: Date, timeline: TimelineEvent[]): Date {
  let since = declaredAt;
  for (const e of timeline) {
    if (e.at <= since) continue;
    if (e.kind === "role_unassigned" && e.data.role === COMMUNICATIONS) since = e.at;
    if (e.kind === "impact_updated") {
      const change = (e.data.changed as Record<string, { from?: unknown; to?: unknown }> | undefined)?.impacts;
      const had = (v: unknown) => Array.isArray(v) && (v as Impact[]).includes("customer_facing");
      if (change && had(change.to) && !had(change.from)) since = e.at;
    }
  }
  return since;
}

/** A due date is a day: it is overdue when that day has ended where its owner is. */
function endOfDueDay(due: Date, tz: string): Date {
  const day = DateTime.fromJSDate(due, { zone: "UTC" });
  return DateTime.fromObject({ year: day.year, month: day.month, day: day.day }, { zone: tz })
    .plus({ days: 1 })
    .toJSDate();
}

/** `at` itself during working hours (09:00–18:00, Monday to Friday, in the zone); else the next 09:00 on a weekday. */
export function nextWorkingMoment(at: Date, tz: string): Date {
  let d = DateTime.fromJSDate(at, { zone: zoneOrUtc(tz) });
  if (d.weekday <= 5 && d.hour >= 9 && d.hour < 18) return at;
  if (d.hour >= 18) d = d.plus({ days: 1 });
  d = d.set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
  while (d.weekday >= 6) d = d.plus({ days: 1 });
  return d.toJSDate();
}

/** Every gap an incident has now, by the rules. `zones`: the time zones of people nudged by DM. */
export function gapsOf(
  f: NudgeFacts,
  policy: NudgePolicy = DEFAULT_NUDGES,
  zones: ReadonlyMap<string, string> = new Map(),
): Gap[] {
  return NUDGE_KINDS.flatMap((what) => NUDGE_RULES[what].gaps(f, policy, zones));
}

/**
 * The next nudge a gap is owed, given what was already said about it; null at
 * the cap. The first comes at `gap.first`, each next one every·2ⁿ after the
 * previous; a DM waits for its person's working hours.
 */
export function nextNudgeFor(gap: Gap, state: NudgeState | undefined | null, cap: number): Nudge | null {
  const same = state && state.since.getTime() === gap.since.getTime();
  const n = same ? state.n : 0;
  if (n >= cap) return null;
  let at = same && n > 0 ? new Date(state.lastAt.getTime() + gap.every * 2 ** n) : gap.first;
  if (gap.tz) at = nextWorkingMoment(at, gap.tz);
  return { ...gap, n, at };
}

/** Each gap's next nudge, given the state by `gapKey`. */
export function nextNudges(
  f: NudgeFacts,
  said: ReadonlyMap<string, NudgeState>,
  policy: NudgePolicy = DEFAULT_NUDGES,
  zones: ReadonlyMap<string, string> = new Map(),
): Nudge[] {
  return gapsOf(f, policy, zones)
    .map((g) => nextNudgeFor(g, said.get(gapKey(g)), policy.cap))
    .filter((x): x is Nudge => x !== null);
}

/** A `nudged` event in words, for the timeline; `person` writes a user id the surface's way. */
export function nudgedWords(data: Record<string, unknown>, person: (userId: string) => string = (u) => u): string {
  const what = NUDGE_KINDS.find((k) => k === data.what);
  const n = typeof data.n === "number" ? data.n : 1;
  const to = typeof data.userId === "string" ? person(data.userId) : "the channel";
  return `muster nudged ${to}: ${what ? NUDGE_RULES[what].words : "something is missing"} (nudge ${n})`;
}
