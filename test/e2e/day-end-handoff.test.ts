// The end-of-day IC hand-off over signed Slack HTTP on a simulated clock: a
// Critical incident whose IC works in Los Angeles. She is asked at 17:30
// local, stays on for an hour and is asked again; that round ends
// unanswered (the channel and the escalation contacts are told). The next
// day she hands off from the DM to the suggested successor (on call, in
// Tokyo, working then); his day ends in his zone, moves when he changes his
// working hours in App Home, and survives a restart (asked once). A
// resolved incident gets nothing.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClock, timelineOf } from "../helpers/simulated.js";
import { type Stack, startEmulators, startStack } from "../helpers/stack.js";

const ALICE = "UALICE"; // America/Los_Angeles
const DAVE = "UDAVE"; // Asia/Tokyo, on call
const ERIN = "UERIN"; // Europe/Berlin
const CAROL = "UCAROL"; // America/New_York, on call
const LEADS = ["ULEAD1", "ULEAD2"];
const MIN = 60_000;

// Monday 30 November 2026, 10:00 in Los Angeles (18:00 UTC).
const sim = new SimulatedClock(Date.parse("2026-11-30T18:00:00Z"));
const clock = sim.now;
let stack: Stack;
let emulators: Awaited<ReturnType<typeof startEmulators>>;
const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), "muster-day-end-")), "muster.db")}`;
const start = () => startStack({ shared: emulators, databaseUrl, clock, env: { ONCALL_USERGROUP: "SONCALL" } });

beforeAll(async () => {
  emulators = await startEmulators({
    slack: {
      usergroups: [
        { id: "SLEADERS", handle: "leadership", users: LEADS },
        { id: "SONCALL", handle: "oncall", users: [CAROL, DAVE] },
      ],
    },
  });
  stack = await start();
}, 30_000);
afterAll(async () => {
  await stack?.stop();
  await Promise.all([emulators.slack.close(), emulators.github.close(), emulators.google.close()]);
});

const channel = () => [...stack.slack.channels.values()].find((c) => c.name.startsWith("inc-1-"))!;
const dms = (user: string, words: string) => {
  const ch = stack.slack.dmChannelOf(user);
  return ch ? stack.slack.messages(ch).filter((m) => m.text.includes(words)) : [];
};
const asked = (user: string) => dms(user, "your working day ends");
const escalated = (user: string) => dms(user, "the IC's day ended without a hand-off");
const notices = () => stack.slack.messages(channel().id).filter((m) => m.text.includes("working day ended"));

/** Moves the simulated clock to `iso`, `stepMs` at a time, letting the worker run what comes due. */
async function until(iso: string, stepMs = 5 * MIN) {
  await sim.advanceTo(Date.parse(iso), stepMs, stack);
}

async function inChannel(user: string, text: string) {
  await stack.client.command({ userId: user, channelId: channel().id, text });
  await stack.settle();
}

async function timeline(kind: string) {
  return (await timelineOf(stack.databaseUrl)).filter((e) => e.kind === kind);
}

/** The value of a button (or select option) in a message, by action id. */
function valueIn(msg: { blocks?: unknown }, actionId: string): string {
  const m = new RegExp(`"action_id":"${actionId}","value":"([^"]+)"`).exec(JSON.stringify(msg.blocks));
  if (!m) throw new Error(`no ${actionId} in ${JSON.stringify(msg.blocks)}`);
  return m[1]!;
}

