// The rest of an incident's work over signed HTTP: vendor checks, follow-ups,
// risks, notes, lists, a declined and an unanswered hand-off, and what muster
// does when Slack says no (an archived channel, a rate limit).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { type Stack, startStack } from "../helpers/stack.js";

const IC = "UALICE";
const BOB = "UBOB";
const CAROL = "UCAROL";

// The worker's clock runs ahead of the wall clock by `ahead`: a hand-off
// reminder due in 30 minutes can be made due without waiting.
let ahead = 0;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    worker: { clock: () => new Date(Date.now() + ahead) },
    logLevel: process.env.DEBUG_LOG ?? "silent",
  });
  const announce = stack.slack.channelByName("incident-response")!;
  await stack.client.command({ userId: IC, channelId: announce.id, text: "declare Queue backlog" });
  await stack.client.submitView({
    userId: IC,
    callbackId: "incident_declare",
    values: { title: "Queue backlog", summary: "Jobs are delayed", commanderId: { user: IC } },
  });
  await stack.settle();
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

const channel = () => [...stack.slack.channels.values()].find((c) => c.name.startsWith("inc-1-"))!;
const text = (m: { text: string; blocks: unknown[] }) => `${m.text} ${JSON.stringify(m.blocks)}`;
const channelText = () => stack.slack.messages(channel().id).map(text).join("\n");
const lastDm = (user: string) => text(stack.slack.messages(stack.slack.dmChannelOf(user)!).at(-1)!);

async function form(user: string, subcommand: string, callbackId: string, values: Record<string, unknown>) {
  await stack.client.command({ userId: user, channelId: channel().id, text: subcommand });
  await stack.client.submitView({ userId: user, callbackId, values: values as never });
  await stack.settle();
}

async function timeline() {
  const opened = await openStore(stack.databaseUrl);
  try {
    return (await opened.store.loadIncident("INC-1"))!.timeline;
  } finally {
    await opened.store.close();
  }
}
const timelineKinds = async () => (await timeline()).map((e) => e.kind);

describe("an incident's work from its channel", () => {
  it("records a vendor check: in the channel and on the GitHub issue", async () => {
    await form(IC, "vendor", "incident_vendor", {
      vendor: "Stripe",
      answer: { option: "not_affected" },
      notes: "Status page green",
    });
    expect(channelText()).toContain("Stripe");
    const [issue] = stack.github.issues("tailscale/corp");
    expect(issue!.comments.some((c) => c.body.includes("Stripe"))).toBe(true);
  });

  it("adds a follow-up with an owner and due date, which becomes its own linked issue", async () => {
    await form(IC, "followup", "incident_follow_up", {
      title: "Alert on queue depth",
      ownerId: { user: BOB },
      dueDate: { date: "2026-12-01" },
    });
    expect(channelText()).toContain("Alert on queue depth");
    const issues = stack.github.issues("tailscale/corp");
    const followUp = issues.find((i) => i.title.includes("Alert on queue depth"))!;
    expect(followUp).toBeTruthy();
    const incidentIssue = issues.find((i) => i.title.startsWith("[INC-1]"))!;
    expect(incidentIssue.body).toContain(`/issues/${followUp.number}`);
  });

  it("records a risk and a note in the timeline", async () => {
    await form(IC, "risk", "incident_risk", {
      description: "Backups of the queue are untested",
      ownerId: { user: CAROL },
    });
    await stack.client.command({ userId: BOB, channelId: channel().id, text: "note Drained the dead-letter queue" });
    await stack.settle();
    const kinds = await timelineKinds();
    expect(kinds).toContain("risk_added");
    expect(kinds).toContain("note");
    expect(channelText()).toContain("New risk recorded");
  });

  it("copies a message into the timeline with its author, time and permalink, in the channel or from elsewhere", async () => {
    // Messages that exist in Slack (muster's own, here), so Slack has permalinks for them.
    const inChannel = stack.slack.messages(channel().id).at(-1)!;
    await stack.client.messageShortcut({
      userId: CAROL,
      callbackId: "add_to_timeline",
      channelId: channel().id,
      message: { ts: inChannel.ts, text: "Consumer lag back under 1 minute", user: inChannel.user },
    });
    // From another channel muster asks which incident.
    const elsewhere = stack.slack.channelByName("incident-response")!;
    const there = stack.slack.messages(elsewhere.id).at(-1)!;
    await stack.client.messageShortcut({
      userId: CAROL,
      callbackId: "add_to_timeline",
      channelId: elsewhere.id,
      message: { ts: there.ts, text: "Vendor says their queue is healthy", user: there.user },
    });
    await stack.client.submitView({ userId: CAROL, callbackId: "incident_note", values: { key: { option: "INC-1" } } });
    const notes = (await timeline()).filter((e) => e.kind === "note");
    const copied = notes.find((e) => (e.data as { text?: string }).text === "Consumer lag back under 1 minute");
    expect(copied?.actorId).toBe(CAROL);
    expect(copied?.data).toMatchObject({
      source: {
        authorId: inChannel.user,
        postedAt: new Date(Math.round(Number(inChannel.ts) * 1000)).toISOString(),
        permalink: expect.stringContaining(`p${inChannel.ts.replace(".", "")}`),
      },
    });
    const picked = notes.find((e) => (e.data as { text?: string }).text === "Vendor says their queue is healthy");
    expect(picked?.data).toMatchObject({
      source: { authorId: there.user, permalink: expect.stringContaining("/archives/") },
    });
  });

  it("lists open incidents anywhere, and shows a key's status", async () => {
    const elsewhere = stack.slack.channelByName("incident-response")!.id;
    await stack.client.command({ userId: CAROL, channelId: elsewhere, text: "list" });
    expect(JSON.stringify(stack.slack.responseUrlPosts.at(-1))).toContain("INC-1");
    await stack.client.command({ userId: CAROL, channelId: elsewhere, text: "status INC-1" });
    expect(JSON.stringify(stack.slack.responseUrlPosts.at(-1))).toContain("Queue backlog");
    await stack.client.command({ userId: CAROL, channelId: elsewhere, text: "status INC-99" });
    expect(JSON.stringify(stack.slack.responseUrlPosts.at(-1))).toContain("There is no incident INC-99");
  });

  it("tells the IC when the successor declines a hand-off, and the IC stays IC", async () => {
    await stack.client.blockAction({ userId: IC, channelId: channel().id, actionId: "open_handoff", value: "INC-1" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_handoff",
      values: { toUserId: { user: BOB }, note: "Backlog draining; next checkpoint 17:00" },
    });
    await stack.settle();
    const offer = stack.slack.messages(stack.slack.dmChannelOf(BOB)!).at(-1)!;
    const decline = (offer.blocks as { elements?: { action_id: string; value: string }[] }[])
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === "handoff_decline")!;
    await stack.client.blockAction({ userId: BOB, actionId: "handoff_decline", value: decline.value });
    await stack.settle();
    expect(lastDm(IC)).toMatch(/declined/i);
    expect(channel().topic).toContain(`IC <@${IC}>`);
  });

  it("flags a hand-off nobody answers to the IC after the configured time", async () => {
    await stack.client.blockAction({ userId: IC, channelId: channel().id, actionId: "open_handoff", value: "INC-1" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_handoff",
      values: { toUserId: { user: CAROL }, note: "Please take over for the night" },
    });
    await stack.settle();
    expect(lastDm(IC)).not.toContain("has not answered");
    ahead = 31 * 60_000; // the default hand-off timeout is 30 minutes
    stack.muster.worker.wake();
    await stack.settle();
    expect(lastDm(IC)).toContain("has not answered your Incident Commander hand-off");
    ahead = 0;
  });
});

