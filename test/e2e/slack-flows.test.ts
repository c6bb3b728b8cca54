// The Slack surface end to end: signed HTTP requests into the real Bolt app,
// Web API calls into the Slack emulator, the outbox run to completion.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUBCOMMANDS } from "../../src/slack/subcommands.js";
import { type Stack, startStack } from "../helpers/stack.js";

const IC = "UALICE";
const BOB = "UBOB";
const CAROL = "UCAROL";
const ANNOUNCE = "incident-response";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

const announcementChannel = () => stack.slack.channelByName(ANNOUNCE)!;

async function declare(o: { title: string; by?: string; values?: Record<string, unknown>; retries?: number }) {
  const by = o.by ?? IC;
  await stack.client.command({ userId: by, channelId: announcementChannel().id, text: `declare ${o.title}` });
  const values = {
    title: o.title,
    summary: "Checkout fails for some customers",
    commanderId: { user: by },
    impacts: { options: ["outage"] },
    ...(o.values ?? {}),
  } as never;
  const viewId = [...stack.slack.views.values()]
    .filter((v) => v.userId === by && v.view.callback_id === "incident_declare")
    .at(-1)!.id;
  // Slack re-sends the very same submission (same view id) when it did not see our answer in time:
  // here the retries arrive while the first is still being handled.
  const [r] = await Promise.all([
    stack.client.submitView({ userId: by, callbackId: "incident_declare", values, viewId }),
    ...Array.from({ length: o.retries ?? 0 }, (_, n) =>
      stack.client.submitView(
        { userId: by, callbackId: "incident_declare", values, viewId },
        { retryNum: n + 1, retryReason: "http_timeout" },
      ),
    ),
  ]);
  await stack.settle();
  return r;
}

const channelFor = (n: number) =>
  [...stack.slack.channels.values()].find((c) => c.name === `inc-${n}` || c.name.startsWith(`inc-${n}-`));
const text = (m: { text: string; blocks: unknown[] }) => `${m.text} ${JSON.stringify(m.blocks)}`;

