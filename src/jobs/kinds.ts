// One registry of outbox job kinds: for each kind, the shape of its payload,
// the lane it runs in (or "timer": due later, in no lane) and what it does,
// in words for people. The domain names the kinds (`JobKind`); this table must
// have exactly one entry per kind, and the handler table one handler per kind.
import { z } from "zod";
import type { JobKind, NewJob } from "../incidents/model.js";
import { GiveUp } from "./errors.js";
import type { JobContext, JobHandler } from "./worker.js";

/** Jobs of one incident in the same lane run one after another; see lanes.ts. */
export type Lane = "slack" | "github" | "google" | "timer";

interface KindSpec {
  payload: z.ZodType;
  lane: Lane;
  /** "muster couldn't …": completes that sentence. */
  words: string;
  /** Done means a reminder reached a person or a channel (counted in /metrics). */
  reminder?: true;
}

/** Written by `Change.event`: the timeline event a job is about. */
const eventId = z.number().int();
const repair = z.boolean().optional();
const empty = z.object({});

export const JOB_KINDS = {
  "slack.create_channel": {
    payload: z.object({ repair }),
    lane: "slack",
    words: "create the incident channel",
  },
  "slack.sync_announcement": {
    payload: z.object({ repair, statusUpdateId: z.string().optional() }),
    lane: "slack",
    words: "update the announcement",
  },
  "slack.sync_channel": { payload: empty, lane: "slack", words: "update the incident channel" },
  "slack.sync_bookmarks": { payload: z.object({ repair }), lane: "slack", words: "add the channel bookmarks" },
  "slack.post_event": { payload: z.object({ eventId }), lane: "slack", words: "post to the incident channel" },
  "slack.notify_user": {
    payload: z.object({
      userId: z.string(),
      role: z.string().optional(),
      handoffId: z.string().optional(),
      eventId: eventId.optional(),
    }),
    lane: "slack",
    words: "send a direct message",
  },
  "slack.escalate": { payload: z.object({ eventId }), lane: "slack", words: "send the escalation" },
  "slack.handoff_reminder": {
    // `n`: which reminder about this hand-off (0 when absent: jobs queued before reminders repeated).
    payload: z.object({ handoffId: z.string(), eventId: eventId.optional(), n: z.number().int().min(0).optional() }),
    lane: "timer",
    words: "remind about the pending hand-off",
    reminder: true,
  },
  "slack.job_failed": {
    payload: z.object({ jobId: z.number().int(), what: z.string() }),
    lane: "timer",
    words: "tell the IC a step failed",
  },
  "slack.repair_report": {
    payload: z.object({ fixed: z.string(), count: z.number().int().optional() }),
    lane: "slack",
    words: "report what the repair fixed",
  },
  "slack.postmortem_owed": {
    payload: z.object({ owed: z.string().optional(), eventId: eventId.optional() }),
    lane: "slack",
    words: "say which post-mortem is owed",
  },
  "slack.vendor_deadline": {
    payload: z.object({ vendorCheckId: z.string() }),
    lane: "timer",
    // Queued by muster before the nudge rules; it now restarts the nudge timer (nudges.ts raises the check).
    words: "raise a vendor check past its deadline",
  },
  "github.sync_issue": { payload: z.object({ repair }), lane: "github", words: "create or update the GitHub issue" },
  "github.post_comment": { payload: z.object({ eventId }), lane: "github", words: "comment on the GitHub issue" },
  "github.create_follow_up_issue": {
    payload: z.object({ eventId }),
    lane: "github",
    words: "create a follow-up issue",
  },
  "github.close_follow_up_issue": {
    payload: z.object({ eventId }),
    lane: "github",
    words: "close a follow-up issue",
  },
  "github.sync_follow_ups": {
    payload: z.object({ periodic: z.string().optional() }),
    lane: "timer",
    words: "read the follow-up issues back from GitHub",
  },
  "google.create_doc": { payload: z.object({ repair }), lane: "google", words: "create the incident doc" },
  "google.sync_doc": { payload: empty, lane: "google", words: "update the incident doc" },
  "google.create_postmortem_doc": {
    payload: z.object({ owed: z.string().optional(), quiet: z.boolean().optional(), eventId: eventId.optional() }),
    lane: "google",
    words: "create the post-mortem doc",
  },
  "slack.postmortem_reminder_due": {
    payload: z.object({ seq: z.number().int().min(0), plan: z.boolean().optional() }),
    lane: "timer",
    words: "work out the next post-mortem reminder",
  },
  "slack.nudge_due": {
    // No token: (re)start the incident's nudge timer; with one: a link of that timer (stale when replaced).
    payload: z.object({ token: z.string().optional(), eventId: eventId.optional() }),
    lane: "timer",
    words: "nudge the channel about a missing update or severity",
  },
  "slack.escalation_offer": {
    payload: z.object({ eventId }),
    lane: "slack",
    words: "offer the IC an escalation to leadership",
  },
  "slack.escalation_due": {
    payload: z.object({ eventId }),
    lane: "timer",
    words: "escalate when the IC did not answer the offer",
  },
  "slack.day_end_due": {
    // No token: (re)start the incident's end-of-day timer; with one: a link of that timer (stale when replaced).
    payload: z.object({ token: z.string().optional(), eventId: eventId.optional() }),
    lane: "timer",
    words: "work out when the IC's working day ends",
  },
  "slack.day_end_message": {
    payload: z.object({ eventId }),
    lane: "slack",
    words: "ask the IC to hand off at the end of their day",
    reminder: true,
  },
  "slack.checklist": {
    // Queued by resolve and declare with the list; by a tick's event, which names it.
    payload: z.object({ list: z.enum(["recovery", "comms"]).optional(), eventId: eventId.optional() }),
    lane: "slack",
    words: "post or update the checklist in the incident channel",
  },
  "slack.postmortem_reminder": {
    payload: z.object({ eventId }),
    lane: "slack",
    words: "send a post-mortem reminder",
    reminder: true,
  },
  "dr.duty_due": {
    payload: z.object({ duty: z.string(), seq: z.number().int().min(0) }),
    lane: "timer",
    words: "work out the next reminder about a yearly duty",
  },
  "dr.duty_notice": {
    payload: z.object({ noticeId: z.number().int() }),
    lane: "slack",
    words: "send a reminder about a yearly duty",
    reminder: true,
  },
  "dr.risk_review": {
    payload: z.object({ riskId: z.string(), reviewAt: z.string() }),
    lane: "timer",
    words: "remind a risk's owner of its review date",
    reminder: true,
  },
  "backup.scheduled": {
    // One job per occurrence of BACKUP_EVERY; `every` tells a job queued under an older schedule.
    payload: z.object({ at: z.string().datetime(), every: z.string() }),
    lane: "timer",
    words: "take the scheduled backup",
  },
  "intake.sync_triage": {
    // A report from outside (the outage form, an alert): post or update its triage message to its latest version.
    payload: z.object({ reportId: z.string() }),
    lane: "slack",
    words: "post the triage message of a report",
  },
} as const satisfies Record<JobKind, KindSpec>;

