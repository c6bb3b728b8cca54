/**
 * Jobs of one incident in the same lane run one after another, in the order
 * they were queued (the issue exists before its first comment; the channel
 * before its bookmarks). Lanes run in parallel, so GitHub being down never
 * holds up Slack. Timers (reminders due later) are in no lane: a reminder due
 * in an hour must not block the jobs queued after it. Each kind's lane is in
 * the registry (kinds.ts).
 */
export { laneOf } from "./kinds.js";