describe("when Slack says no", () => {
  it("waits out a rate limit (Retry-After) and posts the update once", async () => {
    const before = stack.slack.messages(channel().id).length;
    stack.slack.faults.rateLimitNext("chat.postMessage", 1, 1);
    await form(IC, "update", "incident_update", { internalText: "Backlog below 1k" });
    const posted = () =>
      stack.slack
        .messages(channel().id)
        .slice(before)
        .filter((m) => text(m).includes("Backlog below 1k"));
    expect(posted()).toHaveLength(0); // not before Slack's Retry-After
    // The worker wakes by itself when the retry is due.
    await expect.poll(() => posted().length, { timeout: 5_000 }).toBe(1);
    await stack.settle();
    expect(posted()).toHaveLength(1);
    expect(stack.slack.calls.some((c) => c.method === "chat.postMessage" && c.status === 429)).toBe(true);
  });

  it("pins the control message even when Slack rate-limits the pin after the post", async () => {
    stack.slack.faults.rateLimitNext("pins.add", 1, 1);
    const announce = stack.slack.channelByName("incident-response")!;
    await stack.client.command({ userId: BOB, channelId: announce.id, text: "declare Pin test" });
    await stack.client.submitView({
      userId: BOB,
      callbackId: "incident_declare",
      values: { title: "Pin test", commanderId: { user: BOB } },
    });
    const pinned = () => [...stack.slack.channels.values()].find((c) => c.name.startsWith("inc-2-"))?.pins.size ?? 0;
    await expect.poll(pinned, { timeout: 5_000 }).toBe(1);
    await stack.settle();
    expect(pinned()).toBe(1);
    expect(stack.slack.calls.filter((c) => c.method === "pins.add" && c.status === 429)).toHaveLength(1);
  });

  it("an archived channel: the IC is told by DM, with a Retry button, and nothing is lost", async () => {
    channel().isArchived = true;
    await stack.client.command({ userId: IC, channelId: channel().id, text: "note Still archived?" });
    await form(IC, "update", "incident_update", { internalText: "Posted into an archived channel" });
    const dm = stack.slack.messages(stack.slack.dmChannelOf(IC)!).at(-1)!;
    expect(text(dm)).toContain("could not");
    expect(JSON.stringify(dm.blocks)).toContain("job_retry");
    expect(await timelineKinds()).toContain("status_update");
    channel().isArchived = false;
  });
});