export const JOB_KIND_NAMES = Object.keys(JOB_KINDS) as JobKind[];

export type Payload<K extends JobKind> = z.infer<(typeof JOB_KINDS)[K]["payload"]>;

export type KindsOf<P extends string> = Extract<JobKind, `${P}.${string}`>;
export type SlackKind = KindsOf<"slack">;
export type GitHubKind = KindsOf<"github">;
export type GoogleKind = KindsOf<"google">;
/** The yearly duties and the risk register: not about one incident's response. */
export type DrKind = KindsOf<"dr">;
/** Reports from outside Slack waiting for triage (the outage form, alerts). */
export type IntakeKind = KindsOf<"intake">;

const isKind = (kind: string): kind is JobKind => Object.hasOwn(JOB_KINDS, kind);

/** The lane a job of this kind runs in; "" for timers and kinds this process does not know. */
export function laneOf(kind: string): string {
  if (!isKind(kind)) return "";
  const lane: Lane = JOB_KINDS[kind].lane;
  return lane === "timer" ? "" : lane;
}

/** "muster couldn't …" */
export const describeJob = (kind: string): string => (isKind(kind) ? JOB_KINDS[kind].words : kind);

/** A job of this kind, its payload checked against the kind's schema at compile time. */
export function newJob<K extends JobKind>(
  incidentId: string | null,
  kind: K,
  payload: Payload<K>,
  delayMs?: number,
): NewJob {
  return { incidentId, kind, payload: payload as Record<string, unknown>, ...(delayMs ? { delayMs } : {}) };
}

/** Reads a job's payload through its kind's schema; null if it does not fit. */
export function parsePayload<K extends JobKind>(kind: K, payload: unknown): Payload<K> | null {
  const r = (JOB_KINDS[kind].payload as z.ZodType).safeParse(payload);
  return r.success ? (r.data as Payload<K>) : null;
}

export type KindHandler<K extends JobKind> = (
  ctx: JobContext & { payload: Payload<K> },
) => Promise<NewJob[] | undefined>;
export type KindHandlers<K extends JobKind> = { [k in K]: KindHandler<k> };

/**
 * Turns typed handlers into the worker's: each reads its payload through its
 * kind's schema first. A payload that does not fit will never fit: the job is dead.
 */
export function jobHandlers<K extends JobKind>(handlers: KindHandlers<K>): Record<K, JobHandler> {
  const out = {} as Record<K, JobHandler>;
  for (const kind of Object.keys(handlers) as K[]) {
    const handle = handlers[kind] as KindHandler<K>;
    out[kind] = async (ctx) => {
      const payload = parsePayload(kind, ctx.job.payload);
      if (!payload) throw new GiveUp(`the payload of this ${kind} job does not match its kind`);
      return handle({ ...ctx, payload });
    };
  }
  return out;
}

/** The same handler for every kind of one adapter (e.g. "GitHub is not configured"). */
export function sameHandlerFor<P extends "slack" | "github" | "google">(
  prefix: P,
  handler: JobHandler,
): Record<KindsOf<P>, JobHandler> {
  return Object.fromEntries(
    JOB_KIND_NAMES.filter((k) => k.startsWith(`${prefix}.`)).map((k) => [k, handler]),
  ) as Record<KindsOf<P>, JobHandler>;
}
