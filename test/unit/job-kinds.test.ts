// The registry of job kinds: one entry per kind, its lane, its words, and
// payloads read through the kind's schema.
import pino from "pino";
import { describe, expect, it } from "vitest";
import { GiveUp } from "../../src/jobs/errors.js";
import {
  describeJob,
  JOB_KIND_NAMES,
  JOB_KINDS,
  jobHandlers,
  laneOf,
  parsePayload,
  sameHandlerFor,
} from "../../src/jobs/kinds.js";
import type { Job } from "../../src/jobs/ports.js";

const logger = pino({ level: "silent" });
const job = (kind: string, payload: Record<string, unknown>): Job => ({
  id: 1,
  incidentId: "i1",
  kind,
  lane: laneOf(kind),
  payload,
  status: "running",
  attempts: 1,
  runAt: new Date(0),
  lastError: null,
  createdAt: new Date(0),
  finishedAt: null,
});

describe("job kinds", () => {
  it("gives every kind words for people and a lane", () => {
    for (const k of JOB_KIND_NAMES) {
      expect(describeJob(k)).not.toBe(k);
      expect(["slack", "github", "google", "timer"]).toContain(JOB_KINDS[k].lane);
    }
  });

  it("puts delayed jobs in no lane, others in their service's lane", () => {
    for (const k of [
      "slack.handoff_reminder",
      "slack.vendor_deadline",
      "github.sync_follow_ups",
      "slack.job_failed",
      "slack.day_end_due",
    ])
      expect(laneOf(k), k).toBe("");
    expect(laneOf("slack.post_event")).toBe("slack");
    expect(laneOf("github.post_comment")).toBe("github");
    expect(laneOf("google.create_doc")).toBe("google");
    // A kind queued by a newer process: no lane, and its own name as words.
    expect(laneOf("slack.from_the_future")).toBe("");
    expect(describeJob("slack.from_the_future")).toBe("slack.from_the_future");
  });

  it("reads a pending hand-off reminder queued before reminders repeated (no `n`)", () => {
    expect(parsePayload("slack.handoff_reminder", { handoffId: "h1" })).toEqual({ handoffId: "h1" });
    expect(parsePayload("slack.handoff_reminder", { handoffId: "h1", n: 2 })).toEqual({ handoffId: "h1", n: 2 });
  });

  it("hands a handler its payload read through the kind's schema", async () => {
    const seen: unknown[] = [];
    const h = jobHandlers({
      "slack.repair_report": async ({ payload }) => {
        seen.push(payload);
        return [];
      },
    });
    await h["slack.repair_report"]({ job: job("slack.repair_report", { fixed: "x", extra: 1 }), attempt: 1, logger });
    expect(seen).toEqual([{ fixed: "x" }]);
  });

  it("gives up on a payload that does not fit its kind (it never will)", async () => {
    const h = jobHandlers({ "slack.post_event": async () => [] });
    await expect(
      h["slack.post_event"]({ job: job("slack.post_event", { eventId: "12" }), attempt: 1, logger }),
    ).rejects.toBeInstanceOf(GiveUp);
  });

  it("covers every kind of an adapter with one fallback handler", () => {
    const h = sameHandlerFor("github", async () => []);
    expect(Object.keys(h).sort()).toEqual(JOB_KIND_NAMES.filter((k) => k.startsWith("github.")).sort());
  });
});
