// Plays Slack's side of muster's HTTP endpoint in tests: builds the payloads Slack sends for slash
// commands, button clicks, modal submissions, shortcuts and events, signs them as Slack does and
// POSTs them. Trigger ids and response_urls come from the Slack emulator, so whatever muster does
// with them (views.open, respond()) lands there and is checked against Slack's rules.
//
// Payload shapes follow what Slack sends and what @slack/bolt 5's types describe
// (SlashCommand, BlockAction, ViewSubmitAction, GlobalShortcut, MessageShortcut, EnvelopedEvent).
// What Slack's own client does around a request is reproduced too: a slash command's ack body is
// shown to the user (recorded as an ephemeral), a view_submission ack closes / updates / pushes /
// keeps the modal, and a user can only click buttons and submit modals that exist.
import { createHmac, randomBytes } from "node:crypto";
import { request } from "node:http";
import { request as httpsRequest } from "node:https";
import { performance } from "node:perf_hooks";
import {
  type SlackChannel,
  type SlackEmulator,
  type SlackMessage,
  type SlackUser,
  slackEmulatorHooks,
} from "../emulators/slack.js";

/** Slack's request signature: "v0=" + hex HMAC-SHA256 of "v0:<timestamp>:<body>". */
export function signSlackRequest(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/** Which interactive element a person uses, and where to look for it. */
interface ActionTarget {
  userId: string;
  channelId?: string;
  actionId: string;
  value: string;
  blockId?: string;
  messageTs?: string;
  viewId?: string;
}

export interface SlackClientOptions {
  /** muster's endpoint, e.g. http://127.0.0.1:3000/slack/events */
  url: string;
  signingSecret: string;
  emulator: SlackEmulator;
  teamId?: string;
  /**
   * "socket": deliver over the emulator's Socket Mode connection instead of
   * signed HTTP (the same payloads, in envelopes), as Slack does for an app
   * with an app-level token.
   */
  transport?: "http" | "socket";
}
export interface SentRequest {
  status: number;
  body: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
  ms: number;
}
export interface SendOptions {
  retryNum?: number;
  retryReason?: string;
  /** Seconds; default now. */
  timestamp?: number;
  /** Sent instead of the computed signature. */
  signature?: string;
  /** Sign with another secret. */
  secret?: string;
}

type StateValue = Record<string, unknown>;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Sources a block action can come from. */
type Source =
  | { kind: "message"; message: SlackMessage; ephemeral: boolean }
  | { kind: "view"; viewId: string; view: Obj; userId: string };

export class SlackTestClient {
  private readonly url: string;
  private readonly secret: string;
  private readonly emu: SlackEmulator;
  private readonly teamId: string;
  private readonly transport: "http" | "socket";

  constructor(o: SlackClientOptions) {
    this.transport = o.transport ?? "http";
    this.url = o.url;
    this.secret = o.signingSecret;
    this.emu = o.emulator;
    this.teamId = o.teamId ?? o.emulator.teamId;
  }

  private get hooks() {
    return slackEmulatorHooks(this.emu);
  }
  private get team() {
    return { id: this.teamId, domain: this.hooks.teamDomain };
  }
  private user(userId: string): SlackUser {
    const u = this.emu.users.get(userId);
    if (!u) throw new Error(`SlackTestClient: no user ${userId} in the emulator`);
    if (u.deleted) throw new Error(`SlackTestClient: user ${userId} is deactivated and cannot use Slack`);
    return u;
  }
  /** The channel name Slack puts in payloads. */
  private channelName(channelId: string): string {
    const ch: SlackChannel | undefined = this.emu.channels.get(channelId);
    if (!ch) {
      if (channelId.startsWith("D")) return "directmessage";
      throw new Error(`SlackTestClient: no channel ${channelId} in the emulator`);
    }
    if (ch.isIm) return "directmessage";
    if (ch.isPrivate) return "privategroup";
    return ch.name;
  }
  private actionTs(): string {
    const t = Date.now();
    return `${Math.floor(t / 1000)}.${String((t % 1000) * 1000 + Math.floor(Math.random() * 1000)).padStart(6, "0")}`;
  }

  /** Slash command, form-encoded exactly like Slack, with a fresh trigger_id and response_url. */
  async command(
    o: { userId: string; channelId: string; text: string; command?: string },
    extra: SendOptions = {},
  ): Promise<SentRequest & { triggerId: string; responseUrl: string }> {
    const u = this.user(o.userId);
    const triggerId = this.emu.newTriggerId(o.userId);
    const responseUrl = this.emu.newResponseUrl(o.userId, o.channelId);
    const form = new URLSearchParams({
      token: this.hooks.verificationToken,
      team_id: this.teamId,
      team_domain: this.hooks.teamDomain,
      channel_id: o.channelId,
      channel_name: this.channelName(o.channelId),
      user_id: u.id,
      user_name: u.name,
      command: o.command ?? "/incident",
      text: o.text,
      api_app_id: this.hooks.appId,
      is_enterprise_install: "false",
      response_url: responseUrl,
      trigger_id: triggerId,
    });
    const sent = await this.send(form.toString(), "application/x-www-form-urlencoded", extra);
    // Slack shows a command's ack body to the user who typed it (or to the channel).
    if (sent.status === 200 && sent.body !== "") {
      const body = isObj(sent.json) ? sent.json : { text: sent.body };
      const text = typeof body.text === "string" ? body.text : "";
      const blocks = Array.isArray(body.blocks) ? body.blocks : [];
      if (text !== "" || blocks.length > 0) {
        if (body.response_type === "in_channel") this.hooks.addChannelMessage({ channelId: o.channelId, text, blocks });
        else this.hooks.addEphemeral({ userId: o.userId, channelId: o.channelId, text, blocks });
      }
    }
    return { ...sent, triggerId, responseUrl };
  }

  /**
   * block_actions for an element of a message or a view. The element must exist: it is looked up
   * by action id (and block id) in the given message / view, else in the channel's messages and
   * the user's ephemerals (newest first), else in the user's open modals and Home tab. `value` is
   * the button's value, or the chosen option's value for selects, overflow menus, radio buttons
   * and checkboxes, the user id for user selects, the date for date pickers.
   */
  async blockAction(
    o: ActionTarget,
    extra: SendOptions = {},
  ): Promise<SentRequest & { triggerId: string; responseUrl: string }> {
    const u = this.user(o.userId);
    const { source, action } = this.findAction(o);
    const triggerId = this.emu.newTriggerId(o.userId);
    const base = {
      type: "block_actions",
      user: { id: u.id, username: u.name, name: u.name, team_id: this.teamId },
      api_app_id: this.hooks.appId,
      token: this.hooks.verificationToken,
    };
    let payload: Obj;
    let responseUrl = "";
    if (source.kind === "view") {
      payload = {
        ...base,
        container: { type: "view", view_id: source.viewId },
        trigger_id: triggerId,
        team: this.team,
        enterprise: null,
        is_enterprise_install: false,
        view: { ...source.view, state: { values: this.initialState(source.view) } },
        actions: [action],
      };
    } else {
      const m = source.message;
      responseUrl = this.emu.newResponseUrl(o.userId, m.channel);
      payload = {
        ...base,
        container: {
          type: "message",
          message_ts: m.ts,
          channel_id: m.channel,
          is_ephemeral: source.ephemeral,
          ...(m.threadTs && m.threadTs !== m.ts ? { thread_ts: m.threadTs } : {}),
        },
        trigger_id: triggerId,
        team: this.team,
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: m.channel, name: this.channelName(m.channel) },
        ...(source.ephemeral ? {} : { message: this.messagePayload(m) }),
        state: { values: {} },
        response_url: responseUrl,
        actions: [action],
      };
    }
    const sent = await this.sendPayload(payload, extra);
    return { ...sent, triggerId, responseUrl };
  }

  /**
   * view_submission for a modal open on the emulator (by view id, or the user's newest open modal
   * with that callback id). `values` is keyed by block_id: a string → plain_text_input (or other
   * text input) value; {option} → selected_option; {options} → selected_options; {user} →
   * selected_user; {date} → selected_date; {dateTime} → selected_date_time (epoch seconds, null when
   * cleared). Other input blocks are sent empty (or with their
   * initial values), as Slack does. Like Slack's client, this refuses to submit a modal whose
   * required input is empty. The app's ack is then applied to the emulator's modal stack.
   */
  async submitView(
    o: {
      userId: string;
      callbackId: string;
      values: Record<
        string,
        | string
        | { option: string }
        | { options: string[] }
        | { user: string }
        | { date: string }
        | { dateTime: number | null }
      >;
      viewId?: string;
    },
    extra: SendOptions = {},
  ): Promise<SentRequest> {
    const u = this.user(o.userId);
    const open = this.hooks.openViews(o.userId);
    let viewId = o.viewId;
    if (viewId === undefined) {
      viewId = [...open].reverse().find((id) => this.emu.views.get(id)?.view.callback_id === o.callbackId);
      if (!viewId) {
        const names = open.map((id) => this.emu.views.get(id)?.view.callback_id);
        throw new Error(
          `SlackTestClient: ${o.userId} has no open modal with callback_id ${o.callbackId} (open: ${JSON.stringify(names)})`,
        );
      }
    } else if (!open.includes(viewId)) {
      throw new Error(`SlackTestClient: view ${viewId} is not open for ${o.userId}`);
    }
    const rec = this.emu.views.get(viewId)!;
    const view = rec.view;
    const values = this.initialState(view);
    const blocks = (Array.isArray(view.blocks) ? view.blocks : []) as Obj[];
    for (const [blockId, given] of Object.entries(o.values)) {
      const block = blocks.find((b) => b.block_id === blockId);
      if (block?.type !== "input" || !isObj(block.element))
        throw new Error(`SlackTestClient: no input block ${blockId} in view ${o.callbackId}`);
      const el = block.element;
      values[blockId] = { [String(el.action_id)]: this.stateValue(el, given, blockId) };
    }
    for (const b of blocks) {
      if (b.type !== "input" || b.optional === true || !isObj(b.element)) continue;
      const v = values[String(b.block_id)]?.[String(b.element.action_id)];
      if (v && isEmpty(v)) throw new Error(`SlackTestClient: required input ${String(b.block_id)} is empty`);
    }
    const payload = {
      type: "view_submission",
      team: this.team,
      user: { id: u.id, username: u.name, name: u.name, team_id: this.teamId },
      api_app_id: this.hooks.appId,
      token: this.hooks.verificationToken,
      trigger_id: this.emu.newTriggerId(o.userId),
      view: { ...view, state: { values } },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    const sent = await this.sendPayload(payload, extra);
    if (sent.status === 200) this.hooks.applyViewAck(o.userId, viewId, sent.body === "" ? {} : sent.json);
    return sent;
  }

  async globalShortcut(
    o: { userId: string; callbackId: string },
    extra: SendOptions = {},
  ): Promise<SentRequest & { triggerId: string }> {
    const u = this.user(o.userId);
    const triggerId = this.emu.newTriggerId(o.userId);
    const payload = {
      type: "shortcut",
      token: this.hooks.verificationToken,
      action_ts: this.actionTs(),
      team: this.team,
      user: { id: u.id, username: u.name, team_id: this.teamId },
      is_enterprise_install: false,
      enterprise: null,
      callback_id: o.callbackId,
      trigger_id: triggerId,
    };
    const sent = await this.sendPayload(payload, extra);
    return { ...sent, triggerId };
  }

  async messageShortcut(
    o: { userId: string; callbackId: string; channelId: string; message: { ts: string; text: string; user: string } },
    extra: SendOptions = {},
  ): Promise<SentRequest & { triggerId: string; responseUrl: string }> {
    const u = this.user(o.userId);
    const triggerId = this.emu.newTriggerId(o.userId);
    const responseUrl = this.emu.newResponseUrl(o.userId, o.channelId);
    const payload = {
      type: "message_action",
      token: this.hooks.verificationToken,
      action_ts: this.actionTs(),
      team: this.team,
      user: { id: u.id, name: u.name, username: u.name, team_id: this.teamId },
      channel: { id: o.channelId, name: this.channelName(o.channelId) },
      is_enterprise_install: false,
      enterprise: null,
      callback_id: o.callbackId,
      trigger_id: triggerId,
      response_url: responseUrl,
      message_ts: o.message.ts,
      message: { type: "message", team: this.teamId, ...o.message },
    };
    const sent = await this.sendPayload(payload, extra);
    return { ...sent, triggerId, responseUrl };
  }

  /** An Events API event in its event_callback envelope, sent as JSON. */
  async event(o: { type: string; [k: string]: unknown }, extra: SendOptions = {}): Promise<SentRequest> {
    const t = Date.now();
    const envelope = {
      token: this.hooks.verificationToken,
      team_id: this.teamId,
      context_team_id: this.teamId,
      context_enterprise_id: null,
      api_app_id: this.hooks.appId,
      event: { event_ts: `${Math.floor(t / 1000)}.${String((t % 1000) * 1000).padStart(6, "0")}`, ...o },
      type: "event_callback",
      event_id: `Ev${randomBytes(5).toString("hex").toUpperCase()}`,
      event_time: Math.floor(t / 1000),
      authorizations: [
        {
          enterprise_id: null,
          team_id: this.teamId,
          user_id: this.emu.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${randomBytes(12).toString("base64url")}`,
    };
    return this.send(JSON.stringify(envelope), "application/json", extra);
  }

  /** Sends an already-built body with exactly these headers (plus Content-Length). */
  raw(body: string, headers: Record<string, string>): Promise<SentRequest> {
    return post(this.url, body, headers);
  }

  // --- Internals -----------------------------------------------------------------------------

  private sendPayload(payload: Obj, extra: SendOptions): Promise<SentRequest> {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.send(body, "application/x-www-form-urlencoded", extra);
  }

  private send(body: string, contentType: string, extra: SendOptions): Promise<SentRequest> {
    if (this.transport === "socket") return this.deliver(body, contentType);
    const timestamp = extra.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      "Content-Type": contentType,
      "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      Accept: "application/json,*/*",
      "X-Slack-Request-Timestamp": String(timestamp),
      "X-Slack-Signature": extra.signature ?? signSlackRequest(extra.secret ?? this.secret, timestamp, body),
    };
    if (extra.retryNum !== undefined) headers["X-Slack-Retry-Num"] = String(extra.retryNum);
    if (extra.retryReason !== undefined) headers["X-Slack-Retry-Reason"] = extra.retryReason;
    return post(this.url, body, headers);
  }

  /** The same request as a Socket Mode envelope; the app's ack payload comes back as the "response". */
  private async deliver(body: string, contentType: string): Promise<SentRequest> {
    const started = performance.now();
    let type: "slash_commands" | "interactive" | "events_api";
    let payload: unknown;
    if (contentType === "application/json") {
      type = "events_api";
      payload = JSON.parse(body);
    } else {
      const form = new URLSearchParams(body);
      const interaction = form.get("payload");
      type = interaction ? "interactive" : "slash_commands";
      payload = interaction ? JSON.parse(interaction) : Object.fromEntries(form);
    }
    const ack = await this.emu.socketMode.deliver(type, payload);
    const text = ack.payload === undefined ? "" : JSON.stringify(ack.payload);
    return { status: 200, body: text, json: ack.payload, ms: performance.now() - started };
  }

  private messagePayload(m: SlackMessage): Obj {
    return {
      type: "message",
      user: m.user,
      ...(m.user === this.emu.botUserId ? { bot_id: this.hooks.botId, app_id: this.hooks.appId } : {}),
      text: m.text,
      ts: m.ts,
      team: this.teamId,
      blocks: m.blocks,
      ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
      ...(m.edited ? { edited: { user: m.user, ts: m.edited.ts } } : {}),
    };
  }

  private findAction(o: ActionTarget): { source: Source; action: Obj } {
    const sources: Source[] = [];
    const ephemerals = this.emu.ephemeralsFor(o.userId);
    if (o.viewId !== undefined) {
      const rec = this.emu.views.get(o.viewId);
      if (rec) sources.push({ kind: "view", viewId: rec.id, view: rec.view, userId: rec.userId });
      const home = this.emu.homeViews.get(o.userId);
      if (home && home.id === o.viewId) sources.push({ kind: "view", viewId: o.viewId, view: home, userId: o.userId });
    } else {
      const inChannel = (ch: string) => [
        ...this.emu.messages(ch, { threads: true }).map((m) => ({ m, e: false })),
        ...ephemerals.filter((m) => m.channel === ch).map((m) => ({ m, e: true })),
      ];
      const msgs =
        o.channelId !== undefined
          ? inChannel(o.channelId)
          : [...this.emu.allMessages().map((m) => ({ m, e: false })), ...ephemerals.map((m) => ({ m, e: true }))];
      msgs.sort((x, y) => Number(y.m.ts) - Number(x.m.ts));
      for (const { m, e } of msgs) {
        if (o.messageTs !== undefined && m.ts !== o.messageTs) continue;
        sources.push({ kind: "message", message: m, ephemeral: e });
      }
      if (o.channelId === undefined && o.messageTs === undefined) {
        for (const id of this.hooks.openViews(o.userId).reverse()) {
          const rec = this.emu.views.get(id);
          if (rec) sources.push({ kind: "view", viewId: id, view: rec.view, userId: o.userId });
        }
        const home = this.emu.homeViews.get(o.userId);
        if (home) sources.push({ kind: "view", viewId: String(home.id), view: home, userId: o.userId });
      }
    }
    const seen: string[] = [];
    for (const source of sources) {
      const blocks = (source.kind === "view" ? source.view.blocks : source.message.blocks) as unknown[];
      for (const { el, blockId } of elementsIn(blocks ?? [])) {
        if (el.action_id !== o.actionId || (o.blockId !== undefined && blockId !== o.blockId)) continue;
        const action = actionFor(el, blockId, o.value, this.actionTs());
        if (action) return { source, action };
        seen.push(describe(el));
      }
    }
    const where = o.viewId ?? o.messageTs ?? o.channelId ?? "any message or view";
    throw new Error(
      seen.length
        ? `SlackTestClient: ${o.actionId} in ${where} has no value ${o.value} (found ${seen.join(", ")})`
        : `SlackTestClient: no element with action_id ${o.actionId}${o.blockId ? ` in block ${o.blockId}` : ""} in ${where}`,
    );
  }

  /** state.values as Slack sends them before the user typed anything (initial values included). */
  private initialState(view: Obj): Record<string, Record<string, StateValue>> {
    const out: Record<string, Record<string, StateValue>> = {};
    for (const b of (Array.isArray(view.blocks) ? view.blocks : []) as Obj[]) {
      if (b.type !== "input" || !isObj(b.element)) continue;
      const el = b.element;
      out[String(b.block_id)] = { [String(el.action_id)]: emptyValue(el) };
    }
    return out;
  }

  private stateValue(el: Obj, given: unknown, blockId: string): StateValue {
    const type = String(el.type);
    const fail = (what: string) => new Error(`SlackTestClient: block ${blockId} is a ${type}, it cannot take ${what}`);
    if (typeof given === "string") {
      if (!["plain_text_input", "email_text_input", "url_text_input", "number_input"].includes(type))
        throw fail("a text value");
      return { type, value: given };
    }
    if (!isObj(given)) throw fail(JSON.stringify(given));
    if (typeof given.option === "string") {
      if (!["static_select", "radio_buttons", "external_select"].includes(type)) throw fail("an option");
      return { type, selected_option: optionFor(el, given.option, blockId) };
    }
    if (Array.isArray(given.options)) {
      if (!["multi_static_select", "checkboxes", "multi_external_select"].includes(type)) throw fail("options");
      return { type, selected_options: given.options.map((v) => optionFor(el, String(v), blockId)) };
    }
    if (typeof given.user === "string") {
      if (type === "multi_users_select") return { type, selected_users: [given.user] };
      if (type !== "users_select") throw fail("a user");
      return { type, selected_user: given.user };
    }
    if (typeof given.date === "string") {
      if (type !== "datepicker") throw fail("a date");
      return { type, selected_date: given.date };
    }
    if ("dateTime" in given && (typeof given.dateTime === "number" || given.dateTime === null)) {
      if (type !== "datetimepicker") throw fail("a date and time");
      return { type, selected_date_time: given.dateTime };
    }
    throw fail(JSON.stringify(given));
  }
}

// ---------------------------------------------------------------------------------------------

function allOptions(el: Obj): Obj[] {
  const direct = Array.isArray(el.options) ? (el.options as Obj[]) : [];
  const grouped = Array.isArray(el.option_groups)
    ? (el.option_groups as Obj[]).flatMap((g) => (Array.isArray(g.options) ? (g.options as Obj[]) : []))
    : [];
  return [...direct, ...grouped];
}

function optionFor(el: Obj, value: string, blockId: string): Obj {
  if (String(el.type).includes("external")) return { text: { type: "plain_text", text: value, emoji: true }, value };
  const hit = allOptions(el).find((opt) => opt.value === value);
  if (!hit) {
    const values = allOptions(el).map((opt) => opt.value);
    throw new Error(`SlackTestClient: block ${blockId} has no option ${value} (options: ${JSON.stringify(values)})`);
  }
  return { text: hit.text, value: hit.value, ...(hit.description ? { description: hit.description } : {}) };
}

function emptyValue(el: Obj): StateValue {
  const type = String(el.type);
  switch (type) {
    case "static_select":
    case "radio_buttons":
    case "external_select":
      return { type, selected_option: isObj(el.initial_option) ? el.initial_option : null };
    case "multi_static_select":
    case "checkboxes":
    case "multi_external_select":
      return { type, selected_options: Array.isArray(el.initial_options) ? el.initial_options : [] };
    case "users_select":
      return { type, selected_user: typeof el.initial_user === "string" ? el.initial_user : null };
    case "multi_users_select":
      return { type, selected_users: Array.isArray(el.initial_users) ? el.initial_users : [] };
    case "conversations_select":
      return { type, selected_conversation: el.initial_conversation ?? null };
    case "channels_select":
      return { type, selected_channel: el.initial_channel ?? null };
    case "datepicker":
      return { type, selected_date: typeof el.initial_date === "string" ? el.initial_date : null };
    case "timepicker":
      return { type, selected_time: typeof el.initial_time === "string" ? el.initial_time : null };
    case "datetimepicker":
      return { type, selected_date_time: typeof el.initial_date_time === "number" ? el.initial_date_time : null };
    default:
      return { type, value: typeof el.initial_value === "string" ? el.initial_value : null };
  }
}

function isEmpty(v: StateValue): boolean {
  for (const k of ["value", "selected_option", "selected_user", "selected_date", "selected_time", "selected_date_time"])
    if (k in v) return v[k] === null || v[k] === "";
  for (const k of ["selected_options", "selected_users"])
    if (k in v) return !Array.isArray(v[k]) || (v[k] as unknown[]).length === 0;
  return false;
}

/** Interactive elements of a block list, with the block id they sit in. */
function elementsIn(blocks: unknown[]): { el: Obj; blockId: string }[] {
  const out: { el: Obj; blockId: string }[] = [];
  for (const b of blocks) {
    if (!isObj(b)) continue;
    const blockId = String(b.block_id ?? "");
    if (b.type === "actions" && Array.isArray(b.elements))
      for (const el of b.elements) if (isObj(el)) out.push({ el, blockId });
    if (b.type === "section" && isObj(b.accessory)) out.push({ el: b.accessory, blockId });
    if (b.type === "input" && isObj(b.element)) out.push({ el: b.element, blockId });
  }
  return out;
}

function describe(el: Obj): string {
  if (el.type === "button") return `button value ${JSON.stringify(el.value)}`;
  return `${String(el.type)} options ${JSON.stringify(allOptions(el).map((o) => o.value))}`;
}

/** The `actions[0]` Slack sends when `value` is clicked / chosen in `el`, or undefined if it cannot be. */
function actionFor(el: Obj, blockId: string, value: string, actionTs: string): Obj | undefined {
  const type = String(el.type);
  const base = { type, action_id: el.action_id, block_id: blockId, action_ts: actionTs };
  const option = () => allOptions(el).find((o) => o.value === value);
  switch (type) {
    case "button":
      if (el.value !== undefined && el.value !== value) return undefined;
      return {
        ...base,
        text: el.text,
        ...(el.value !== undefined ? { value: el.value } : {}),
        ...(el.style ? { style: el.style } : {}),
        ...(el.url ? { url: el.url } : {}),
      };
    case "static_select":
    case "overflow":
    case "radio_buttons": {
      const hit = option();
      if (!hit) return undefined;
      return { ...base, selected_option: { text: hit.text, value: hit.value } };
    }
    case "multi_static_select":
    case "checkboxes": {
      const hit = option();
      if (!hit) return undefined;
      return { ...base, selected_options: [{ text: hit.text, value: hit.value }] };
    }
    case "external_select":
      return { ...base, selected_option: { text: { type: "plain_text", text: value, emoji: true }, value } };
    case "users_select":
      return { ...base, selected_user: value };
    case "multi_users_select":
      return { ...base, selected_users: [value] };
    case "conversations_select":
      return { ...base, selected_conversation: value };
    case "channels_select":
      return { ...base, selected_channel: value };
    case "datepicker":
      return { ...base, selected_date: value };
    case "timepicker":
      return { ...base, selected_time: value };
    default:
      return { ...base, value };
  }
}

function post(url: string, body: string, headers: Record<string, string>): Promise<SentRequest> {
  const started = performance.now();
  const send = url.startsWith("https:") ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: "POST",
        headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) },
        agent: false, // one connection per request, so the app's server can close at once
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text === "" ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: text, json, ms: performance.now() - started });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
