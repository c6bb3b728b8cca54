import type { JobKind } from "../incidents/model.js";

/**
 * Jobs of one incident in the same lane run one after another, in the order
 * they were queued (the issue exists before its first comment; the channel
 * before its bookmarks). Lanes run in parallel, so GitHub being down never
 * holds up Slack. Timers (reminders due later) are in no lane: a reminder due
 * in an hour must not block the jobs queued after it.
 */
export function laneOf(kind: string): string {
  if (TIMERS.has(kind)) return "";
  const dot = kind.indexOf(".");
  return dot > 0 ? kind.slice(0, dot) : "";
}

const TIMERS = new Set<string>([
  "slack.handoff_reminder",
  "slack.job_failed",
  "github.sync_follow_ups",
  "slack.vendor_deadline",
] satisfies JobKind[]);