describe("declaring over HTTP", () => {
  it("opens the declare modal, then creates channel, announcement, issue, doc and bookmarks", async () => {
    const r = await declare({ title: "Payments API 500s" });
    expect(r.status).toBe(200);
    const opened = stack.slack.callsTo("views.open").at(-1)!;
    expect(JSON.stringify(opened.args)).toContain("Declare an incident");

    const channel = channelFor(1)!;
    expect(channel.name).toBe("inc-1-payments-api-500s");
    expect(channel.isPrivate).toBe(false);
    expect(channel.members.has(IC)).toBe(true);
    expect(channel.topic).toMatch(/Unclassified · Investigating · IC <@UALICE>/);
    expect(channel.pins.size).toBe(1);
    const control = stack.slack.messages(channel.id)[0]!;
    expect(text(control)).toContain("Hand off IC");
    expect(channel.bookmarks.map((b) => b.title).sort()).toEqual(["GitHub issue", "Incident doc"]);

    const announcement = stack.slack.messages(announcementChannel().id).find((m) => text(m).includes("INC-1"))!;
    expect(text(announcement)).toContain("Payments API 500s");
    expect(text(announcement)).toContain("<@UALICE>");

    const issues = stack.github.issues("tailscale/corp");
    expect(issues).toHaveLength(1);
    expect(issues[0]!.title).toBe("[INC-1] Payments API 500s");
    expect(issues[0]!.labels).toEqual(
      expect.arrayContaining(["incident", "severity: unclassified", "status: investigating"]),
    );
    expect(issues[0]!.body).toContain(`https://slack.com/app_redirect?channel=${channel.id}`);

    const docs = stack.google.files().filter((f) => f.appProperties.musterIncident);
    expect(docs).toHaveLength(1);
    expect(
      docs[0]!.permissions.some((p) => p.emailAddress === stack.slack.users.get(IC)!.email && p.role === "writer"),
    ).toBe(true);
    expect(docs[0]!.permissions.some((p) => p.type === "anyone")).toBe(false);
    expect(stack.google.documentHeadings(docs[0]!.id).map((h) => h.text)).toContain("Summary");
    expect(issues[0]!.body).toContain(docs[0]!.webViewLink);
  });

  it("Slack retrying the same submission three times yields one incident, one channel, one announcement", async () => {
    const before = stack.slack.callsTo("conversations.create").length;
    await declare({ title: "Retried declare", retries: 3 });
    expect(stack.slack.callsTo("conversations.create").length - before).toBe(1);
    expect([...stack.slack.channels.values()].filter((c) => c.name.startsWith("inc-2"))).toHaveLength(1);
    expect(stack.slack.messages(announcementChannel().id).filter((m) => text(m).includes("INC-2"))).toHaveLength(1);
    expect(stack.github.issues("tailscale/corp").filter((i) => i.title.startsWith("[INC-2]"))).toHaveLength(1);
  });

  it("keeps a private incident out of every public channel", async () => {
    await declare({ title: "Leaked credentials in build logs", values: { impacts: { options: ["security_breach"] } } });
    const channel = channelFor(3)!;
    expect(channel.isPrivate).toBe(true);
    for (const c of stack.slack.channels.values()) {
      if (c.isPrivate || c.isIm) continue;
      for (const m of stack.slack.messages(c.id, { threads: true }))
        expect(text(m)).not.toContain("Leaked credentials");
    }
    const announcement = stack.slack.messages(announcementChannel().id).find((m) => text(m).includes("INC-3"))!;
    expect(text(announcement)).toContain("private incident");
  });

  it("names channels validly for any title, and refuses a title that would ping", async () => {
    await declare({ title: "日本語 🔥🔥" });
    expect(channelFor(4)!.name).toBe("inc-4");
    await stack.client.command({ userId: IC, channelId: announcementChannel().id, text: "declare" });
    const r = await stack.client.submitView({
      userId: IC,
      callbackId: "incident_declare",
      values: { title: "<!channel> help", commanderId: { user: IC } } as never,
    });
    const body = r.json as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe("errors");
    expect(body.errors.title).toMatch(/can't contain Slack mentions/);
  });
});

describe("working an incident from its channel", () => {
  it("refuses people who are not the IC: resolve, severity, hand-off", async () => {
    const channel = channelFor(1)!;
    const opened = stack.slack.callsTo("views.open").length;
    const mitigate = await stack.client.command({ userId: BOB, channelId: channel.id, text: "mitigate" });
    expect(mitigate.status).toBe(200);
    // IC-only forms are refused when opened, before anyone writes in them.
    await stack.client.command({ userId: BOB, channelId: channel.id, text: "resolve" });
    await stack.client.command({ userId: BOB, channelId: channel.id, text: "severity" });
    const handoff = await stack.client.blockAction({
      userId: BOB,
      channelId: channel.id,
      actionId: "open_handoff",
      value: "INC-1",
    });
    expect(handoff.status).toBe(200);
    await stack.settle();
    const told = JSON.stringify(stack.slack.responseUrlPosts.slice(-4));
    expect(told).toMatch(/Only the Incident Commander or an admin can mark it mitigated/);
    expect(told).toMatch(/Only the Incident Commander or an admin can resolve it/);
    expect(told).toMatch(/Only the Incident Commander or an admin can change the severity/);
    expect(told).toMatch(/Only the Incident Commander or an admin can hand off/);
    expect(stack.slack.callsTo("views.open").length).toBe(opened);
    // Opened outside the channel (the form asks which incident), the submission itself is refused.
    await stack.client.command({ userId: BOB, channelId: announcementChannel().id, text: "resolve" });
    const resolve = await stack.client.submitView({
      userId: BOB,
      callbackId: "incident_resolve",
      values: { key: { option: "INC-1" }, summary: "fixed", partiesInformed: "support" },
    });
    expect(JSON.stringify(resolve.json)).toMatch(/Only the Incident Commander or an admin can resolve it/);
    // Nothing changed: still unclassified, investigating, Alice's.
    expect(channel.topic).toMatch(/^Unclassified · Investigating · IC <@UALICE>/);
  });

  it("classifies severity: topic, control message, announcement, GitHub labels and comment follow", async () => {
    const channel = channelFor(1)!;
    await stack.client.blockAction({ userId: IC, channelId: channel.id, actionId: "open_severity", value: "INC-1" });
    const opened = stack.slack.callsTo("views.open").at(-1)!;
    expect(JSON.stringify(opened.args)).toContain("Critical");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_severity",
      values: { severity: { option: "high" }, reason: "EU customers cannot pay", components: "payments, checkout" },
    });
    await stack.settle();
    expect(channel.topic).toMatch(/^High · Investigating/);
    const announcement = stack.slack.messages(announcementChannel().id).find((m) => text(m).includes("INC-1"))!;
    expect(text(announcement)).toContain("High");
    const issue = stack.github.issues("tailscale/corp")[0]!;
    expect(issue.labels).toContain("severity: high");
    expect(issue.comments.at(-1)!.body).toContain("EU customers cannot pay");
  });

  it("assigns the communications lead, who gets a DM saying what the role does", async () => {
    const channel = channelFor(1)!;
    await stack.client.command({ userId: IC, channelId: channel.id, text: "role" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_role",
      values: { role: { option: "communications" }, userId: { user: CAROL } },
    });
    await stack.settle();
    const dm = stack.slack.messages(stack.slack.dmChannelOf(CAROL)!);
    expect(text(dm.at(-1)!)).toContain("Communications lead");
    expect(channel.members.has(CAROL)).toBe(true);
  });

  it("posts a status update in the channel and a summary in the announcement thread", async () => {
    const channel = channelFor(1)!;
    await stack.client.command({ userId: IC, channelId: channel.id, text: "update" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_update",
      values: { internalText: "Rolled back payments to v41; error rate falling", publicText: "We are recovering." },
    });
    await stack.settle();
    expect(stack.slack.messages(channel.id).some((m) => text(m).includes("Rolled back payments"))).toBe(true);
    const thread = stack.slack.messages(announcementChannel().id, { threads: true }).filter((m) => m.threadTs);
    expect(thread.some((m) => text(m).includes("Rolled back payments"))).toBe(true);
  });

  it("hands off IC: only the named successor can accept; accepting moves the role everywhere", async () => {
    const channel = channelFor(1)!;
    await stack.client.blockAction({ userId: IC, channelId: channel.id, actionId: "open_handoff", value: "INC-1" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_handoff",
      values: { toUserId: { user: BOB }, note: "Rollback done; watching error rate; next checkpoint 18:00" },
    });
    await stack.settle();
    const request = stack.slack.messages(stack.slack.dmChannelOf(BOB)!).at(-1)!;
    expect(text(request)).toContain("Rollback done");
    const accept = (request.blocks as { elements?: { action_id: string; value: string }[] }[])
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === "handoff_accept")!;
    await stack.client.blockAction({ userId: CAROL, actionId: "handoff_accept", value: accept.value });
    expect(JSON.stringify(stack.slack.responseUrlPosts.at(-1))).toMatch(/Only the person the hand-off was offered to/);
    await stack.client.blockAction({ userId: BOB, actionId: "handoff_accept", value: accept.value });
    await stack.settle();
    expect(channel.topic).toContain("IC <@UBOB>");
    const announcement = stack.slack.messages(announcementChannel().id).find((m) => text(m).includes("INC-1"))!;
    expect(text(announcement)).toContain("<@UBOB>");
    expect(stack.github.issues("tailscale/corp")[0]!.comments.some((c) => c.body.includes("UBOB"))).toBe(true);
  });

  it("escalates to leadership by DM, copies a message into the timeline, and shows App Home", async () => {
    const channel = channelFor(1)!;
    await stack.client.command({ userId: CAROL, channelId: channel.id, text: "escalate" });
    await stack.client.submitView({
      userId: CAROL,
      callbackId: "incident_escalate",
      values: { reason: "Need a decision on refunds" },
    });
    await stack.client.messageShortcut({
      userId: CAROL,
      callbackId: "add_to_timeline",
      channelId: channel.id,
      message: { ts: "1732200000.000100", text: "p99 back under 300ms", user: BOB },
    });
    await stack.client.event({ type: "app_home_opened", user: BOB, tab: "home", channel: "D0BOB" });
    await stack.settle();
    for (const lead of ["ULEAD1", "ULEAD2"]) {
      expect(text(stack.slack.messages(stack.slack.dmChannelOf(lead)!).at(-1)!)).toContain(
        "Need a decision on refunds",
      );
    }
    expect(JSON.stringify(stack.slack.homeViews.get(BOB))).toContain("Incident Commander");
    const show = await stack.client.command({ userId: BOB, channelId: channel.id, text: "status" });
    expect(show.status).toBe(200);
  });

  it("mitigates, resolves with who was told, and refuses to close without the required post-mortem", async () => {
    const channel = channelFor(1)!;
    await stack.client.blockAction({ userId: BOB, channelId: channel.id, actionId: "mitigate", value: "INC-1" });
    await stack.client.command({ userId: BOB, channelId: channel.id, text: "resolve" });
    await stack.client.submitView({
      userId: BOB,
      callbackId: "incident_resolve",
      values: { summary: "Bad deploy rolled back", partiesInformed: "support, Acme Corp" },
    });
    await stack.client.command({ userId: BOB, channelId: channel.id, text: "close" });
    await stack.settle();
    expect(JSON.stringify(stack.slack.responseUrlPosts.at(-1))).toMatch(/post-mortem/i);
    expect(channel.topic).toMatch(/Resolved/);
    const postmortem = stack.google.files().find((f) => f.appProperties.musterKind === "google_postmortem_doc");
    expect(postmortem).toBeTruthy();
    const table = stack.google.documentTables(postmortem!.id)[0]!;
    expect(table[0]).toEqual(["Time (UTC)", "What", "Details"]);
    expect(table.some((row) => row[1] === "Status changed")).toBe(true);
  });
});