describe("end-of-day hand-off", () => {
  it("asks the IC at 17:30 in Los Angeles, not before, with who could take over", async () => {
    await stack.client.command({
      userId: ALICE,
      channelId: stack.slack.channelByName("incident-response")!.id,
      text: "declare Payments down",
    });
    await stack.client.submitView({
      userId: ALICE,
      callbackId: "incident_declare",
      values: { title: "Payments down", summary: "x", severity: { option: "critical" }, commanderId: { user: ALICE } },
    });
    await stack.settle();
    for (const [role, user] of [
      ["scribe", DAVE],
      ["communications", ERIN],
    ] as const) {
      await inChannel(ALICE, "role");
      await stack.client.submitView({
        userId: ALICE,
        callbackId: "incident_role",
        values: { role: { option: role }, userId: { user } },
      });
    }
    await stack.settle();
    await until("2026-12-01T01:25:00Z", 30 * MIN);
    expect(asked(ALICE)).toHaveLength(0);
    // 17:30 PST is 01:30 UTC.
    await until("2026-12-01T01:31:00Z", MIN);
    expect(asked(ALICE)).toHaveLength(1);
    const dm = JSON.stringify(asked(ALICE)[0]!.blocks);
    expect(dm).toContain("*18:00* (America/Los_Angeles)");
    // 10:31 on Tuesday in Tokyo: Dave is working (and on call); Erin (02:31 in Berlin) and Carol (20:31 in New York) are not.
    expect(dm).toContain("Working now (on-call first): <@UDAVE>");
    expect(dm).not.toContain("UERIN");
    expect(dm).not.toContain("UCAROL");
    expect(await timeline("day_end_reminded")).toHaveLength(1);
    // Nothing in the channel yet.
    expect(notices()).toHaveLength(0);
  });

  it("'I'm staying on' for an hour: no notice at 18:00, asked again when the hour is up", async () => {
    const dmChannel = stack.slack.dmChannelOf(ALICE)!;
    await stack.client.blockAction({
      userId: ALICE,
      channelId: dmChannel,
      actionId: "day_end_snooze",
      value: "INC-1|1h",
    });
    await stack.settle();
    const snoozes = await timeline("day_end_snoozed");
    expect(snoozes).toHaveLength(1);
    expect(snoozes[0]!.data).toMatchObject({ icId: ALICE, snooze: "1h", until: "2026-12-01T02:31:00.000Z" });
    await until("2026-12-01T02:30:00Z", MIN);
    expect(notices()).toHaveLength(0);
    expect(asked(ALICE)).toHaveLength(1);
    await until("2026-12-01T02:32:00Z", MIN);
    expect(asked(ALICE)).toHaveLength(2);
  });

  it("a round nobody answers: the channel is told, and (Critical) the escalation contacts", async () => {
    await until("2026-12-01T03:00:00Z", MIN);
    expect(notices()).toHaveLength(0);
    await until("2026-12-01T03:02:00Z", MIN);
    expect(notices()).toHaveLength(1);
    expect(notices()[0]!.text).toContain("<@UALICE>");
    for (const lead of LEADS) expect(escalated(lead)).toHaveLength(1);
    expect(await timeline("day_end_unanswered")).toHaveLength(1);
    // The night passes quietly.
    await until("2026-12-01T20:00:00Z", 60 * MIN);
    expect(notices()).toHaveLength(1);
    expect(asked(ALICE)).toHaveLength(2);
  });

  it("'Hand off now' opens the hand-off form with the successor who is working; he accepts", async () => {
    await until("2026-12-02T01:31:00Z", 30 * MIN);
    expect(asked(ALICE)).toHaveLength(3);
    const before = stack.slack.callsTo("views.open").length;
    await stack.client.blockAction({
      userId: ALICE,
      channelId: stack.slack.dmChannelOf(ALICE)!,
      actionId: "day_end_handoff",
      value: valueIn(asked(ALICE)[2]!, "day_end_handoff"),
    });
    const opened = stack.slack.callsTo("views.open");
    expect(opened.length).toBe(before + 1);
    const view = JSON.stringify(opened.at(-1)!.args.view);
    expect(view).toContain('"callback_id":"incident_handoff"');
    expect(view).toContain('"initial_user":"UDAVE"');
    await stack.client.submitView({
      userId: ALICE,
      callbackId: "incident_handoff",
      values: { toUserId: { user: DAVE }, note: "Payments failing over; next checkpoint 19:00" },
    });
    await stack.settle();
    const request = dms(DAVE, "hand-off")[0] ?? stack.slack.messages(stack.slack.dmChannelOf(DAVE)!).at(-1)!;
    await stack.client.blockAction({
      userId: DAVE,
      channelId: stack.slack.dmChannelOf(DAVE)!,
      actionId: "handoff_accept",
      value: valueIn(request, "handoff_accept"),
    });
    await stack.settle();
    expect(await timeline("handoff_accepted")).toHaveLength(1);
    // No notice for Alice's day: she handed off.
    await until("2026-12-02T02:10:00Z", 5 * MIN);
    expect(notices()).toHaveLength(1);
  });

  it("working hours changed in App Home (a bad range refused on its field) move the new IC's question", async () => {
    await stack.client.event({ type: "app_home_opened", user: DAVE, tab: "home", channel: `D0${DAVE}` });
    const home = stack.slack.homeViews.get(DAVE)!;
    expect(JSON.stringify(home)).toContain("09:00–18:00, Monday to Friday");
    await stack.client.blockAction({
      userId: DAVE,
      viewId: String(home.id),
      actionId: "open_working_hours",
      value: "hours",
    });
    const bad = await stack.client.submitView({
      userId: DAVE,
      callbackId: "working_hours",
      values: { start: { option: "16:00" }, end: { option: "08:00" } },
    });
    expect((bad.json as { response_action: string }).response_action).toBe("errors");
    expect(Object.keys((bad.json as { errors: Record<string, string> }).errors)).toEqual(["end"]);
    const good = await stack.client.submitView({
      userId: DAVE,
      callbackId: "working_hours",
      values: { start: { option: "09:00" }, end: { option: "16:00" } },
    });
    expect(good.status).toBe(200);
    expect(good.body).toBe("");
    await stack.settle();
    await stack.client.event({ type: "app_home_opened", user: DAVE, tab: "home", channel: `D0${DAVE}` });
    expect(JSON.stringify(stack.slack.homeViews.get(DAVE))).toContain("09:00–16:00, Monday to Friday");
    // Dave's day now ends 16:00 in Tokyo (07:00 UTC): he is asked at 15:30 (06:30 UTC), not at 17:30.
    await until("2026-12-02T06:00:00Z", 30 * MIN);
    expect(asked(DAVE)).toHaveLength(0);
  });

  it("a restart between two links: the question comes once, and the notice once", async () => {
    await stack.stop();
    // Down from 15:00 to 15:45 in Tokyo: the 15:30 question is late, not lost.
    sim.ms = Date.parse("2026-12-02T06:45:00Z");
    stack = await start();
    await stack.settle();
    expect(asked(DAVE)).toHaveLength(1);
    expect(JSON.stringify(asked(DAVE)[0]!.blocks)).toContain("*16:00* (Asia/Tokyo)");
    await until("2026-12-02T06:59:00Z", MIN);
    expect(notices()).toHaveLength(1);
    await until("2026-12-02T07:05:00Z", MIN);
    expect(asked(DAVE)).toHaveLength(1);
    expect(notices()).toHaveLength(2);
    expect(notices()[1]!.text).toContain("<@UDAVE>");
    expect(asked(ALICE)).toHaveLength(3);
    for (const lead of LEADS) expect(escalated(lead)).toHaveLength(2);
  });

  it("a resolved incident gets nothing", async () => {
    await inChannel(DAVE, "resolve");
    await stack.client.submitView({
      userId: DAVE,
      callbackId: "incident_resolve",
      values: { summary: "Failed over", partiesInformed: "support" },
    });
    await stack.settle();
    await until("2026-12-05T00:00:00Z", 2 * 60 * MIN);
    expect(asked(DAVE)).toHaveLength(1);
    expect(notices()).toHaveLength(2);
    expect(await timeline("day_end_reminded")).toHaveLength(4);
  });
});
