// A pending IC hand-off on a simulated clock: the proposing IC (by DM) and
// the channel are reminded after the timeout, then after twice and four
// times as long again, three times at most (the IC's DMs through the quiet
// gate); an answer stops the reminders.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClock } from "../helpers/simulated.js";
import { type Stack, startStack } from "../helpers/stack.js";

const IC = "UALICE";
const MIN = 60_000;
let t0 = 0;
const sim = new SimulatedClock(Date.parse("2026-12-01T18:00:00Z"));
const clock = sim.now;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ clock, env: { HANDOFF_TIMEOUT_MINUTES: "20" } });
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

const channel = () => [...stack.slack.channels.values()].find((c) => c.name.startsWith("inc-1-"))!;
const inChannel = (who: string) =>
  stack.slack.messages(channel().id).filter((m) => JSON.stringify(m.blocks).includes(`<@${who}> has not answered`));
const toIc = (who: string) =>
  stack.slack
    .messages(stack.slack.dmChannelOf(IC)!)
    .filter((m) => JSON.stringify(m.blocks).includes(`<@${who}> has not answered`));

async function at(minutes: number, step = 1) {
  await sim.advanceTo(t0 + minutes * MIN, step * MIN, stack);
}

async function offer(to: string) {
  await stack.client.blockAction({ userId: IC, channelId: channel().id, actionId: "open_handoff", value: "INC-1" });
  await stack.client.submitView({
    userId: IC,
    callbackId: "incident_handoff",
    values: { toUserId: { user: to }, note: "Please take over" },
  });
  await stack.settle();
  t0 = sim.ms;
}

describe("pending hand-off reminders", () => {
  it("after 20 minutes, then 40 and 80 more, then no more (cap 3), in the channel and (through the quiet gate) to the IC", async () => {
    await stack.client.command({
      userId: IC,
      channelId: stack.slack.channelByName("incident-response")!.id,
      text: "declare Queue backlog",
    });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_declare",
      values: { title: "Queue backlog", summary: "x", commanderId: { user: IC } },
    });
    await stack.settle();
    await offer("UBOB");
    await at(19);
    expect(toIc("UBOB")).toHaveLength(0);
    await at(21);
    expect(toIc("UBOB")).toHaveLength(1);
    expect(inChannel("UBOB")).toHaveLength(1);
    expect(JSON.stringify(toIc("UBOB")[0]!.blocks)).toContain("after 20 minutes");
    await at(59);
    expect(toIc("UBOB")).toHaveLength(1);
    await at(61);
    expect(inChannel("UBOB")).toHaveLength(2);
    expect(JSON.stringify(inChannel("UBOB")[1]!.blocks)).toContain("after 60 minutes");
    // 40 minutes after the first DM: the quiet gate (one per hour) holds the second DM back; the channel still hears.
    expect(toIc("UBOB")).toHaveLength(1);
    await at(139, 5);
    expect(inChannel("UBOB")).toHaveLength(2);
    await at(141);
    expect(toIc("UBOB")).toHaveLength(2);
    expect(inChannel("UBOB")).toHaveLength(3);
    await at(24 * 60, 60);
    expect(toIc("UBOB")).toHaveLength(2);
    expect(inChannel("UBOB")).toHaveLength(3);
  });

  it("stops when the hand-off is answered", async () => {
    await offer("UCAROL");
    await at(21);
    expect(toIc("UCAROL")).toHaveLength(1);
    const request = stack.slack.messages(stack.slack.dmChannelOf("UCAROL")!).at(-1)!;
    const accept = /"action_id":"handoff_accept","value":"([^"]+)"/.exec(JSON.stringify(request.blocks))![1]!;
    await stack.client.blockAction({ userId: "UCAROL", actionId: "handoff_accept", value: accept });
    await stack.settle();
    await at(6 * 60, 10);
    expect(toIc("UCAROL")).toHaveLength(1);
  });
});