describe("requests that are not from Slack", () => {
  it("rejects a bad or stale signature and changes nothing", async () => {
    const before = stack.slack.calls.length;
    const channel = announcementChannel().id;
    const bad = await stack.client.command(
      { userId: IC, channelId: channel, text: "list" },
      { secret: "not-the-secret" },
    );
    expect(bad.status).toBe(401);
    const stale = await stack.client.command(
      { userId: IC, channelId: channel, text: "list" },
      { timestamp: Math.floor(Date.now() / 1000) - 600 },
    );
    expect(stale.status).toBe(401);
    expect(stack.slack.calls.length).toBe(before);
  });

  it("answers help for an empty or unknown subcommand, and usage mistakes, in the acknowledgement", async () => {
    const calls = stack.slack.calls.length;
    const posts = stack.slack.responseUrlPosts.length;
    for (const text of ["frobnicate", "", "note"]) {
      const sent = await stack.client.command({ userId: IC, channelId: announcementChannel().id, text });
      expect(sent.status).toBe(200);
    }
    const seen = stack.slack.ephemeralsFor(IC).slice(-3);
    expect(seen[0]!.text).toContain("How to use /incident");
    expect(JSON.stringify(seen[0]!.blocks)).toContain("I don't know `frobnicate`");
    expect(JSON.stringify(seen[1]!.blocks)).toContain("/incident declare");
    expect(seen[2]!.text).toContain("Write the note after the command");
    // Nothing else was needed: no Web API call, no response_url post.
    expect(stack.slack.calls.length).toBe(calls);
    expect(stack.slack.responseUrlPosts.length).toBe(posts);
  });

  it("keeps a number at the start of a declared title (it is not an incident key there)", async () => {
    await stack.client.command({ userId: IC, channelId: announcementChannel().id, text: "declare 42 servers down" });
    const opened = stack.slack.callsTo("views.open").at(-1)!;
    expect(JSON.stringify(opened.args)).toContain('"initial_value":"42 servers down"');
  });

  it("help lists every subcommand of the table, with its aliases, and each alias works", async () => {
    await stack.client.command({ userId: IC, channelId: announcementChannel().id, text: "help" });
    const help = JSON.stringify(stack.slack.ephemeralsFor(IC).at(-1)!.blocks);
    for (const sub of SUBCOMMANDS) {
      expect(help).toContain(`/incident ${sub.usage ?? sub.name}`);
      for (const alias of sub.aliases ?? []) expect(help).toContain(alias);
    }
    const list = await stack.client.command({ userId: IC, channelId: announcementChannel().id, text: "ls" });
    expect(list.status).toBe(200);
    await stack.settle();
    expect(JSON.stringify(stack.slack.responseUrlPosts.at(-1))).toContain("Open incidents");
  });
});
