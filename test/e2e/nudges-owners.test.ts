// The nudges that name an owner, on a simulated clock, over signed Slack
// HTTP: a customer-facing incident without a comms lead, vendor checks past
// their deadline, and overdue follow-ups (to their owner by DM, after the
// incident is resolved too). Each fires, backs off to its cap, stops when
// fixed, and goes on the timeline; the quiet gate holds DMs across a restart.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { createPrismaJobStore } from "../../src/store/prisma-job-store.js";
import { SimulatedClock, timelineOf } from "../helpers/simulated.js";
import { type Stack, startEmulators, startStack } from "../helpers/stack.js";

const IC = "UALICE";
const BOB = "UBOB"; // Europe/London
const CAROL = "UCAROL";
const MIN = 60_000;
// Monday 30 November 2026, 10:00 UTC.
const t0 = Date.parse("2026-11-30T10:00:00Z");
const sim = new SimulatedClock(t0);
const clock = sim.now;
let stack: Stack;
let emulators: Awaited<ReturnType<typeof startEmulators>>;
const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), "muster-nudges-")), "muster.db")}`;
const start = () => startStack({ shared: emulators, databaseUrl, clock });

beforeAll(async () => {
  // Slack's rate limits count the simulated time: hours pass here in a few real
  // seconds, and on a fast host the channel's real-time budget ran out.
  emulators = await startEmulators({ slack: { now: () => clock().getTime() } });
  stack = await start();
}, 30_000);
afterAll(async () => {
  await stack?.stop();
  await Promise.all([emulators.slack.close(), emulators.github.close(), emulators.google.close()]);
});

const text = (m: { text: string; blocks?: unknown }) => `${m.text} ${JSON.stringify(m.blocks ?? [])}`;
const channel = () => [...stack.slack.channels.values()].find((c) => c.name.startsWith("inc-1-"))!;
const said = (words: string) => stack.slack.messages(channel().id).filter((m) => text(m).includes(words));
const dms = (user: string, words: string) => {
  const ch = stack.slack.dmChannelOf(user);
  return ch ? stack.slack.messages(ch).filter((m) => text(m).includes(words)) : [];
};
const comms = () => said("no communications lead");
const vendor = (name: string) => said(`*${name}* has not answered`);
const overdueDms = () => dms(BOB, "past due");

/** Moves the simulated clock to t0 + `minutes`, `step` minutes at a time, letting the worker run what comes due. */
async function at(minutes: number, step = 5) {
  await sim.advanceTo(t0 + minutes * MIN, step * MIN, stack);
}

async function form(user: string, subcommand: string, callbackId: string, values: Record<string, unknown>) {
  await stack.client.command({ userId: user, channelId: channel().id, text: subcommand });
  await stack.client.submitView({ userId: user, callbackId, values: values as never });
  await stack.settle();
}

async function nudgedEvents() {
  return (await timelineOf(stack.databaseUrl)).filter((e) => e.kind === "nudged");
}

describe("nudges about owners", () => {
  it("asks a customer-facing incident for a comms lead; the nudge's button assigns one, and the nudges stop", async () => {
    await stack.client.command({
      userId: IC,
      channelId: stack.slack.channelByName("incident-response")!.id,
      text: "declare Checkout fails",
    });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_declare",
      values: {
        title: "Checkout fails",
        severity: { option: "high" },
        impacts: { options: ["customer_facing"] },
        commanderId: { user: IC },
      },
    });
    await stack.settle();
    await form(IC, "vendor", "incident_vendor", {
      vendor: "Okta",
      deadline: { dateTime: Math.floor((t0 + 30 * MIN) / 1000) },
    });
    await at(14, 2);
    expect(comms()).toHaveLength(0);
    await at(16, 2);
    expect(comms()).toHaveLength(1);
    const nudge = comms()[0]!;
    expect(text(nudge)).toContain("<@UALICE>");
    await stack.client.blockAction({
      userId: IC,
      channelId: channel().id,
      actionId: "open_role_comms",
      value: "INC-1",
      messageTs: nudge.ts,
    });
    const opened = stack.slack.callsTo("views.open").at(-1)!.args.view as { callback_id: string };
    expect(opened.callback_id).toBe("incident_role");
    expect(JSON.stringify(opened)).toContain(
      '"initial_option":{"text":{"type":"plain_text","text":"Communications lead"',
    );
    await stack.client.submitView({ userId: IC, callbackId: "incident_role", values: { userId: { user: CAROL } } });
    await stack.settle();
    await at(200);
    expect(comms()).toHaveLength(1);
  });

  it("raises a vendor check at its deadline with the answer buttons, backs off, stops at the cap of 3", async () => {
    // Deadline at 30 min: then 2 h and 4 h later (1 h cadence, backing off). It is 200 min now.
    expect(vendor("Okta")).toHaveLength(2);
    const when = (await nudgedEvents())
      .filter((e) => e.data.what === "vendor_overdue")
      .map((e) => (e.at.getTime() - t0) / MIN);
    expect(when).toEqual([31, 151]); // the simulated clock moves in 5-minute steps
    expect(text(vendor("Okta")[0]!)).toContain("vendor_not_affected");
    await at(385);
    expect(vendor("Okta")).toHaveLength(2);
    await at(395);
    expect(vendor("Okta")).toHaveLength(3);
    await at(900, 30);
    expect(vendor("Okta")).toHaveLength(3);
  });

  it("stops raising a vendor check once it is answered", async () => {
    await form(IC, "vendor", "incident_vendor", {
      vendor: "Fastly",
      deadline: { dateTime: Math.floor((t0 + 910 * MIN) / 1000) },
    });
    await at(915);
    expect(vendor("Fastly")).toHaveLength(1);
    const msg = vendor("Fastly")[0]!;
    // A deadline job queued by an older muster (before the rules) still runs: it restarts the
    // nudge timer, which knows the check was already raised.
    const { store, db, target } = await openStore(stack.databaseUrl, { poolSize: 1 });
    try {
      const jobs = createPrismaJobStore(db, target.provider);
      const record = (await store.loadIncident("INC-1"))!;
      const check = record.vendorChecks.find((c) => c.vendor === "Fastly")!;
      await jobs.enqueue(
        [{ incidentId: record.incident.id, kind: "slack.vendor_deadline", payload: { vendorCheckId: check.id } }],
        clock(),
      );
      stack.muster.worker.wake();
      await stack.settle();
      const legacy = (await jobs.list({ incidentId: record.incident.id, limit: 1000 })).filter(
        (j) => j.kind === "slack.vendor_deadline",
      );
      expect(legacy.map((j) => j.status)).toEqual(["done"]);
    } finally {
      await store.close();
    }
    expect(vendor("Fastly")).toHaveLength(1);
    await stack.client.blockAction({
      userId: IC,
      channelId: channel().id,
      actionId: "vendor_not_affected",
      value: `INC-1|${JSON.stringify(msg.blocks).match(/INC-1\|([^"]+)/)![1]}`,
    });
    await stack.client.submitView({ userId: IC, callbackId: "incident_vendor_answer", values: { notes: "Fine" } });
    await stack.settle();
    await at(1200, 30);
    expect(vendor("Fastly")).toHaveLength(1);
  });

  it("DMs a follow-up's owner the first working morning after its due day, after the resolve too", async () => {
    // Due Monday; Bob is in London: the Monday ends at 00:00 UTC, he hears on Tuesday at 09:00.
    await form(IC, "followup", "incident_follow_up", {
      title: "Rotate the checkout keys",
      ownerId: { user: BOB },
      dueDate: { date: "2026-11-30" },
    });
    // Every party told (the resolution checklist's own reminders are tested in checklists.test.ts).
    await form(IC, "resolve", "incident_resolve", {
      summary: "Rolled back",
      // "leadership" ticks that party when muster escalated by itself (the insufficient-response rules).
      partiesInformed: "support, leadership",
      "party.affected_customers": { option: "done" },
      "party.status_page": { option: "done" },
    });
    await at(1375, 30); // Tuesday 08:55
    expect(overdueDms()).toHaveLength(0);
    await at(1385); // Tuesday 09:05
    expect(overdueDms()).toHaveLength(1);
    const dm = overdueDms()[0]!;
    expect(text(dm)).toContain("Rotate the checkout keys");
    expect(text(dm)).toContain("follow_up_done");
    // Resolved: the channel hears no more nudges.
    const inChannel = stack.slack.messages(channel().id).length;
    await at(1390);
    expect(stack.slack.messages(channel().id)).toHaveLength(inChannel);
  });

  it("the quiet gate: a second reminder DM within the hour waits, across a restart, and comes once", async () => {
    // Another overdue follow-up for Bob at 09:10: due at once, but he had a reminder DM at 09:00.
    await form(IC, "followup", "incident_follow_up", {
      title: "Alert on checkout errors",
      ownerId: { user: BOB },
      dueDate: { date: "2026-11-30" },
    });
    expect(overdueDms()).toHaveLength(1);
    await stack.stop();
    sim.ms = t0 + 1400 * MIN;
    stack = await start();
    await stack.settle();
    // A third at 09:25, after the restart: the gate is in the database, so still no DM.
    await form(IC, "followup", "incident_follow_up", {
      title: "Page on checkout latency",
      ownerId: { user: BOB },
      dueDate: { date: "2026-11-30" },
    });
    await at(1435, 5);
    expect(overdueDms()).toHaveLength(1);
    // 10:00: the gate reopens; both come in one DM.
    await at(1445, 5);
    expect(overdueDms()).toHaveLength(2);
    expect(text(overdueDms()[1]!)).toContain("Alert on checkout errors");
    expect(text(overdueDms()[1]!)).toContain("Page on checkout latency");
    expect(text(overdueDms()[1]!)).not.toContain("Rotate the checkout keys");
  });

  it("stops when the owner marks it done from the DM; the others back off to the cap", async () => {
    const dm = overdueDms()[1]!;
    const value = JSON.stringify(dm.blocks).match(/"value":"(INC-1\|[^"]+)"/)![1]!;
    await stack.client.blockAction({
      userId: BOB,
      channelId: stack.slack.dmChannelOf(BOB)!,
      actionId: "follow_up_done",
      value,
      messageTs: dm.ts,
    });
    await stack.settle();
    // A week later: "Rotate" (Tue, Thu, Mon) and the one left open (Tue, Thu, Mon) reached their cap of 3.
    await at(1440 + 7 * 24 * 60, 60);
    const events = await nudgedEvents();
    const about = (what: string) => events.filter((e) => e.data.what === what);
    expect(about("comms_lead")).toHaveLength(1);
    expect(about("vendor_overdue")).toHaveLength(4);
    const perFollowUp = new Map<string, number>();
    for (const e of about("follow_up_overdue"))
      perFollowUp.set(String(e.data.subject), (perFollowUp.get(String(e.data.subject)) ?? 0) + 1);
    expect([...perFollowUp.values()].sort()).toEqual([1, 3, 3]);
    expect(events.every((e) => e.visibility === "internal")).toBe(true);
    expect(events.find((e) => e.data.what === "follow_up_overdue")!.data.userId).toBe(BOB);
  });

  it("an owner Slack can no longer reach does not stop the other owners' nudges", async () => {
    const DAVE = "UDAVE"; // Asia/Tokyo
    const now = (sim.ms - t0) / MIN;
    // Dave has left the company: Slack refuses a DM to him for good (user_disabled).
    stack.slack.users.get(DAVE)!.deleted = true;
    await form(IC, "followup", "incident_follow_up", {
      title: "Archive the old keys",
      ownerId: { user: DAVE },
      dueDate: { date: "2026-12-01" },
    });
    await form(IC, "followup", "incident_follow_up", {
      title: "Write the checkout runbook",
      ownerId: { user: CAROL },
      dueDate: { date: "2026-12-01" },
    });
    await at(now + 4 * 24 * 60, 60);
    const carol = dms(CAROL, "Write the checkout runbook");
    // Carol's first nudge, then the next one after the backoff: the timer outlived Dave's refusal.
    expect(carol.length).toBeGreaterThanOrEqual(2);
    expect(dms(DAVE, "past due")).toHaveLength(0);
    const { store, db, target } = await openStore(stack.databaseUrl, { poolSize: 1 });
    try {
      const jobs = await createPrismaJobStore(db, target.provider).list({ limit: 10_000 });
      expect(jobs.filter((j) => j.kind === "slack.nudge_due" && j.status === "dead")).toEqual([]);
      // Nobody was told, so nothing says Dave was nudged.
      const events = await nudgedEvents();
      expect(events.filter((e) => e.data.userId === DAVE)).toEqual([]);
    } finally {
      await store.close();
    }
  }, 120_000);
});
