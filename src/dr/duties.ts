// The yearly BCP/DR duties, one table: what each is (in the policy's own
// words, verbatim: ../shared/policy/000_705b6d1c0179297c.txt and the
// "Roles and responsibilities" of 001_291ff160df865b99.txt; a test compares
// them), and when each is next due. Pure: no database, no Slack.
import { DateTime } from "luxon";

export const DUTY_KEYS = ["walkthrough", "restore_test", "backup_review", "ir_process_review"] as const;
export type DutyKey = (typeof DUTY_KEYS)[number];

export interface DutyDefinition {
  key: DutyKey;
  /** What people call it. */
  name: string;
  /** The policy's sentence that makes it a duty, verbatim. */
  policy: string;
  /** Which policy says so. */
  source: string;
}

export const DUTIES: Record<DutyKey, DutyDefinition> = {
  walkthrough: {
    key: "walkthrough",
    name: "BCP/DR walkthrough exercise",
    policy: "Tailscale reviews its backups, and any BCP/DR plans annually with a walkthrough exercise.",
    source: "BCP/DR policy",
  },
  restore_test: {
    key: "restore_test",
    name: "Production restore test",
    policy: "Tailscale tests its ability to restore production data at least annually.",
    source: "BCP/DR policy",
  },
  backup_review: {
    key: "backup_review",
    name: "Backup and redundancy review for key services",
    policy:
      "Tailscale regularly reviews backups and service redundancy to ensure they can be used in the event of an outage.",
    source: "BCP/DR policy",
  },
  ir_process_review: {
    key: "ir_process_review",
    name: "Review of the incident-response process by the Security team",
    policy:
      "Tailscale’s Security team is responsible for reviewing and updating the incident response process on an annual basis.",
    source: "Incident response process",
  },
};

export const isDutyKey = (s: string): s is DutyKey => (DUTY_KEYS as readonly string[]).includes(s);

/** Who owns a duty and how often it comes round. */
export interface DutySchedule {
  /** Slack user id reminded ahead of the due date; none: only the channel hears, when it is overdue. */
  ownerId: string | null;
  everyMonths: number;
  /** When it is due while it has never been recorded; none: at once. */
  firstDueAt: Date | null;
}

export interface DutyPolicy {
  schedules: Record<DutyKey, DutySchedule>;
  /** The owner's first reminder, this many days before the due date… */
  remindDaysBefore: number;
  /** …then one every so many days until it is recorded. */
  remindEveryDays: number;
}

export const DEFAULT_DUTY_SCHEDULE: DutySchedule = { ownerId: null, everyMonths: 12, firstDueAt: null };

export const DEFAULT_DUTY_POLICY: DutyPolicy = {
  schedules: Object.fromEntries(DUTY_KEYS.map((k) => [k, DEFAULT_DUTY_SCHEDULE])) as Record<DutyKey, DutySchedule>,
  remindDaysBefore: 14,
  remindEveryDays: 7,
};

/**
 * Stands for "due now" while a duty without a first due date has never been
 * recorded: a fixed instant, so the notices about it are counted once.
 */
export const NEVER_DONE_DUE = new Date(0);

/** When the duty is next due: the last time it was done plus its interval (calendar months, UTC). */
export function nextDueAt(schedule: DutySchedule, lastDoneAt: Date | null): Date {
  if (!lastDoneAt) return schedule.firstDueAt ?? NEVER_DONE_DUE;
  return DateTime.fromJSDate(lastDoneAt, { zone: "utc" }).plus({ months: schedule.everyMonths }).toJSDate();
}

export type NoticeKind = "reminder" | "overdue";

export interface SentNotice {
  kind: NoticeKind;
  at: Date;
}

const DAY = 24 * 60 * 60_000;

/**
 * What comes next for a duty due at `dueAt`, given what was already said
 * about that due date: the owner's first reminder `remindDaysBefore` days
 * ahead, then one every `remindEveryDays`, and one notice to the channel
 * when the due date passes. Null: nothing more to say (no owner, and the
 * channel has been told).
 */
export function nextDutyStep(o: {
  dueAt: Date;
  ownerId: string | null;
  sent: readonly SentNotice[];
  policy: Pick<DutyPolicy, "remindDaysBefore" | "remindEveryDays">;
}): { kind: NoticeKind; at: Date } | null {
  const steps: { kind: NoticeKind; at: Date }[] = [];
  if (!o.sent.some((n) => n.kind === "overdue")) steps.push({ kind: "overdue", at: o.dueAt });
  if (o.ownerId) {
    const last = o.sent
      .filter((n) => n.kind === "reminder")
      .reduce<Date | null>((a, n) => (!a || n.at > a ? n.at : a), null);
    const at = last
      ? new Date(last.getTime() + o.policy.remindEveryDays * DAY)
      : new Date(o.dueAt.getTime() - o.policy.remindDaysBefore * DAY);
    steps.push({ kind: "reminder", at });
  }
  // The channel's notice first when both are due: it is the one that says "overdue".
  steps.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.kind === "overdue" ? -1 : 1));
  return steps[0] ?? null;
}

/** Who may record a duty as done: its owner or an admin. */
export const mayRecordDuty = (schedule: DutySchedule, actor: { userId: string; isAdmin: boolean }) =>
  actor.isAdmin || (schedule.ownerId !== null && schedule.ownerId === actor.userId);
