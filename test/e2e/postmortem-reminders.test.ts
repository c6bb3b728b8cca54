// Post-mortem reminders on a simulated clock: a High outage resolved on a
// Friday afternoon in Los Angeles; its owner is reminded on business days,
// the reminders follow a new owner, escalate past the deadline to the lead
// with the IC in copy, survive a restart (each sent once) and stop when the
// post-mortem is waived.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClock, timelineOf } from "../helpers/simulated.js";
import { type Stack, startEmulators, startStack } from "../helpers/stack.js";

const IC = "UALICE"; // America/Los_Angeles
const BOB = "UBOB"; // Europe/London
const LEAD = "ULEAD1";
const ADMIN = "UADMIN";
const DAY = 24 * 60 * 60_000;

// Friday 27 November 2026, 12:00 in Los Angeles (20:00 UTC).
const sim = new SimulatedClock(Date.parse("2026-11-27T20:00:00Z"));
const clock = sim.now;
let stack: Stack;
let emulators: Awaited<ReturnType<typeof startEmulators>>;
const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), "muster-reminders-")), "muster.db")}`;
const start = () => startStack({ shared: emulators, databaseUrl, clock, env: { POSTMORTEM_ESCALATION_USERS: LEAD } });

beforeAll(async () => {
  emulators = await startEmulators();
  emulators.slack.users.set(ADMIN, { id: ADMIN, name: "admin", email: "admin@example.com" });
  stack = await start();
}, 30_000);
afterAll(async () => {
  await stack?.stop();
  await Promise.all([emulators.slack.close(), emulators.github.close(), emulators.google.close()]);
});

const channelOf = (n: number) => [...stack.slack.channels.values()].find((c) => c.name.startsWith(`inc-${n}-`))!;
const dms = (user: string, words: string) => {
  const ch = stack.slack.dmChannelOf(user);
  return ch ? stack.slack.messages(ch).filter((m) => m.text.includes(words)) : [];
};
const reminders = (user: string) => dms(user, "post-mortem is yours");
const overdue = (user: string) => dms(user, "past its deadline");

/** Moves the simulated clock to `iso` in steps of `stepMs`, letting the worker run what comes due. */
async function until(iso: string, stepMs = 6 * 60 * 60_000) {
  await sim.advanceTo(Date.parse(iso), stepMs, stack);
}

async function inChannel(user: string, text: string) {
  await stack.client.command({ userId: user, channelId: channelOf(1).id, text });
  await stack.settle();
}

async function timeline(kind: string) {
  return (await timelineOf(stack.databaseUrl)).filter((e) => e.kind === kind);
}

describe("post-mortem reminders", () => {
  it("waits for the first business day in the owner's zone: none over the weekend", async () => {
    await stack.client.command({
      userId: IC,
      channelId: stack.slack.channelByName("incident-response")!.id,
      text: "declare Logins fail",
    });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_declare",
      values: { title: "Logins fail", summary: "x", impacts: { options: ["outage"] }, commanderId: { user: IC } },
    });
    await stack.settle();
    await inChannel(IC, "severity");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_severity",
      values: { severity: { option: "high" }, reason: "partial outage" },
    });
    await inChannel(IC, "resolve");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_resolve",
      values: { summary: "Rolled back", partiesInformed: "support" },
    });
    await stack.settle();
    // Saturday, Sunday, Monday morning in Los Angeles: nothing yet.
    await until("2026-11-30T19:00:00Z");
    expect(reminders(IC)).toHaveLength(0);
    // Monday 12:00 in Los Angeles: one business day after the resolve.
    await until("2026-11-30T21:00:00Z", 30 * 60_000);
    expect(reminders(IC)).toHaveLength(1);
    expect(JSON.stringify(reminders(IC)[0]!.blocks)).toContain("postmortem_snooze");
    expect(await timeline("postmortem_reminded")).toHaveLength(1);
  });

  it("repeats every two business days, and a new owner gets the next one (the old owner none)", async () => {
    await inChannel(IC, "postmortem owner <@UBOB|bob>");
    await until("2026-12-02T19:00:00Z");
    expect(reminders(BOB)).toHaveLength(0);
    await until("2026-12-02T21:00:00Z", 30 * 60_000);
    expect(reminders(BOB)).toHaveLength(1);
    expect(reminders(IC)).toHaveLength(1);
  });

  it("survives a restart between two reminders: the next one comes once", async () => {
    await stack.stop();
    // muster is down from Wednesday evening until the next Tuesday.
    sim.ms = Date.parse("2026-12-08T17:00:00Z");
    stack = await start();
    await stack.settle();
    // One catch-up reminder, not one per missed interval.
    expect(reminders(BOB)).toHaveLength(2);
    expect(await timeline("postmortem_reminded")).toHaveLength(3);
  });

  it("past the deadline (5 business days for High) tells the lead, with the IC in copy, once", async () => {
    expect(overdue(LEAD)).toHaveLength(1);
    expect(overdue(IC)).toHaveLength(1);
    expect(JSON.stringify(overdue(LEAD)[0]!.blocks)).toContain("<@UBOB>");
    expect(await timeline("postmortem_escalated")).toHaveLength(1);
    await until("2026-12-10T21:00:00Z");
    expect(reminders(BOB)).toHaveLength(3);
    expect(overdue(LEAD)).toHaveLength(1);
  });

  it("snoozes from the DM's button: the timeline says so, and the next reminder waits", async () => {
    await stack.client.blockAction({
      userId: BOB,
      channelId: stack.slack.dmChannelOf(BOB)!,
      actionId: "postmortem_snooze",
      value: "INC-1",
    });
    await stack.settle();
    expect(await timeline("postmortem_reminder_snoozed")).toHaveLength(1);
    // Thursday 21:00 UTC + 1 day is Friday: the snoozed reminder comes then, and the old chain's Monday one not.
    await until("2026-12-11T22:00:00Z", 30 * 60_000);
    expect(reminders(BOB)).toHaveLength(4);
    await until("2026-12-14T23:00:00Z");
    expect(reminders(BOB)).toHaveLength(4);
  });

  it("stops the moment the post-mortem is waived", async () => {
    await stack.client.blockAction({
      userId: ADMIN,
      channelId: stack.slack.dmChannelOf(BOB)!,
      actionId: "open_postmortem_waive",
      value: "INC-1",
    });
    await stack.client.submitView({
      userId: ADMIN,
      callbackId: "incident_postmortem_waive",
      values: { reason: "Duplicate of INC-0" },
    });
    await stack.settle();
    await until("2026-12-31T21:00:00Z", DAY);
    expect(reminders(BOB)).toHaveLength(4);
    expect(await timeline("postmortem_waived")).toHaveLength(1);
  });
});
