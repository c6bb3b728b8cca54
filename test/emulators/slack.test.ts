// Drives the Slack emulator with the real @slack/web-api WebClient and a real Bolt app, so the
// emulator is held to what the client libraries actually send and expect; and checks the
// SlackTestClient (signing, payload shapes) against Bolt's receiver.
import type { AddressInfo } from "node:net";
import { App, LogLevel, type SlashCommand } from "@slack/bolt";
import { SocketModeClient } from "@slack/socket-mode";
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebClient,
  LogLevel as WebLogLevel,
} from "@slack/web-api";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { SlackTestClient, signSlackRequest } from "../helpers/slack-client.js";
import { type SlackEmulator, type SlackEmulatorOptions, startSlackEmulator } from "./slack.js";

// WebClient logs response_metadata "[ERROR] …" messages itself; keep the test output clean.
const silent = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => WebLogLevel.ERROR,
  setName: () => {},
};

const emulators: SlackEmulator[] = [];
const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});

async function start(options?: SlackEmulatorOptions) {
  const emu = await startSlackEmulator(options);
  emulators.push(emu);
  const client = new WebClient(emu.botToken, {
    slackApiUrl: emu.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: silent,
  });
  return { emu, client };
}

/** A clock tests move by hand. */
function clock(start = 1_732_200_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** The Slack error code a WebClient call failed with (and the whole body). */
async function slackError(p: Promise<unknown>): Promise<WebAPIPlatformError["data"] & { errors?: unknown }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof WebAPIPlatformError) return e.data;
    throw e;
  }
  throw new Error("expected the call to fail");
}

const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });
const modal = (extra: Record<string, unknown> = {}) => ({
  type: "modal",
  callback_id: "declare",
  title: { type: "plain_text", text: "Declare an incident" },
  submit: { type: "plain_text", text: "Declare" },
  blocks: [
    {
      type: "input",
      block_id: "title",
      label: { type: "plain_text", text: "Title" },
      element: { type: "plain_text_input", action_id: "value" },
    },
    {
      type: "input",
      block_id: "severity",
      label: { type: "plain_text", text: "Severity" },
      element: {
        type: "static_select",
        action_id: "value",
        options: ["sev1", "sev2"].map((v) => ({ text: { type: "plain_text", text: v.toUpperCase() }, value: v })),
      },
    },
    {
      type: "input",
      block_id: "lead",
      optional: true,
      label: { type: "plain_text", text: "Lead" },
      element: { type: "users_select", action_id: "value" },
    },
  ],
  ...extra,
});

