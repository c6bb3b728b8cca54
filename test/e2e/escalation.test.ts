// Escalation when the response is insufficient, on a simulated clock over
// signed Slack HTTP: a Critical incident not mitigated after an hour offers
// the IC a drafted brief; unanswered (across a restart), muster escalates by
// itself after 15 minutes, once. A new gap in the updates fires again; the IC
// pressing the button escalates at once, with no second escalation after.
// Leadership acknowledges by button: on the timeline, the message updated,
// the channel told.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClock, timelineOf } from "../helpers/simulated.js";
import { type Stack, startEmulators, startStack } from "../helpers/stack.js";

const IC = "UALICE";
const LEAD = "ULEAD1";
const MIN = 60_000;
const t0 = Date.parse("2026-11-30T10:00:00Z");
const sim = new SimulatedClock(t0);
const clock = sim.now;
let stack: Stack;
let emulators: Awaited<ReturnType<typeof startEmulators>>;
const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), "muster-escalation-")), "muster.db")}`;
const start = () => startStack({ shared: emulators, databaseUrl, clock, env: { ESCALATION_USERS: LEAD } });

beforeAll(async () => {
  emulators = await startEmulators();
  stack = await start();
}, 30_000);
afterAll(async () => {
  await stack?.stop();
  await Promise.all([emulators.slack.close(), emulators.github.close(), emulators.google.close()]);
});

const text = (m: { text: string; blocks?: unknown }) => `${m.text} ${JSON.stringify(m.blocks ?? [])}`;
const channel = () => [...stack.slack.channels.values()].find((c) => c.name.startsWith("inc-1-"))!;
const dms = (user: string, words: string) => {
  const ch = stack.slack.dmChannelOf(user);
  return ch ? stack.slack.messages(ch).filter((m) => text(m).includes(words)) : [];
};
const offers = () => dms(IC, "Escalate to leadership");
const briefs = () => dms(LEAD, "was escalated to you");

async function at(minutes: number, step = 1) {
  await sim.advanceTo(t0 + minutes * MIN, step * MIN, stack);
}

async function events(kind: string) {
  return (await timelineOf(stack.databaseUrl)).filter((e) => e.kind === kind);
}

describe("escalation when the response is insufficient", () => {
  it("offers the IC a drafted brief when a Critical incident is not mitigated after an hour", async () => {
    await stack.client.command({
      userId: IC,
      channelId: stack.slack.channelByName("incident-response")!.id,
      text: "declare Everything is down",
    });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_declare",
      values: { title: "Everything is down", severity: { option: "critical" }, commanderId: { user: IC } },
    });
    await stack.settle();
    await at(40, 5);
    await stack.client.command({ userId: IC, channelId: channel().id, text: "update" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_update",
      values: { internalText: "Rolling back" },
    });
    await stack.settle();
    await at(59, 5);
    expect(offers()).toHaveLength(0);
    await at(61);
    expect(offers()).toHaveLength(1);
    const offer = text(offers()[0]!);
    expect(offer).toContain("not mitigated 60 minutes after it was declared");
    expect(offer).toContain("Critical");
    expect(offer).toContain("Rolling back");
    expect(offer).toContain("Not needed");
    expect(briefs()).toHaveLength(0);
    const proposed = await events("escalation_proposed");
    expect(proposed).toHaveLength(1);
    expect(proposed[0]!.data.rules).toEqual(["not_mitigated"]);
  });

  it("escalates by itself 15 minutes later without an answer, once, across a restart", async () => {
    await at(65);
    await stack.stop();
    sim.ms = t0 + 70 * MIN;
    stack = await start();
    await stack.settle();
    await at(74);
    expect(briefs()).toHaveLength(0);
    await at(77);
    expect(briefs()).toHaveLength(1);
    expect(text(briefs()[0]!)).toContain("muster escalated");
    expect(text(briefs()[0]!)).toContain("escalation_acknowledge");
    const escalated = await events("escalated");
    expect(escalated).toHaveLength(1);
    expect(escalated[0]!).toMatchObject({ actorId: "muster", data: { auto: true } });
    // The condition has fired: it does not fire again.
    await at(95, 5);
    expect(await events("escalation_proposed")).toHaveLength(1);
    expect(briefs()).toHaveLength(1);
  });

  it("fires again for a new gap (no update for twice the cadence); the IC's button escalates at once, and only once", async () => {
    // Last update at 40; Critical's cadence is 30 minutes: at 100 the second rule holds.
    await at(99);
    expect(offers()).toHaveLength(1);
    await at(101);
    expect(offers()).toHaveLength(2);
    const offer = offers()[1]!;
    expect(text(offer)).toContain("no status update for 60 minutes");
    const value = JSON.stringify(offer.blocks).match(/"value":"(INC-1\|\d+)"/)![1]!;
    await stack.client.blockAction({
      userId: IC,
      channelId: stack.slack.dmChannelOf(IC)!,
      actionId: "escalation_offer_accept",
      value,
      messageTs: offer.ts,
    });
    await stack.settle();
    expect(briefs()).toHaveLength(2);
    expect(text(briefs()[1]!)).toContain("<@UALICE> escalated");
    expect(JSON.stringify(stack.slack.responseUrlPosts.at(-1)!.body)).toContain("is escalated to leadership");
    // Past the offer's 15 minutes: no escalation of muster's own on top.
    await at(130, 5);
    expect(briefs()).toHaveLength(2);
    const escalated = await events("escalated");
    expect(escalated.map((e) => e.actorId)).toEqual(["muster", IC]);
    // Pressing it again escalates nothing more.
    await stack.client.blockAction({
      userId: IC,
      channelId: stack.slack.dmChannelOf(IC)!,
      actionId: "escalation_offer_accept",
      value,
      messageTs: offer.ts,
    });
    await stack.settle();
    expect(await events("escalated")).toHaveLength(2);
  });

  it("leadership acknowledges by button: on the timeline, the message updated, the IC's channel told", async () => {
    const brief = briefs()[1]!;
    const value = JSON.stringify(brief.blocks).match(/"value":"(INC-1\|[^"]+)"/)![1]!;
    await stack.client.blockAction({
      userId: LEAD,
      channelId: stack.slack.dmChannelOf(LEAD)!,
      actionId: "escalation_acknowledge",
      value,
      messageTs: brief.ts,
    });
    await stack.settle();
    const acks = await events("escalation_acknowledged");
    expect(acks).toHaveLength(1);
    expect(acks[0]!.actorId).toBe(LEAD);
    const updated = JSON.stringify(stack.slack.responseUrlPosts.at(-1)!.body);
    expect(updated).toContain("replace_original");
    expect(updated).toContain("Acknowledged by <@ULEAD1>");
    expect(updated).not.toContain("escalation_acknowledge");
    expect(stack.slack.messages(channel().id).some((m) => text(m).includes("<@ULEAD1> acknowledged it"))).toBe(true);
  });

  it("the IC's Not needed answers the offer: no escalation follows", async () => {
    await at(140, 5);
    await stack.client.command({ userId: IC, channelId: channel().id, text: "update" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_update",
      values: { internalText: "Still on it" },
    });
    await stack.settle();
    await at(201);
    expect(offers()).toHaveLength(3);
    const offer = offers()[2]!;
    const value = JSON.stringify(offer.blocks).match(/"value":"(INC-1\|\d+)"/)![1]!;
    await stack.client.blockAction({
      userId: IC,
      channelId: stack.slack.dmChannelOf(IC)!,
      actionId: "escalation_offer_decline",
      value,
      messageTs: offer.ts,
    });
    await stack.settle();
    expect(JSON.stringify(stack.slack.responseUrlPosts.at(-1)!.body)).toContain("judged an escalation not needed");
    await at(230, 5);
    expect(await events("escalation_declined")).toHaveLength(1);
    expect(await events("escalated")).toHaveLength(2);
    expect(briefs()).toHaveLength(2);
  });
});
