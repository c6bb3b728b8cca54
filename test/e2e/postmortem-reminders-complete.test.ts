// A resolved outage, driven through three business days of post-mortem
// reminders to completion on a simulated clock: the owner (in Berlin) is
// reminded on the first business day and two business days later, writes the
// post-mortem from the reminder's Write button, marks it complete from the
// same DM, and hears nothing more.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClock, timelineOf } from "../helpers/simulated.js";
import { type Stack, startEmulators, startStack } from "../helpers/stack.js";

const IC = "UERIN"; // Europe/Berlin

// Tuesday 1 December 2026, 10:00 in Berlin (09:00 UTC).
const sim = new SimulatedClock(Date.parse("2026-12-01T09:00:00Z"));
const clock = sim.now;
let stack: Stack;
let emulators: Awaited<ReturnType<typeof startEmulators>>;
const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), "muster-pm-complete-")), "muster.db")}`;

beforeAll(async () => {
  emulators = await startEmulators();
  stack = await startStack({ shared: emulators, databaseUrl, clock });
}, 30_000);
afterAll(async () => {
  await stack?.stop();
  await Promise.all([emulators.slack.close(), emulators.github.close(), emulators.google.close()]);
});

const channelOf = () => [...stack.slack.channels.values()].find((c) => c.name.startsWith("inc-1-"))!;
const dm = () => stack.slack.dmChannelOf(IC)!;
const reminders = () => stack.slack.messages(dm()).filter((m) => m.text.includes("post-mortem is yours"));

async function until(iso: string, stepMs = 2 * 60 * 60_000) {
  await sim.advanceTo(Date.parse(iso), stepMs, stack);
}

async function timeline() {
  return (await timelineOf(stack.databaseUrl)).map((e) => e.kind);
}

describe("a resolved outage's post-mortem, reminded to completion", () => {
  it("declares, classifies and resolves an outage: the owner is told what is owed", async () => {
    await stack.client.command({
      userId: IC,
      channelId: stack.slack.channelByName("incident-response")!.id,
      text: "declare Payments API down",
    });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_declare",
      values: {
        title: "Payments API down",
        summary: "5xx on every call",
        impacts: { options: ["outage"] },
        commanderId: { user: IC },
        severity: { option: "high" },
      },
    });
    await stack.settle();
    await stack.client.command({ userId: IC, channelId: channelOf().id, text: "resolve" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_resolve",
      values: { summary: "Rolled back the gateway", partiesInformed: "support" },
    });
    await stack.settle();
    expect(stack.slack.messages(dm()).some((m) => m.text.includes("post-mortem"))).toBe(true);
    expect(reminders()).toHaveLength(0);
  });

  it("reminds on the first business day, then two business days later, in the owner's zone", async () => {
    // Wednesday: before 10:00 in Berlin nothing, at 10:00 the first reminder.
    await until("2026-12-02T08:30:00Z");
    expect(reminders()).toHaveLength(0);
    await until("2026-12-02T09:30:00Z", 30 * 60_000);
    expect(reminders()).toHaveLength(1);
    // Thursday: none. Friday 10:00: the second.
    await until("2026-12-04T08:30:00Z");
    expect(reminders()).toHaveLength(1);
    await until("2026-12-04T09:30:00Z", 30 * 60_000);
    expect(reminders()).toHaveLength(2);
    expect(reminders()[1]!.text).toContain("Reminder 2");
    expect((await timeline()).filter((k) => k === "postmortem_reminded")).toHaveLength(2);
  });

  it("is written from the reminder's Write button and marked complete from the same DM", async () => {
    // Friday afternoon in Berlin.
    await until("2026-12-04T13:00:00Z");
    await stack.client.blockAction({ userId: IC, channelId: dm(), actionId: "open_postmortem", value: "INC-1" });
    const form = [...stack.slack.views.values()].filter((v) => v.view.callback_id === "incident_postmortem").at(-1);
    expect(form).toBeDefined();
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_postmortem",
      values: {
        details: "The payments gateway returned 5xx for 40 minutes after a config push.",
        timeline: "09:00 push; 09:05 alerts; 09:40 rollback.",
        impact: "All card payments failed for 40 minutes.",
        actionsTaken: "Rolled back the gateway config",
        rootCauses: "A config push without a canary stage",
        followUps: "Canary stage for gateway config (follow-up recorded)",
        newRisks: "No new risks: config pushes are already on the register",
        publicSummary: "Card payments failed for 40 minutes.",
      },
    });
    await stack.settle();
    await stack.client.blockAction({ userId: IC, channelId: dm(), actionId: "postmortem_complete", value: "INC-1" });
    await stack.settle();
    expect(await timeline()).toContain("postmortem_completed");
    const issue = stack.github.issues("tailscale/corp").find((i) => i.title.startsWith("[INC-1]"))!;
    expect(issue.comments.some((c) => c.body.includes("Post-mortem completed"))).toBe(true);
  });

  it("stops reminding the moment it is complete", async () => {
    // Monday would not have had one anyway; Tuesday (two business days after Friday) would have.
    await until("2026-12-11T18:00:00Z", 6 * 60 * 60_000);
    expect(reminders()).toHaveLength(2);
    expect((await timeline()).filter((k) => k === "postmortem_reminded")).toHaveLength(2);
  });
});