describe("signSlackRequest", () => {
  it("matches Slack's published example", () => {
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    expect(signSlackRequest("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body)).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });
});

describe("Slack emulator with the real WebClient", () => {
  it("authenticates the bot token and nothing else", async () => {
    const { emu, client } = await start();
    const me = await client.auth.test();
    expect(me).toMatchObject({ ok: true, team_id: "T0001", user_id: "UBOT", bot_id: expect.any(String) });
    const stranger = new WebClient("xoxb-wrong", { slackApiUrl: emu.url, retryConfig: { retries: 0 } });
    expect((await slackError(stranger.auth.test())).error).toBe("invalid_auth");
    const anonymous = new WebClient(undefined, { slackApiUrl: emu.url, retryConfig: { retries: 0 } });
    expect((await slackError(anonymous.auth.test())).error).toBe("not_authed");
    expect((await slackError(client.apiCall("nope.nothing"))).error).toBe("unknown_method");
    expect(emu.callsTo("auth.test").map((c) => c.error ?? "ok")).toEqual(["ok", "invalid_auth", "not_authed"]);
  });

  it("accepts JSON bodies with a bearer token", async () => {
    const { emu } = await start();
    const r = await fetch(`${emu.url}chat.postMessage`, {
      method: "POST",
      headers: { authorization: `Bearer ${emu.botToken}`, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ channel: "UALICE", text: "hi", blocks: [section("hi")] }),
    });
    expect(r.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await r.json()).toMatchObject({ ok: true, channel: expect.stringMatching(/^D/) });
    expect(emu.calls.at(-1)?.args.blocks).toEqual([section("hi")]);
  });

  it("enforces channel naming rules", async () => {
    const { emu, client } = await start();
    const create = (name: string) => slackError(client.conversations.create({ name }));
    expect((await create("")).error).toBe("invalid_name_required");
    expect((await create("a".repeat(81))).error).toBe("invalid_name_maxlength");
    expect((await create("Inc-42")).error).toBe("invalid_name_specials");
    expect((await create("inc 42")).error).toBe("invalid_name_specials");
    expect((await create("--_")).error).toBe("invalid_name_punctuation");
    expect((await create("incident-response")).error).toBe("name_taken");
    const ok = await client.conversations.create({ name: "inc-42-db", is_private: true });
    expect(ok.channel).toMatchObject({ name: "inc-42-db", is_private: true, creator: "UBOT", is_member: true });
    expect(ok.channel?.id).toMatch(/^C/);
    emu.channelByName("inc-42-db")!.isArchived = true;
    expect((await create("inc-42-db")).error).toBe("name_taken");
    await expect(client.conversations.create({ name: "a".repeat(80) })).resolves.toMatchObject({ ok: true });
  });

  it("hides private channels the bot is not in and pages the list", async () => {
    const { client } = await start({
      channels: [
        { name: "incident-response" },
        { name: "secret", isPrivate: true, members: ["UALICE"] },
        ...Array.from({ length: 5 }, (_, i) => ({ name: `pub-${i}` })),
      ],
    });
    await client.conversations.create({ name: "mine", is_private: true });
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await client.conversations.list({ types: "public_channel,private_channel", limit: 3, cursor });
      names.push(...(r.channels ?? []).map((c) => c.name!));
      cursor = r.response_metadata?.next_cursor || undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(names).toContain("mine");
    expect(names).toContain("pub-4");
    expect(names).not.toContain("secret");
    const secret = [...(await client.conversations.list({ types: "public_channel" })).channels!];
    expect(secret.every((c) => !c.is_private)).toBe(true);
  });

  it("answers invite partial failures like Slack, still adding the valid users", async () => {
    const { emu, client } = await start();
    const { channel } = await client.conversations.create({ name: "inc-1" });
    const id = channel!.id!;
    const data = await slackError(client.conversations.invite({ channel: id, users: "UALICE,UNOBODY,UBOT,UBOB" }));
    expect(data.error).toBe("user_not_found");
    expect(data.errors).toEqual([
      { user: "UNOBODY", ok: false, error: "user_not_found" },
      { user: "UBOT", ok: false, error: "cant_invite_self" },
    ]);
    expect([...emu.channels.get(id)!.members].sort()).toEqual(["UALICE", "UBOB", "UBOT"]);
    expect((await slackError(client.conversations.invite({ channel: id, users: "UALICE" }))).error).toBe(
      "already_in_channel",
    );
    const many = Array.from({ length: 101 }, (_, i) => `U${i}`).join(",");
    expect((await slackError(client.conversations.invite({ channel: id, users: many }))).error).toBe("too_many_users");
    const ir = emu.channelByName("incident-response")!.id;
    expect((await slackError(client.conversations.invite({ channel: ir, users: "UBOB" }))).error).toBe(
      "not_in_channel",
    );
  });

  it("refuses to post where the bot is not a member, and in archived channels", async () => {
    const { emu, client } = await start();
    const ir = emu.channelByName("incident-response")!;
    expect((await slackError(client.chat.postMessage({ channel: ir.id, text: "hi" }))).error).toBe("not_in_channel");
    expect((await slackError(client.chat.postMessage({ channel: "C0NOPE", text: "hi" }))).error).toBe(
      "channel_not_found",
    );
    await client.conversations.join({ channel: ir.id });
    const posted = await client.chat.postMessage({ channel: ir.id, text: "hi" });
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(emu.messages(ir.id).map((m) => m.text)).toEqual(["hi"]);
    ir.isArchived = true;
    expect((await slackError(client.chat.postMessage({ channel: ir.id, text: "hi" }))).error).toBe("is_archived");
    expect((await slackError(client.conversations.join({ channel: ir.id }))).error).toBe("is_archived");
  });

  it("validates blocks and text", async () => {
    const { emu, client } = await start();
    const { channel } = await client.conversations.create({ name: "inc-2" });
    const id = channel!.id!;
    const long = await slackError(
      client.chat.postMessage({ channel: id, text: "x", blocks: [section("x".repeat(3001))] }),
    );
    expect(long.error).toBe("invalid_blocks");
    expect(long.response_metadata?.messages?.[0]).toContain("[json-pointer:/blocks/0/text/text]");
    const tooMany = Array.from({ length: 51 }, () => ({ type: "divider" }));
    expect((await slackError(client.chat.postMessage({ channel: id, text: "x", blocks: tooMany }))).error).toBe(
      "invalid_blocks",
    );
    const button = {
      type: "actions",
      elements: [{ type: "button", action_id: "ack", text: { type: "plain_text", text: "b".repeat(76) } }],
    };
    expect((await slackError(client.chat.postMessage({ channel: id, text: "x", blocks: [button] }))).error).toBe(
      "invalid_blocks",
    );
    expect((await slackError(client.chat.postMessage({ channel: id, text: "" }))).error).toBe("no_text");
    const big = await client.chat.postMessage({ channel: id, text: "y".repeat(40_001) });
    expect(big.warning).toBe("message_truncated");
    expect(emu.messages(id).at(-1)?.text).toHaveLength(40_000);
    const ok = await client.chat.postMessage({ channel: id, text: "fine", blocks: [section("x".repeat(3000))] });
    expect(ok.message?.blocks?.[0]?.block_id).toEqual(expect.any(String));
  });

  it("limits topics to 250 characters", async () => {
    const { emu, client } = await start();
    const { channel } = await client.conversations.create({ name: "inc-3" });
    const id = channel!.id!;
    expect((await slackError(client.conversations.setTopic({ channel: id, topic: "t".repeat(251) }))).error).toBe(
      "too_long",
    );
    await client.conversations.setTopic({ channel: id, topic: "SEV1 · IC <@UALICE>" });
    await client.conversations.setPurpose({ channel: id, purpose: "Incident 3" });
    const info = await client.conversations.info({ channel: id });
    expect(info.channel).toMatchObject({ topic: { value: "SEV1 · IC <@UALICE>" }, purpose: { value: "Incident 3" } });
    expect(emu.channels.get(id)!.topic).toBe("SEV1 · IC <@UALICE>");
  });

  it("expires and exchanges trigger ids, and validates modals", async () => {
    const c = clock();
    const { emu, client } = await start({ now: c.now });
    const trigger = emu.newTriggerId("UALICE");
    const opened = await client.views.open({ trigger_id: trigger, view: modal() as never });
    expect(opened.view).toMatchObject({
      id: expect.stringMatching(/^V/),
      callback_id: "declare",
      hash: expect.any(String),
    });
    expect(emu.views.get(opened.view!.id!)?.userId).toBe("UALICE");
    expect((await slackError(client.views.open({ trigger_id: trigger, view: modal() as never }))).error).toBe(
      "exchanged_trigger_id",
    );
    const late = emu.newTriggerId("UALICE");
    c.advance(3001);
    expect((await slackError(client.views.open({ trigger_id: late, view: modal() as never }))).error).toBe(
      "expired_trigger_id",
    );
    expect((await slackError(client.views.open({ trigger_id: "1.2.3", view: modal() as never }))).error).toBe(
      "invalid_trigger_id",
    );
    const bad = await slackError(
      client.views.open({
        trigger_id: emu.newTriggerId("UALICE"),
        view: modal({ title: { type: "plain_text", text: "t".repeat(25) }, submit: undefined }) as never,
      }),
    );
    expect(bad.error).toBe("invalid_arguments");
    expect(bad.response_metadata?.messages).toEqual([
      expect.stringContaining("/view/title/text"),
      expect.stringContaining("/view/submit"),
    ]);
  });

  it("takes a datetimepicker's initial value only as whole epoch seconds, and a number input's as a numeric string", async () => {
    const { emu, client } = await start();
    const picker = (initial: unknown) => ({
      type: "input",
      block_id: "detectedAt",
      label: { type: "plain_text", text: "Detected" },
      element: { type: "datetimepicker", action_id: "value", initial_date_time: initial },
    });
    const open = (blocks: unknown[]) =>
      client.views.open({ trigger_id: emu.newTriggerId("UALICE"), view: modal({ blocks }) as never });
    await open([picker(1_732_200_000)]);
    for (const bad of ["1732200000", 1_732_200_000_000, 1_732_200_000.5, -1]) {
      const e = await slackError(open([picker(bad)]));
      expect(e.error).toBe("invalid_arguments");
      expect(e.response_metadata?.messages).toEqual([expect.stringContaining("/initial_date_time")]);
    }
    const number = (element: Record<string, unknown>) => ({
      type: "input",
      block_id: "customersAffected",
      label: { type: "plain_text", text: "Customers affected" },
      element: { type: "number_input", action_id: "value", ...element },
    });
    await open([number({ is_decimal_allowed: false, min_value: "0", initial_value: "12" })]);
    expect((await slackError(open([number({ initial_value: "12" })]))).response_metadata?.messages).toEqual([
      expect.stringContaining("/is_decimal_allowed"),
    ]);
    expect(
      (await slackError(open([number({ is_decimal_allowed: false, initial_value: 12 })]))).response_metadata?.messages,
    ).toEqual([expect.stringContaining("/initial_value")]);
  });

  it("stacks at most three modals and updates by hash", async () => {
    const { emu, client } = await start();
    const first = await client.views.open({ trigger_id: emu.newTriggerId("UBOB"), view: modal() as never });
    await client.views.push({ trigger_id: emu.newTriggerId("UBOB"), view: modal() as never });
    const third = await client.views.push({ trigger_id: emu.newTriggerId("UBOB"), view: modal() as never });
    expect(third.view?.root_view_id).toBe(first.view?.id);
    expect(
      (await slackError(client.views.push({ trigger_id: emu.newTriggerId("UBOB"), view: modal() as never }))).error,
    ).toBe("push_limit_reached");
    const id = first.view!.id!;
    expect((await slackError(client.views.update({ view_id: id, hash: "stale", view: modal() as never }))).error).toBe(
      "hash_conflict",
    );
    const updated = await client.views.update({ view_id: id, hash: first.view!.hash!, view: modal() as never });
    expect(updated.view?.hash).not.toBe(first.view?.hash);
    const home = await client.views.publish({
      user_id: "UBOB",
      view: { type: "home", blocks: [section("hi")] } as never,
    });
    expect(emu.homeViews.get("UBOB")?.id).toBe(home.view?.id);
  });

  it("turns rateLimitNext into a WebAPIRateLimitedError with retryAfter", async () => {
    const { emu, client } = await start();
    emu.faults.rateLimitNext("users.info", 7);
    const e = await client.users.info({ user: "UALICE" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WebAPIRateLimitedError);
    expect((e as WebAPIRateLimitedError).retryAfter).toBe(7);
    expect(emu.callsTo("users.info")[0]).toMatchObject({ status: 429, ok: false, error: "ratelimited" });
    const r = await client.users.info({ user: "UALICE" });
    expect(r.user).toMatchObject({ id: "UALICE", name: "alice", profile: { email: "alice@example.com" } });
  });

  it("exhausts the tier-2 bucket after 20 creates and refills with the clock", async () => {
    const c = clock();
    const { client } = await start({ now: c.now });
    for (let i = 0; i < 20; i++) await client.conversations.create({ name: `inc-${i}` });
    const e = await client.conversations.create({ name: "inc-20" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WebAPIRateLimitedError);
    expect((e as WebAPIRateLimitedError).retryAfter).toBe(3);
    c.advance(3000);
    await expect(client.conversations.create({ name: "inc-20" })).resolves.toMatchObject({ ok: true });
  });

  it("lets chat.postMessage burst 10 per channel, then one a second", async () => {
    const c = clock();
    const { client } = await start({ now: c.now });
    const a = (await client.conversations.create({ name: "a" })).channel!.id!;
    const b = (await client.conversations.create({ name: "b" })).channel!.id!;
    for (let i = 0; i < 10; i++) await client.chat.postMessage({ channel: a, text: `m${i}` });
    await expect(client.chat.postMessage({ channel: a, text: "m10" })).rejects.toBeInstanceOf(WebAPIRateLimitedError);
    await expect(client.chat.postMessage({ channel: b, text: "other" })).resolves.toMatchObject({ ok: true });
    c.advance(1000);
    await expect(client.chat.postMessage({ channel: a, text: "m10" })).resolves.toMatchObject({ ok: true });
  });

  it("answers 503 when down, changing nothing, and fails calls on demand", async () => {
    const { emu, client } = await start();
    emu.faults.down = true;
    const e = await client.conversations.create({ name: "inc-9" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WebAPIHTTPError);
    expect((e as WebAPIHTTPError).statusCode).toBe(503);
    expect(emu.channelByName("inc-9")).toBeUndefined();
    emu.faults.reset();
    emu.faults.failNext("conversations.create", "restricted_action");
    expect((await slackError(client.conversations.create({ name: "inc-9" }))).error).toBe("restricted_action");
    expect(emu.channelByName("inc-9")).toBeUndefined();
    await client.conversations.create({ name: "inc-9" });
    expect(emu.channelByName("inc-9")).toBeDefined();
  });

  it("waits per-method latency while answering other calls", async () => {
    const { emu, client } = await start();
    emu.faults.methodLatencyMs["users.info"] = 300;
    const started = Date.now();
    const slow = client.users.info({ user: "UALICE" }).then(() => Date.now() - started);
    const fast = client.auth.test().then(() => Date.now() - started);
    const [s, f] = await Promise.all([slow, fast]);
    expect(s).toBeGreaterThanOrEqual(290);
    expect(f).toBeLessThan(250);
  });

  it("returns history newest first, metadata only on request, and threads", async () => {
    const { emu, client } = await start();
    const id = (await client.conversations.create({ name: "inc-4" })).channel!.id!;
    const metadata = { event_type: "muster_post", event_payload: { incident_id: "i1", ref: "summary" } };
    const parent = await client.chat.postMessage({ channel: id, text: "summary", metadata });
    await client.chat.postMessage({ channel: id, text: "reply", thread_ts: parent.ts! });
    await client.chat.postMessage({ channel: id, text: "later" });
    const plain = await client.conversations.history({ channel: id });
    expect(plain.messages?.map((m) => m.text)).toEqual(["later", "summary"]);
    expect(plain.messages?.[1]?.metadata).toBeUndefined();
    expect(plain.messages?.[1]).toMatchObject({ reply_count: 1, thread_ts: parent.ts });
    const meta = await client.conversations.history({ channel: id, include_all_metadata: true });
    expect(meta.messages?.[1]?.metadata).toEqual(metadata);
    const thread = await client.conversations.replies({ channel: id, ts: parent.ts! });
    expect(thread.messages?.map((m) => m.text)).toEqual(["summary", "reply"]);
    expect(emu.messages(id).length).toBe(2);
    expect(emu.messages(id, { threads: true }).length).toBe(3);
    await client.pins.add({ channel: id, timestamp: parent.ts! });
    expect((await slackError(client.pins.add({ channel: id, timestamp: parent.ts! }))).error).toBe("already_pinned");
    expect((await slackError(client.pins.add({ channel: id, timestamp: "1.000001" }))).error).toBe("message_not_found");
    const link = await client.chat.getPermalink({ channel: id, message_ts: parent.ts! });
    expect(link.permalink).toBe(`https://example.slack.com/archives/${id}/p${parent.ts!.replace(".", "")}`);
    await client.chat.update({ channel: id, ts: parent.ts!, text: "summary v2" });
    expect(emu.messages(id)[0]).toMatchObject({ text: "summary v2", edited: { ts: expect.any(String) } });
    expect((await slackError(client.chat.update({ channel: id, ts: "1.000001", text: "x" }))).error).toBe(
      "message_not_found",
    );
  });

  it("opens DMs and posts to a user id as their DM", async () => {
    const { emu, client } = await start();
    const opened = await client.conversations.open({ users: "UCAROL" });
    const dm = opened.channel!.id!;
    expect(dm).toMatch(/^D/);
    expect((await client.conversations.open({ users: "UCAROL" })).channel?.id).toBe(dm);
    const posted = await client.chat.postMessage({ channel: "UCAROL", text: "you are IC" });
    expect(posted.channel).toBe(dm);
    expect(emu.dmChannelOf("UCAROL")).toBe(dm);
    expect(emu.messages(dm).map((m) => m.text)).toEqual(["you are IC"]);
    expect((await slackError(client.conversations.open({ users: "UBOT" }))).error).toBe("cannot_dm_bot");
  });

  it("adds bookmarks, ephemerals and answers user and group lookups", async () => {
    const { emu, client } = await start();
    const id = (await client.conversations.create({ name: "inc-5" })).channel!.id!;
    const add = (title: string, link: string) =>
      client.bookmarks.add({ channel_id: id, title, type: "link", link }).then(
        () => "ok",
        (e: WebAPIPlatformError) => e.data.error,
      );
    expect(await add("Doc", "ftp://x")).toBe("invalid_link");
    expect(await add("t".repeat(257), "https://example.com")).toBe("invalid_title");
    expect(await add("Doc", "https://docs.example.com/d/1")).toBe("ok");
    expect((await client.bookmarks.list({ channel_id: id })).bookmarks?.map((b) => b.title)).toEqual(["Doc"]);
    expect((await slackError(client.chat.postEphemeral({ channel: id, user: "UALICE", text: "x" }))).error).toBe(
      "user_not_in_channel",
    );
    await client.conversations.invite({ channel: id, users: "UALICE" });
    await client.chat.postEphemeral({ channel: id, user: "UALICE", text: "only you" });
    expect(emu.ephemeralsFor("UALICE").map((m) => m.text)).toEqual(["only you"]);
    expect((await client.users.lookupByEmail({ email: "Bob@Example.com" })).user?.id).toBe("UBOB");
    expect((await slackError(client.users.lookupByEmail({ email: "x@example.com" }))).error).toBe("users_not_found");
    expect((await client.usergroups.users.list({ usergroup: "SLEADERS" })).users).toEqual(["ULEAD1", "ULEAD2"]);
    expect((await slackError(client.usergroups.users.list({ usergroup: "SNOPE" }))).error).toBe("no_such_subteam");
    expect((await client.conversations.members({ channel: id })).members).toEqual(["UBOT", "UALICE"]);
  });

  it("serves response_urls for five posts", async () => {
    const { emu } = await start();
    const url = emu.newResponseUrl("UALICE", emu.channelByName("incident-response")!.id);
    const post = (body: unknown) =>
      fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    for (let i = 0; i < 5; i++) expect((await post({ text: `n${i}` })).status).toBe(200);
    const sixth = await post({ text: "n5" });
    expect(sixth.status).toBe(404);
    expect(await sixth.text()).toBe("used_url");
    expect(emu.responseUrlPosts).toHaveLength(5);
    expect(emu.ephemeralsFor("UALICE").map((m) => m.text)).toEqual(["n0", "n1", "n2", "n3", "n4"]);
  });
});

describe("SlackTestClient against a real Bolt app", () => {
  const secret = "test-signing-secret";

  async function boltApp() {
    const { emu } = await start();
    const app = new App({
      token: emu.botToken,
      signingSecret: secret,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: emu.url, retryConfig: { retries: 0 } },
    });
    const seen = {
      commands: [] as SlashCommand[],
      actions: [] as unknown[],
      submissions: [] as unknown[],
      shortcuts: [] as unknown[],
      events: [] as unknown[],
    };
    app.command("/incident", async ({ command, ack, respond, client }) => {
      seen.commands.push(command);
      await ack();
      if (command.text === "declare") {
        await client.views.open({ trigger_id: command.trigger_id, view: modal() as never });
        return;
      }
      await respond({
        text: `got ${command.text}`,
        blocks: [
          section(`got ${command.text}`),
          {
            type: "actions",
            elements: [{ type: "button", action_id: "ack", value: "inc-1", text: { type: "plain_text", text: "Ack" } }],
          },
        ],
      });
    });
    app.action("ack", async ({ ack, body }) => {
      await ack();
      seen.actions.push(body);
    });
    app.view("declare", async ({ ack, view, body }) => {
      seen.submissions.push({ values: view.state.values, user: body.user.id });
      await ack();
    });
    app.shortcut(/.*/, async ({ ack, shortcut }) => {
      await ack();
      seen.shortcuts.push(shortcut);
    });
    app.event("app_home_opened", async ({ event, context }) => {
      seen.events.push({ user: event.user, retryNum: context.retryNum, retryReason: context.retryReason });
    });
    apps.push(app);
    const server = await app.start(0);
    const port = (server.address() as AddressInfo).port;
    const slack = new SlackTestClient({
      url: `http://127.0.0.1:${port}/slack/events`,
      signingSecret: secret,
      emulator: emu,
    });
    return { emu, slack, seen };
  }

  /** Waits for something a listener does after acking. */
  async function eventually(check: () => boolean) {
    for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(check()).toBe(true);
  }

  it("delivers a signed command; respond() lands on the emulator; a button in it reaches the app", async () => {
    const { emu, slack, seen } = await boltApp();
    const ir = emu.channelByName("incident-response")!.id;
    const r = await slack.command({ userId: "UALICE", channelId: ir, text: "status" });
    expect(r.status).toBe(200);
    expect(seen.commands[0]).toMatchObject({
      command: "/incident",
      text: "status",
      user_id: "UALICE",
      user_name: "alice",
      channel_id: ir,
      channel_name: "incident-response",
      team_id: "T0001",
      trigger_id: r.triggerId,
      response_url: r.responseUrl,
    });
    await eventually(() => emu.responseUrlPosts.length === 1);
    expect(emu.responseUrlPosts[0]?.body).toMatchObject({ text: "got status" });
    expect(emu.ephemeralsFor("UALICE").map((m) => m.text)).toEqual(["got status"]);

    const click = await slack.blockAction({ userId: "UALICE", channelId: ir, actionId: "ack", value: "inc-1" });
    expect(click.status).toBe(200);
    expect(seen.actions[0]).toMatchObject({
      type: "block_actions",
      user: { id: "UALICE" },
      container: { type: "message", channel_id: ir, is_ephemeral: true },
      actions: [{ action_id: "ack", value: "inc-1", type: "button" }],
    });
    await expect(
      slack.blockAction({ userId: "UALICE", channelId: ir, actionId: "ack", value: "inc-2" }),
    ).rejects.toThrow(/no value inc-2/);
  });

  it("rejects bad signatures and stale timestamps with 401", async () => {
    const { emu, slack, seen } = await boltApp();
    const ir = emu.channelByName("incident-response")!.id;
    expect((await slack.command({ userId: "UALICE", channelId: ir, text: "x" }, { secret: "wrong" })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await slack.command({ userId: "UALICE", channelId: ir, text: "x" }, { timestamp: stale })).status).toBe(
      401,
    );
    expect((await slack.raw("payload=%7B%7D", { "Content-Type": "application/x-www-form-urlencoded" })).status).toBe(
      401,
    );
    expect(seen.commands).toHaveLength(0);
  });

  it("opens a modal from a command and submits it", async () => {
    const { emu, slack, seen } = await boltApp();
    const ir = emu.channelByName("incident-response")!.id;
    await slack.command({ userId: "UBOB", channelId: ir, text: "declare" });
    await eventually(() => emu.callsTo("views.open").length === 1);
    expect(emu.callsTo("views.open")[0]?.ok).toBe(true);
    const sent = await slack.submitView({
      userId: "UBOB",
      callbackId: "declare",
      values: { title: "DB down", severity: { option: "sev1" } },
    });
    expect(sent.status).toBe(200);
    expect(seen.submissions[0]).toEqual({
      user: "UBOB",
      values: {
        title: { value: { type: "plain_text_input", value: "DB down" } },
        severity: {
          value: {
            type: "static_select",
            selected_option: { text: { type: "plain_text", text: "SEV1" }, value: "sev1" },
          },
        },
        lead: { value: { type: "users_select", selected_user: null } },
      },
    });
    // The plain ack closed the modal, as Slack would.
    await expect(slack.submitView({ userId: "UBOB", callbackId: "declare", values: {} })).rejects.toThrow(
      /no open modal/,
    );
  });

  it("delivers shortcuts, events with retry headers, and clicks on channel messages", async () => {
    const { emu, slack, seen } = await boltApp();
    const ir = emu.channelByName("incident-response")!.id;
    const g = await slack.globalShortcut({ userId: "UCAROL", callbackId: "declare_incident" });
    expect(g.status).toBe(200);
    const m = await slack.messageShortcut({
      userId: "UCAROL",
      callbackId: "add_to_timeline",
      channelId: ir,
      message: { ts: "1732200000.000100", text: "db is down", user: "UALICE" },
    });
    expect(m.status).toBe(200);
    expect(seen.shortcuts).toMatchObject([
      { type: "shortcut", callback_id: "declare_incident", trigger_id: g.triggerId, user: { id: "UCAROL" } },
      {
        type: "message_action",
        callback_id: "add_to_timeline",
        channel: { id: ir, name: "incident-response" },
        message: { ts: "1732200000.000100", text: "db is down" },
        response_url: m.responseUrl,
      },
    ]);

    const e = await slack.event(
      { type: "app_home_opened", user: "UDAVE", tab: "home" },
      { retryNum: 1, retryReason: "http_timeout" },
    );
    expect(e.status).toBe(200);
    await eventually(() => seen.events.length === 1);
    expect(seen.events[0]).toEqual({ user: "UDAVE", retryNum: 1, retryReason: "http_timeout" });

    const client = new WebClient(emu.botToken, { slackApiUrl: emu.url, retryConfig: { retries: 0 }, logger: silent });
    await client.conversations.join({ channel: ir });
    const button = { type: "button", action_id: "ack", value: "inc-7", text: { type: "plain_text", text: "Ack" } };
    const posted = await client.chat.postMessage({
      channel: ir,
      text: "Incident 7",
      blocks: [section("Incident 7"), { type: "actions", elements: [button] }] as never,
    });
    await slack.blockAction({ userId: "UERIN", channelId: ir, actionId: "ack", value: "inc-7" });
    expect(seen.actions[0]).toMatchObject({
      container: { type: "message", message_ts: posted.ts, channel_id: ir, is_ephemeral: false },
      channel: { id: ir, name: "incident-response" },
      message: { ts: posted.ts, text: "Incident 7", bot_id: expect.any(String) },
      response_url: expect.stringContaining("/response/"),
      actions: [{ type: "button", action_id: "ack", value: "inc-7", block_id: expect.any(String) }],
    });
  });
});

describe("Socket Mode", () => {
  it("lets the real SocketModeClient connect with the app token, delivers envelopes and takes their acks", async () => {
    const emu = await startSlackEmulator();
    emulators.push(emu);
    const client = new SocketModeClient({
      appToken: emu.socketMode.appToken,
      clientOptions: { slackApiUrl: emu.url },
      logger: silent as never,
    });
    client.on("slash_commands", async ({ ack, body }) => {
      await ack({ text: `got ${String(body.text)}` });
    });
    await client.start();
    try {
      expect(emu.socketMode.connections()).toBe(1);
      const ack = await emu.socketMode.deliver("slash_commands", { command: "/incident", text: "help" });
      expect(ack.payload).toEqual({ text: "got help" });
    } finally {
      await client.disconnect();
    }
  });

  it("refuses a bot token for apps.connections.open, and a connection without a ticket", async () => {
    const emu = await startSlackEmulator();
    emulators.push(emu);
    const web = new WebClient(emu.botToken, { slackApiUrl: emu.url, logger: silent, retryConfig: { retries: 0 } });
    await expect(web.apps.connections.open()).rejects.toMatchObject({ data: { error: "not_allowed_token_type" } });
    // A URL apps.connections.open did not hand out is refused.
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${emu.url.replace(/^http/, "ws").replace(/api\/$/, "link/")}?ticket=forged`);
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("open", () => resolve(101));
      ws.on("error", () => undefined);
    });
    expect(status).toBe(401);
    await expect(emu.socketMode.deliver("events_api", {})).rejects.toThrow(/no app is connected/);
  });
});

describe("channels archived or deleted by people", () => {
  it("an archived channel refuses posts until unarchived; its name stays taken", async () => {
    const { emu, client } = await start();
    const id = (await client.conversations.create({ name: "inc-9" })).channel!.id!;
    emu.archiveChannel(id);
    expect((await slackError(client.chat.postMessage({ channel: id, text: "hi" }))).error).toBe("is_archived");
    expect((await slackError(client.conversations.create({ name: "inc-9" }))).error).toBe("name_taken");
    expect((await client.conversations.info({ channel: id })).channel?.is_archived).toBe(true);
    await client.conversations.unarchive({ channel: id });
    expect((await slackError(client.conversations.unarchive({ channel: id }))).error).toBe("not_archived");
    expect((await client.chat.postMessage({ channel: id, text: "hi" })).ok).toBe(true);
  });

  it("a deleted channel is not found, and its name is free again", async () => {
    const { emu, client } = await start();
    const id = (await client.conversations.create({ name: "inc-10" })).channel!.id!;
    emu.deleteChannel(id);
    expect((await slackError(client.conversations.info({ channel: id }))).error).toBe("channel_not_found");
    expect((await slackError(client.chat.postMessage({ channel: id, text: "hi" }))).error).toBe("channel_not_found");
    expect((await client.conversations.create({ name: "inc-10" })).channel?.id).not.toBe(id);
  });

  it("edits a bookmark's link", async () => {
    const { emu, client } = await start();
    const id = (await client.conversations.create({ name: "inc-11" })).channel!.id!;
    const b = await client.bookmarks.add({ channel_id: id, title: "Doc", type: "link", link: "https://a.example/1" });
    await client.bookmarks.edit({ channel_id: id, bookmark_id: b.bookmark!.id!, link: "https://a.example/2" });
    expect(emu.channels.get(id)!.bookmarks.map((x) => x.link)).toEqual(["https://a.example/2"]);
    expect(
      (await slackError(client.bookmarks.edit({ channel_id: id, bookmark_id: "Bk0", link: "https://a.example/3" })))
        .error,
    ).toBe("not_found");
  });
});
