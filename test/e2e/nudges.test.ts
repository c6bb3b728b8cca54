// Nudges in the incident channel on a simulated clock: no severity after 15
// minutes, no status update for the severity's cadence; each backs off, stops
// at the cap, starts over when fixed, and ends with the incident.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClock } from "../helpers/simulated.js";
import { type Stack, startStack } from "../helpers/stack.js";

const IC = "UALICE";
const MIN = 60_000;
let t0 = 0;
const sim = new SimulatedClock(Date.now() + MIN);
const clock = sim.now;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ clock });
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

const channel = () => [...stack.slack.channels.values()].find((c) => c.name.startsWith("inc-1-"))!;
const nudges = (words: string) => stack.slack.messages(channel().id).filter((m) => m.text.includes(words));
const classify = () => nudges("still unclassified");
// The nudge's own words: an escalation's reason (insufficient response) says "no status update" too.
const update = () => nudges("no status update on");

/** Moves the simulated clock to t0 + `minutes`, `step` minutes at a time, letting the worker run what comes due. */
async function at(minutes: number, step = 1) {
  await sim.advanceTo(t0 + minutes * MIN, step * MIN, stack);
}

async function inChannel(text: string) {
  await stack.client.command({ userId: IC, channelId: channel().id, text });
  await stack.settle();
}

describe("nudges", () => {
  it("asks for a severity after 15 minutes, then after 30 and 60 more, then stops (cap 3)", async () => {
    t0 = sim.ms;
    await stack.client.command({
      userId: IC,
      channelId: stack.slack.channelByName("incident-response")!.id,
      text: "declare Logins fail",
    });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_declare",
      values: { title: "Logins fail", summary: "x", commanderId: { user: IC } },
    });
    await stack.settle();
    await at(14);
    expect(classify()).toHaveLength(0);
    await at(16);
    expect(classify()).toHaveLength(1);
    expect(JSON.stringify(classify()[0]!.blocks)).toContain("open_severity");
    await at(44);
    expect(classify()).toHaveLength(1);
    await at(46);
    expect(classify()).toHaveLength(2);
    await at(106);
    expect(classify()).toHaveLength(3);
    await at(400, 30);
    expect(classify()).toHaveLength(3);
  });

  it("once classified High, asks for an update every hour without one, backing off; an update starts it over", async () => {
    await inChannel("severity");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_severity",
      values: { severity: { option: "high" }, reason: "partial outage" },
    });
    await stack.settle();
    await at(401);
    // No update since the declaration, over six hours ago: one nudge now, not a burst.
    expect(update()).toHaveLength(1);
    expect(JSON.stringify(update()[0]!.blocks)).toContain("open_update");
    await at(519, 10);
    expect(update()).toHaveLength(1);
    await at(522);
    expect(update()).toHaveLength(2);
    await inChannel("update");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_update",
      values: { internalText: "Rolling back" },
    });
    await stack.settle();
    await at(580);
    expect(update()).toHaveLength(2);
    await at(584);
    expect(update()).toHaveLength(3);
  });

  it("stops when the incident is resolved", async () => {
    await inChannel("resolve");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_resolve",
      values: { summary: "Rolled back", partiesInformed: "support" },
    });
    await stack.settle();
    await at(24 * 60, 120);
    expect(update()).toHaveLength(3);
    expect(classify()).toHaveLength(3);
  });
});
