// A small, strict emulator of the parts of the Slack Web API that muster uses, plus response_url
// endpoints, trigger ids and per-method rate limits. It is driven over HTTP by the real
// `@slack/web-api` WebClient (and Bolt), so it answers what Slack answers: HTTP 200 with
// {ok:false, error} for failures, 429 + Retry-After for rate limits, and the error codes and
// `response_metadata.messages` Slack documents. Rules follow /work/shared/EXTERNAL-APIS.md.
//
// Choices where Slack's behaviour is undocumented or this emulator simplifies:
// - Every channel id starts with "C" (public and private), DMs with "D", views with "V".
// - JSON bodies must carry the token in `Authorization: Bearer` (as Slack requires); a `token`
//   field is honoured only in form-encoded bodies and query strings.
// - Inviting a deactivated user fails for that user with `cant_invite`.
// - `users.lookupByEmail` does not find deactivated users (`users_not_found`).
// - A `thread_ts` naming no message is accepted (the reply is stored, orphaned), as Slack does.
// - Text over 40,000 characters is cut, with `warning: "message_truncated"`.
// - response_url: unknown id → 404 "invalid_url"; a 6th post → 404 "used_url"; after 30 minutes →
//   404 "expired_url"; a body without text/blocks (and not delete_original) → 400 "no_text";
//   `faults.down` → 503. `replace_original`/`delete_original` are only recorded.
// - `views` keeps every modal ever opened (closed ones too); the emulator separately tracks each
//   user's open stack (views.open replaces it; views.push adds to it; SlackTestClient's view
//   submissions pop/clear/update it as Slack would from the app's ack).
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import {
  type ChaosFaults,
  calmChaos,
  cancellableSleeps,
  closeServer,
  newChaosFaults,
  readBody,
  rollChaos,
} from "./http.js";
import { createSlackOidc, type OidcClient, type SlackOidc } from "./slack-oidc.js";

export interface SlackUser {
  id: string;
  name: string;
  email: string;
  isBot?: boolean;
  deleted?: boolean;
  tz?: string;
}
export interface SlackChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  isArchived: boolean;
  isIm: boolean;
  creator: string;
  members: Set<string>;
  topic: string;
  purpose: string;
  created: number;
  pins: Set<string>;
  bookmarks: { id: string; title: string; link: string; type: string }[];
}
export interface SlackMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  user: string;
  text: string;
  blocks: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  edited?: { ts: string };
  ephemeralTo?: string;
}
export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  ok: boolean;
  error?: string;
  status: number;
}
export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  at: number;
}
export interface SlackFaults {
  /** Every Web API response waits this long (ms). */
  latencyMs: number;
  /** Per-method override of latencyMs. */
  methodLatencyMs: Record<string, number>;
  /** Every call answers HTTP 503 and changes nothing. */
  down: boolean;
  /** The next `count` calls of `method` answer {ok:false, error} without performing anything. */
  failNext(method: string, error: string, count?: number): void;
  /** The next `count` calls of `method` answer 429 + Retry-After + {ok:false, error:"ratelimited"}. */
  rateLimitNext(method: string, retryAfterSeconds: number, count?: number): void;
  /**
   * The next `count` calls of `method` (those `when` picks) are performed,
   * then answered HTTP 502: the answer lost, as chaos's lost replies.
   */
  loseNextReply(method: string, o?: { count?: number; when?: (args: Record<string, unknown>) => boolean }): void;
  /** Random faults (http.ts): a failure is HTTP 503 or {ok:false, error:"internal_error"}; a lost answer is HTTP 502. */
  chaos: ChaosFaults;
  reset(): void;
}
export interface SlackEmulatorOptions {
  botToken?: string;
  teamId?: string;
  botUserId?: string;
  users?: SlackUser[];
  channels?: { name: string; isPrivate?: boolean; members?: string[] }[];
  usergroups?: { id: string; handle: string; users: string[] }[];
  enforceRateLimits?: boolean;
  now?: () => number;
  /**
   * Accept trigger_ids and response_urls the caller made itself (see
   * mintTriggerId / mintResponseUrl), for a load generator in another process.
   * They keep every rule: a trigger is single-use and lives 3 s from the time
   * it names; a response_url takes 5 posts in 30 min.
   */
  acceptMintedIds?: boolean;
  /** The app-level token (xapp-…) apps.connections.open accepts, for Socket Mode. */
  appToken?: string;
  /** Apps registered for Sign in with Slack (OpenID Connect); see slack-oidc.ts. */
  oidcClients?: OidcClient[];
}

/** Socket Mode: Slack's side of the app's WebSocket. */
export interface SlackSocketMode {
  appToken: string;
  /** Apps connected now. */
  connections(): number;
  /**
   * Sends an envelope (slash_commands, interactive, events_api) to a connected
   * app and resolves with its acknowledgement; rejects, as Slack gives up,
   * when none comes within 3 s.
   */
  deliver(type: "slash_commands" | "interactive" | "events_api", payload: unknown): Promise<{ payload?: unknown }>;
}

/** A trigger_id a caller in another process can make: `<ms since epoch>.m.<user>.<random>`. */
export function mintTriggerId(userId: string, at = Date.now()): string {
  return `${at}.m.${userId}.${randomBytes(8).toString("hex")}`;
}

/** A response_url a caller in another process can make, for the emulator at `apiUrl`. */
export function mintResponseUrl(apiUrl: string, userId: string, channelId: string, at = Date.now()): string {
  return `${apiUrl.replace(/\/api\/?$/, "")}/response/m.${at}.${userId}.${channelId}.${randomBytes(8).toString("hex")}`;
}
export interface SlackEmulator {
  /** API base for WebClient's slackApiUrl, ending in "/api/". */
  url: string;
  botToken: string;
  teamId: string;
  botUserId: string;
  calls: ApiCall[];
  callsTo(method: string): ApiCall[];
  responseUrlPosts: ResponseUrlPost[];
  /** A response_url served by this emulator (accepts ≤5 posts within 30 min, like Slack). */
  newResponseUrl(userId?: string, channelId?: string): string;
  /** A trigger_id valid for 3 s and for one views.open/push (expired_trigger_id / exchanged_trigger_id afterwards). */
  newTriggerId(userId?: string): string;
  users: Map<string, SlackUser>;
  channels: Map<string, SlackChannel>;
  channelByName(name: string): SlackChannel | undefined;
  /** Oldest first; top-level by default, threads:true includes replies. */
  messages(channelId: string, opts?: { threads?: boolean }): SlackMessage[];
  allMessages(): SlackMessage[];
  /** Ephemeral messages (chat.postEphemeral, response_url posts, command acks) addressed to a user. */
  ephemeralsFor(userId: string): SlackMessage[];
  /** Modals by view id (every one ever opened; `view` is the view object as Slack returned it). */
  views: Map<string, { id: string; userId: string; view: Record<string, unknown>; hash: string }>;
  /** views.publish by user (the view object as Slack returned it). */
  homeViews: Map<string, Record<string, unknown>>;
  dmChannelOf(userId: string): string | undefined;
  /** Archives a channel as a person would (its name stays taken; posting fails with is_archived). */
  archiveChannel(channelId: string): void;
  /** Deletes a channel and its messages, as a workspace admin would (the API answers channel_not_found; the name is free again). */
  deleteChannel(channelId: string): void;
  /** Removes a bookmark from a channel, as a person would. */
  removeBookmark(channelId: string, title: string): void;
  faults: SlackFaults;
  socketMode: SlackSocketMode;
  /** Sign in with Slack: the issuer is the emulator's base URL (`url` without "/api/"). */
  oidc: SlackOidc;
  close(): Promise<void>;
}

/** What SlackTestClient needs beyond the public surface: not for muster's tests to use directly. */
export interface SlackEmulatorHooks {
  appId: string;
  botId: string;
  teamDomain: string;
  verificationToken: string;
  /** Open modal ids of a user, bottom of the stack first. */
  openViews(userId: string): string[];
  /** Records an ephemeral message shown to a user (e.g. a slash command's ack body). */
  addEphemeral(o: { userId: string; channelId: string; text: string; blocks?: unknown[] }): SlackMessage;
  /** Posts a visible message as the bot (e.g. an `in_channel` command ack). */
  addChannelMessage(o: { channelId: string; text: string; blocks?: unknown[] }): SlackMessage | undefined;
  /** Applies the app's answer to a view_submission, as Slack's client would. */
  applyViewAck(userId: string, viewId: string, ack: unknown): void;
}

const hooksOf = new WeakMap<SlackEmulator, SlackEmulatorHooks>();
export function slackEmulatorHooks(emu: SlackEmulator): SlackEmulatorHooks {
  const h = hooksOf.get(emu);
  if (!h) throw new Error("not a Slack emulator");
  return h;
}

// ---------------------------------------------------------------------------------------------
// Limits and tiers

const TRIGGER_TTL_MS = 3_000;
const RESPONSE_URL_TTL_MS = 30 * 60_000;
const RESPONSE_URL_MAX_POSTS = 5;
const MAX_TEXT = 40_000;
const MAX_MESSAGE_BLOCKS = 50;
const MAX_VIEW_BLOCKS = 100;
const MAX_VIEW_BYTES = 250_000;
const MAX_INVITE = 100;
const POST_BURST = 10;
const POST_PER_SECOND = 1;

const TIER: Record<string, number> = {
  "conversations.create": 20,
  "conversations.setTopic": 20,
  "conversations.setPurpose": 20,
  "bookmarks.add": 20,
  "pins.add": 20,
  "conversations.list": 20,
  "conversations.invite": 50,
  "conversations.join": 50,
  "chat.update": 50,
  "users.lookupByEmail": 50,
  "conversations.history": 50,
  "conversations.replies": 50,
  "bookmarks.list": 50,
  "bookmarks.edit": 20,
  "conversations.members": 50,
  "views.open": 100,
  "views.update": 100,
  "views.push": 100,
  "views.publish": 100,
  "users.info": 100,
  "chat.postEphemeral": 100,
  "chat.getPermalink": 100,
  "conversations.open": 100,
  "conversations.info": 100,
  "conversations.archive": 20,
  "conversations.unarchive": 20,
  "usergroups.users.list": 100,
  "auth.test": 100,
};

const DEFAULT_USERS: SlackUser[] = [
  { id: "UALICE", name: "alice", email: "alice@example.com", tz: "America/Los_Angeles" },
  { id: "UBOB", name: "bob", email: "bob@example.com", tz: "Europe/London" },
  { id: "UCAROL", name: "carol", email: "carol@example.com", tz: "America/New_York" },
  { id: "UDAVE", name: "dave", email: "dave@example.com", tz: "Asia/Tokyo" },
  { id: "UERIN", name: "erin", email: "erin@example.com", tz: "Europe/Berlin" },
  { id: "ULEAD1", name: "lead1", email: "lead1@example.com", tz: "America/Los_Angeles" },
  { id: "ULEAD2", name: "lead2", email: "lead2@example.com", tz: "America/Chicago" },
];

// ---------------------------------------------------------------------------------------------
// Small helpers

type Args = Record<string, unknown>;
type Obj = Record<string, unknown>;

class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Obj = {},
  ) {
    super(code);
  }
}
class RateLimited extends Error {
  constructor(readonly retryAfter: number) {
    super("ratelimited");
  }
}
function fail(code: string, extra?: Obj): never {
  throw new SlackApiError(code, extra);
}

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
const bool = (v: unknown): boolean => v === true || v === 1 || v === "true" || v === "1";
function int(v: unknown, dflt: number): number {
  const s = str(v);
  if (s === undefined || s === "") return dflt;
  const n = Number(s);
  return Number.isFinite(n) ? Math.trunc(n) : dflt;
}
const required = (a: Args, key: string, code = "invalid_arguments"): string => {
  const v = str(a[key]);
  if (v === undefined || v === "") fail(code);
  return v as string;
};

class Bucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
    t: number,
  ) {
    this.tokens = capacity;
    this.last = t;
  }
  /** 0 when a token was taken, else seconds until one is available (≥ 1). */
  take(t: number): number {
    const elapsed = Math.max(0, t - this.last);
    this.last = Math.max(this.last, t);
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.perMs);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.perMs / 1000));
  }
}

// ---------------------------------------------------------------------------------------------
// Block Kit validation (the limits from EXTERNAL-APIS.md)

type Surface = "message" | "modal" | "home";

class Check {
  readonly errors: string[] = [];
  err(msg: string, ptr: string) {
    this.errors.push(`[ERROR] ${msg} [json-pointer:${ptr}]`);
  }
  maxLen(v: unknown, max: number, ptr: string) {
    if (v === undefined) return;
    if (typeof v !== "string") this.err("must be a string", ptr);
    else if (v.length > max) this.err(`must be less than ${max + 1} characters`, ptr);
  }
  text(
    v: unknown,
    ptr: string,
    o: { max: number; plainOnly?: boolean; required?: boolean; field?: string } = { max: 3000 },
  ): void {
    if (v === undefined) {
      if (o.required !== false) this.err(`missing required field: ${o.field ?? "text"}`, ptr);
      return;
    }
    if (!isObj(v)) {
      this.err("must be an object", ptr);
      return;
    }
    const allowed = o.plainOnly ? ["plain_text"] : ["plain_text", "mrkdwn"];
    if (typeof v.type !== "string" || !allowed.includes(v.type))
      this.err(`must be one of ${allowed.join(", ")}`, `${ptr}/type`);
    if (typeof v.text !== "string") {
      this.err("must be a string", `${ptr}/text`);
      return;
    }
    if (v.text.length === 0) this.err("must be more than 0 characters", `${ptr}/text`);
    else if (v.text.length > o.max) this.err(`must be less than ${o.max + 1} characters`, `${ptr}/text`);
  }
  array(v: unknown, ptr: string, min: number, max: number): unknown[] {
    if (!Array.isArray(v)) {
      this.err("must be an array", ptr);
      return [];
    }
    if (v.length < min) this.err(`must provide at least ${min} items`, ptr);
    if (v.length > max) this.err(`no more than ${max} items allowed`, ptr);
    return v;
  }
  option(o: unknown, ptr: string, allowMrkdwn: boolean) {
    if (!isObj(o)) {
      this.err("must be an object", ptr);
      return;
    }
    this.text(o.text, `${ptr}/text`, { max: 75, plainOnly: !allowMrkdwn });
    if (typeof o.value !== "string") this.err("missing required field: value", `${ptr}/value`);
    else this.maxLen(o.value, 150, `${ptr}/value`);
    if (o.description !== undefined) this.text(o.description, `${ptr}/description`, { max: 75 });
  }
  options(v: unknown, ptr: string, min: number, max: number, allowMrkdwn = false) {
    for (const [i, o] of this.array(v, ptr, min, max).entries()) this.option(o, `${ptr}/${i}`, allowMrkdwn);
  }
}

const INPUT_ELEMENTS = new Set([
  "plain_text_input",
  "email_text_input",
  "url_text_input",
  "number_input",
  "rich_text_input",
  "file_input",
  "static_select",
  "multi_static_select",
  "external_select",
  "multi_external_select",
  "users_select",
  "multi_users_select",
  "conversations_select",
  "multi_conversations_select",
  "channels_select",
  "multi_channels_select",
  "datepicker",
  "timepicker",
  "datetimepicker",
  "checkboxes",
  "radio_buttons",
]);
const INTERACTIVE_ELEMENTS = new Set([
  ...INPUT_ELEMENTS,
  "button",
  "overflow",
  "workflow_button",
  "feedback_buttons",
  "icon_button",
]);

function checkElement(c: Check, el: unknown, ptr: string, allowed: Set<string>): void {
  if (!isObj(el)) {
    c.err("must be an object", ptr);
    return;
  }
  const type = el.type;
  if (typeof type !== "string") {
    c.err("missing required field: type", `${ptr}/type`);
    return;
  }
  if (!allowed.has(type)) {
    c.err(`element type ${type} is not allowed here`, `${ptr}/type`);
    return;
  }
  c.maxLen(el.action_id, 255, `${ptr}/action_id`);
  if (el.placeholder !== undefined) c.text(el.placeholder, `${ptr}/placeholder`, { max: 150, plainOnly: true });
  switch (type) {
    case "button":
      c.text(el.text, `${ptr}/text`, { max: 75, plainOnly: true });
      c.maxLen(el.value, 2000, `${ptr}/value`);
      c.maxLen(el.url, 3000, `${ptr}/url`);
      if (el.style !== undefined && el.style !== "primary" && el.style !== "danger")
        c.err("must be one of primary, danger", `${ptr}/style`);
      break;
    case "static_select":
    case "multi_static_select":
      if (el.options === undefined && el.option_groups === undefined)
        c.err("must provide either options or option_groups", ptr);
      if (el.options !== undefined) c.options(el.options, `${ptr}/options`, 1, 100);
      if (el.option_groups !== undefined) {
        c.array(el.option_groups, `${ptr}/option_groups`, 1, 100).forEach((g, i) => {
          if (!isObj(g)) {
            c.err("must be an object", `${ptr}/option_groups/${i}`);
            return;
          }
          c.text(g.label, `${ptr}/option_groups/${i}/label`, { max: 75, plainOnly: true, field: "label" });
          c.options(g.options, `${ptr}/option_groups/${i}/options`, 1, 100);
        });
      }
      break;
    case "overflow":
      c.options(el.options, `${ptr}/options`, 1, 5);
      break;
    case "radio_buttons":
    case "checkboxes":
      c.options(el.options, `${ptr}/options`, 1, 10, true);
      break;
    case "plain_text_input":
      c.maxLen(el.initial_value, 3000, `${ptr}/initial_value`);
      if (el.max_length !== undefined && (int(el.max_length, 0) < 1 || int(el.max_length, 0) > 3000))
        c.err("must be between 1 and 3000", `${ptr}/max_length`);
      break;
    case "datepicker":
      if (el.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(el.initial_date)))
        c.err("must be a date in the format YYYY-MM-DD", `${ptr}/initial_date`);
      break;
    case "datetimepicker":
      // Epoch seconds as a JSON integer (10 digits), never a string or milliseconds.
      if (
        el.initial_date_time !== undefined &&
        !(
          typeof el.initial_date_time === "number" &&
          Number.isInteger(el.initial_date_time) &&
          el.initial_date_time >= 0 &&
          el.initial_date_time <= 9_999_999_999
        )
      )
        c.err("must be a UNIX timestamp in seconds (an integer)", `${ptr}/initial_date_time`);
      break;
    case "number_input":
      if (typeof el.is_decimal_allowed !== "boolean")
        c.err("missing required field: is_decimal_allowed", `${ptr}/is_decimal_allowed`);
      for (const k of ["initial_value", "min_value", "max_value"] as const) {
        if (el[k] !== undefined && (typeof el[k] !== "string" || !/^-?\d+(\.\d+)?$/.test(el[k] as string)))
          c.err("must be a number written as a string", `${ptr}/${k}`);
      }
      break;
    case "image":
      if (typeof el.image_url !== "string" && !isObj(el.slack_file))
        c.err("missing required field: image_url", `${ptr}/image_url`);
      if (typeof el.alt_text !== "string") c.err("missing required field: alt_text", `${ptr}/alt_text`);
      break;
    case "plain_text":
    case "mrkdwn":
      c.text(el, ptr, { max: 3000 });
      break;
  }
}

const KNOWN_BLOCKS = new Set([
  "section",
  "header",
  "context",
  "actions",
  "divider",
  "image",
  "input",
  "rich_text",
  "file",
  "video",
  "markdown",
  "table",
]);

function checkBlocks(c: Check, blocks: unknown, surface: Surface, ptr: string): void {
  const max = surface === "message" ? MAX_MESSAGE_BLOCKS : MAX_VIEW_BLOCKS;
  const list = c.array(blocks, ptr, 0, max);
  const blockIds = new Set<string>();
  list.forEach((b, i) => {
    const p = `${ptr}/${i}`;
    if (!isObj(b)) {
      c.err("must be an object", p);
      return;
    }
    const type = b.type;
    if (typeof type !== "string") {
      c.err("missing required field: type", `${p}/type`);
      return;
    }
    if (!KNOWN_BLOCKS.has(type)) {
      c.err(`unknown block type ${type}`, `${p}/type`);
      return;
    }
    if (b.block_id !== undefined) {
      c.maxLen(b.block_id, 255, `${p}/block_id`);
      const id = String(b.block_id);
      if (blockIds.has(id)) c.err(`duplicate block_id ${id}`, `${p}/block_id`);
      blockIds.add(id);
    }
    switch (type) {
      case "section":
        if (b.text === undefined && b.fields === undefined) c.err("must provide either text or fields", p);
        if (b.text !== undefined) c.text(b.text, `${p}/text`, { max: 3000 });
        if (b.fields !== undefined)
          for (const [j, f] of c.array(b.fields, `${p}/fields`, 1, 10).entries())
            c.text(f, `${p}/fields/${j}`, { max: 2000 });
        if (b.accessory !== undefined)
          checkElement(c, b.accessory, `${p}/accessory`, new Set([...INTERACTIVE_ELEMENTS, "image"]));
        break;
      case "header":
        c.text(b.text, `${p}/text`, { max: 150, plainOnly: true });
        break;
      case "context":
        for (const [j, e] of c.array(b.elements, `${p}/elements`, 1, 10).entries())
          checkElement(c, e, `${p}/elements/${j}`, new Set(["image", "plain_text", "mrkdwn"]));
        break;
      case "actions": {
        const actionIds = new Set<string>();
        c.array(b.elements, `${p}/elements`, 1, 25).forEach((e, j) => {
          checkElement(c, e, `${p}/elements/${j}`, INTERACTIVE_ELEMENTS);
          if (isObj(e) && typeof e.action_id === "string") {
            if (actionIds.has(e.action_id)) c.err(`duplicate action_id ${e.action_id}`, `${p}/elements/${j}/action_id`);
            actionIds.add(e.action_id);
          }
        });
        break;
      }
      case "image":
        if (typeof b.image_url !== "string" && !isObj(b.slack_file))
          c.err("missing required field: image_url", `${p}/image_url`);
        if (typeof b.alt_text !== "string") c.err("missing required field: alt_text", `${p}/alt_text`);
        else c.maxLen(b.alt_text, 2000, `${p}/alt_text`);
        if (b.title !== undefined) c.text(b.title, `${p}/title`, { max: 2000, plainOnly: true });
        break;
      case "input":
        c.text(b.label, `${p}/label`, { max: 2000, plainOnly: true, field: "label" });
        if (b.hint !== undefined) c.text(b.hint, `${p}/hint`, { max: 2000, plainOnly: true });
        if (b.element === undefined) c.err("missing required field: element", `${p}/element`);
        else {
          checkElement(c, b.element, `${p}/element`, INPUT_ELEMENTS);
          if (isObj(b.element) && typeof b.element.action_id !== "string")
            c.err("missing required field: action_id", `${p}/element/action_id`);
        }
        break;
      case "markdown":
        c.maxLen(b.text, 12_000, `${p}/text`);
        break;
    }
  });
}

function checkView(view: unknown, kind: "modal" | "home"): string[] {
  const c = new Check();
  if (!isObj(view)) {
    c.err("must be an object", "/view");
    return c.errors;
  }
  if (view.type !== kind) c.err(`must be ${kind}`, "/view/type");
  if (kind === "modal") {
    c.text(view.title, "/view/title", { max: 24, plainOnly: true, field: "title" });
    if (view.close !== undefined) c.text(view.close, "/view/close", { max: 24, plainOnly: true });
    if (view.submit !== undefined) c.text(view.submit, "/view/submit", { max: 24, plainOnly: true });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === "input");
    if (hasInput && view.submit === undefined)
      c.err("must provide submit when input blocks are present", "/view/submit");
  }
  c.maxLen(view.callback_id, 255, "/view/callback_id");
  c.maxLen(view.private_metadata, 3000, "/view/private_metadata");
  c.maxLen(view.external_id, 255, "/view/external_id");
  checkBlocks(c, view.blocks, kind, "/view/blocks");
  if (Buffer.byteLength(JSON.stringify(view)) > MAX_VIEW_BYTES) c.err("view must be smaller than 250 kB", "/view");
  return c.errors;
}

/** Slack fills in block ids it was not given. */
function withBlockIds(blocks: unknown[]): unknown[] {
  return blocks.map((b) =>
    isObj(b) && b.block_id === undefined ? { ...b, block_id: randomBytes(3).toString("base64url") } : b,
  );
}

// ---------------------------------------------------------------------------------------------
// The emulator

interface ViewRec {
  id: string;
  userId: string;
  view: Record<string, unknown>;
  hash: string;
  rootId: string;
  previousId: string | null;
}
interface Trigger {
  at: number;
  used: boolean;
  userId: string;
}
interface ResponseUrl {
  at: number;
  posts: number;
  userId?: string;
  channelId?: string;
}

export async function startSlackEmulator(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const now = options.now ?? Date.now;
  const botToken = options.botToken ?? "xoxb-test";
  const teamId = options.teamId ?? "T0001";
  const botUserId = options.botUserId ?? "UBOT";
  const botId = "B0001";
  const appId = "A0MUSTER";
  const teamDomain = "example";
  const teamName = "Example";
  const verificationToken = "vErIfIcAtIoNtOkEn0000";
  const enforceRateLimits = options.enforceRateLimits ?? true;
  let baseUrl = "";

  let seq = 0;
  const newId = (prefix: string) => `${prefix}0${(++seq).toString(36).toUpperCase().padStart(8, "0")}`;
  let lastMicros = 0;
  function newTs(): string {
    let micros = Math.floor(now()) * 1000;
    if (micros <= lastMicros) micros = lastMicros + 1;
    lastMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, "0")}`;
  }
  const seconds = () => Math.floor(now() / 1000);

  // --- State -------------------------------------------------------------------------------

  const users = new Map<string, SlackUser>();
  for (const u of options.users ?? DEFAULT_USERS) users.set(u.id, { ...u });
  if (!users.has(botUserId)) users.set(botUserId, { id: botUserId, name: "muster", email: "", isBot: true });

  const channels = new Map<string, SlackChannel>();
  const posts = new Map<string, SlackMessage[]>(); // per channel, in post order
  const ephemerals: SlackMessage[] = [];
  const dms = new Map<string, string>();
  const usergroups = new Map<string, string[]>();
  for (const g of options.usergroups ?? [{ id: "SLEADERS", handle: "leadership", users: ["ULEAD1", "ULEAD2"] }])
    usergroups.set(g.id, [...g.users]);
  const views = new Map<string, ViewRec>();
  const stacks = new Map<string, string[]>(); // open modal ids per user
  const homeViews = new Map<string, Record<string, unknown>>();
  const homeIds = new Map<string, string>();
  const triggers = new Map<string, Trigger>();
  const responseUrls = new Map<string, ResponseUrl>();
  const calls: ApiCall[] = [];
  const responseUrlPosts: ResponseUrlPost[] = [];

  function addChannel(o: { name: string; isPrivate: boolean; members: string[]; creator: string; isIm?: boolean }) {
    const ch: SlackChannel = {
      id: newId(o.isIm ? "D" : "C"),
      name: o.name,
      isPrivate: o.isPrivate,
      isArchived: false,
      isIm: o.isIm ?? false,
      creator: o.creator,
      members: new Set(o.members),
      topic: "",
      purpose: "",
      created: seconds(),
      pins: new Set(),
      bookmarks: [],
    };
    channels.set(ch.id, ch);
    posts.set(ch.id, []);
    return ch;
  }
  const defaultMembers = [...users.values()].filter((u) => !u.isBot && !u.deleted).map((u) => u.id);
  for (const c of options.channels ?? [{ name: "incident-response" }]) {
    const members = c.members ?? defaultMembers;
    addChannel({ name: c.name, isPrivate: c.isPrivate ?? false, members, creator: members[0] ?? "USLACKBOT" });
  }

  // --- Faults and rate limits ----------------------------------------------------------------

  const failQueue: { method: string; error: string; left: number }[] = [];
  const limitQueue: { method: string; retryAfter: number; left: number }[] = [];
  const loseQueue: { method: string; left: number; when?: (args: Args) => boolean }[] = [];
  const faults: SlackFaults = {
    latencyMs: 0,
    methodLatencyMs: {},
    down: false,
    failNext(method, error, count = 1) {
      failQueue.push({ method, error, left: count });
    },
    rateLimitNext(method, retryAfterSeconds, count = 1) {
      limitQueue.push({ method, retryAfter: retryAfterSeconds, left: count });
    },
    loseNextReply(method, o = {}) {
      loseQueue.push({ method, left: o.count ?? 1, ...(o.when ? { when: o.when } : {}) });
    },
    chaos: newChaosFaults(),
    reset() {
      calmChaos(faults.chaos);
      faults.latencyMs = 0;
      faults.methodLatencyMs = {};
      faults.down = false;
      failQueue.length = 0;
      limitQueue.length = 0;
      loseQueue.length = 0;
    },
  };
  function takeQueued<T extends { method: string; left: number }>(q: T[], method: string): T | undefined {
    const i = q.findIndex((f) => f.method === method);
    const hit = q[i];
    if (!hit) return undefined;
    if (--hit.left <= 0) q.splice(i, 1);
    return hit;
  }
  const buckets = new Map<string, Bucket>();
  function takeToken(key: string, capacity: number, perMs: number): number {
    let b = buckets.get(key);
    if (!b) {
      b = new Bucket(capacity, perMs, now());
      buckets.set(key, b);
    }
    return b.take(now());
  }

  // --- Lookups and shapes ----------------------------------------------------------------------

  /** A channel the bot can see: public ones, private ones it is in, its DMs. */
  function visibleChannel(id: string | undefined): SlackChannel {
    const ch = id ? channels.get(id) : undefined;
    if (!ch || (ch.isPrivate && !ch.members.has(botUserId))) return fail("channel_not_found");
    return ch;
  }
  const isMember = (ch: SlackChannel) => ch.members.has(botUserId);
  function writable(ch: SlackChannel) {
    if (ch.isArchived) fail("is_archived");
    if (!isMember(ch)) fail("not_in_channel");
  }

  function openDm(userId: string): SlackChannel {
    const existing = dms.get(userId);
    if (existing) return channels.get(existing)!;
    const ch = addChannel({ name: userId, isPrivate: true, members: [botUserId, userId], creator: userId, isIm: true });
    dms.set(userId, ch.id);
    return ch;
  }

  function channelJson(ch: SlackChannel, extra: Obj = {}): Obj {
    if (ch.isIm) {
      const user = [...ch.members].find((m) => m !== botUserId) ?? "";
      return {
        id: ch.id,
        created: ch.created,
        is_archived: false,
        is_im: true,
        is_org_shared: false,
        context_team_id: teamId,
        user,
        is_user_deleted: users.get(user)?.deleted ?? false,
        priority: 0,
        ...extra,
      };
    }
    return {
      id: ch.id,
      name: ch.name,
      is_channel: !ch.isPrivate,
      is_group: false,
      is_im: false,
      is_mpim: false,
      is_private: ch.isPrivate,
      created: ch.created,
      is_archived: ch.isArchived,
      is_general: false,
      unlinked: 0,
      name_normalized: ch.name,
      is_shared: false,
      is_org_shared: false,
      is_ext_shared: false,
      is_pending_ext_shared: false,
      pending_shared: [],
      context_team_id: teamId,
      creator: ch.creator,
      is_member: isMember(ch),
      topic: { value: ch.topic, creator: ch.topic ? botUserId : "", last_set: 0 },
      purpose: { value: ch.purpose, creator: ch.purpose ? botUserId : "", last_set: 0 },
      previous_names: [],
      ...extra,
    };
  }

  function userJson(u: SlackUser): Obj {
    const tz = u.tz ?? "America/Los_Angeles";
    return {
      id: u.id,
      team_id: teamId,
      name: u.name,
      deleted: u.deleted ?? false,
      real_name: u.name,
      tz,
      tz_label: tz,
      tz_offset: tzOffsetSeconds(tz, now()),
      is_admin: false,
      is_owner: false,
      is_bot: u.isBot ?? false,
      is_app_user: false,
      updated: seconds(),
      profile: {
        email: u.email,
        display_name: u.name,
        real_name: u.name,
        real_name_normalized: u.name,
        display_name_normalized: u.name,
        team: teamId,
        ...(u.isBot ? { bot_id: u.id === botUserId ? botId : `B${u.id.slice(1)}` } : {}),
      },
    };
  }

  const allPosts = () => [...posts.values()].flat();
  function findMessage(channelId: string, ts: string): SlackMessage | undefined {
    return posts.get(channelId)?.find((m) => m.ts === ts);
  }
  const isTopLevel = (m: SlackMessage) => m.threadTs === undefined || m.threadTs === m.ts;
  const repliesOf = (channelId: string, ts: string) =>
    (posts.get(channelId) ?? []).filter((m) => m.threadTs === ts && m.ts !== ts);

  function messageJson(m: SlackMessage, withMetadata: boolean): Obj {
    const out: Obj = { type: "message", user: m.user, text: m.text, ts: m.ts, team: teamId };
    if (m.user === botUserId) {
      out.bot_id = botId;
      out.app_id = appId;
      out.bot_profile = { id: botId, app_id: appId, name: "muster", deleted: false, team_id: teamId };
    }
    if (m.blocks.length) out.blocks = m.blocks;
    if (m.threadTs !== undefined) out.thread_ts = m.threadTs;
    if (isTopLevel(m)) {
      const replies = repliesOf(m.channel, m.ts);
      if (replies.length) {
        const who = [...new Set(replies.map((r) => r.user))];
        out.thread_ts = m.ts;
        out.reply_count = replies.length;
        out.reply_users_count = who.length;
        out.latest_reply = replies[replies.length - 1]!.ts;
        out.reply_users = who;
      }
    } else {
      const parent = findMessage(m.channel, m.threadTs!);
      if (parent) out.parent_user_id = parent.user;
    }
    if (m.edited) out.edited = { user: m.user, ts: m.edited.ts };
    if (channels.get(m.channel)?.pins.has(m.ts)) out.pinned_to = [m.channel];
    if (withMetadata && m.metadata) out.metadata = m.metadata;
    return out;
  }

  function page<T>(items: T[], a: Args, dflt: number, max: number): { items: T[]; next: string } {
    const limit = Math.min(Math.max(int(a.limit, dflt) || dflt, 1), max);
    let start = 0;
    const cursor = str(a.cursor);
    if (cursor) {
      const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
      if (!m) fail("invalid_cursor");
      start = Number(m![1]);
    }
    const slice = items.slice(start, start + limit);
    const next = start + limit < items.length ? Buffer.from(`offset:${start + limit}`).toString("base64") : "";
    return { items: slice, next };
  }

  function parseBlocks(a: Args, surface: Surface): unknown[] | undefined {
    if (a.blocks === undefined || a.blocks === "") return undefined;
    if (!Array.isArray(a.blocks)) fail("invalid_blocks_format");
    const c = new Check();
    checkBlocks(c, a.blocks, surface, "/blocks");
    if (c.errors.length) fail("invalid_blocks", { response_metadata: { messages: c.errors } });
    return a.blocks as unknown[];
  }
  function parseMetadata(a: Args): SlackMessage["metadata"] {
    if (a.metadata === undefined || a.metadata === "") return undefined;
    const m = a.metadata;
    if (!isObj(m) || typeof m.event_type !== "string" || !isObj(m.event_payload)) fail("invalid_metadata_format");
    const md = m as Obj;
    return { event_type: md.event_type as string, event_payload: md.event_payload as Record<string, unknown> };
  }
  function messageText(a: Args): { text: string; warning?: string } {
    const text = str(a.text) ?? "";
    if (text.length > MAX_TEXT) return { text: text.slice(0, MAX_TEXT), warning: "message_truncated" };
    return { text };
  }

  /** A `channel` argument naming a user means their DM with the bot. */
  function resolvePostChannel(id: string): SlackChannel {
    if (/^[UW]/.test(id)) {
      const u = users.get(id);
      if (!u || u.deleted) return fail("channel_not_found");
      if (u.isBot) return fail("cannot_dm_bot");
      return openDm(id);
    }
    return visibleChannel(id);
  }

  function consumeTrigger(id: string | undefined, check: () => void): Trigger {
    const minted = options.acceptMintedIds && id ? /^(\d+)\.m\.([A-Z0-9]+)\.[0-9a-f]+$/.exec(id) : null;
    if (minted && !triggers.has(id!)) triggers.set(id!, { at: Number(minted[1]), used: false, userId: minted[2]! });
    const t = id ? triggers.get(id) : undefined;
    if (!t) return fail("invalid_trigger_id");
    if (t.used) fail("exchanged_trigger_id");
    if (now() - t.at > TRIGGER_TTL_MS) fail("expired_trigger_id");
    check();
    t.used = true;
    return t;
  }

  function viewJson(rec: Omit<ViewRec, "view">, v: Obj): Record<string, unknown> {
    const type = v.type as string;
    return {
      id: rec.id,
      team_id: teamId,
      type,
      blocks: withBlockIds((v.blocks as unknown[]) ?? []),
      private_metadata: str(v.private_metadata) ?? "",
      callback_id: str(v.callback_id) ?? "",
      state: { values: {} },
      hash: rec.hash,
      title: v.title ?? null,
      clear_on_close: bool(v.clear_on_close),
      notify_on_close: bool(v.notify_on_close),
      close: v.close ?? null,
      submit: v.submit ?? null,
      previous_view_id: type === "modal" ? rec.previousId : null,
      root_view_id: type === "modal" ? rec.rootId : null,
      app_id: appId,
      external_id: str(v.external_id) ?? "",
      app_installed_team_id: teamId,
      bot_id: botId,
    };
  }
  const newHash = () => `${seconds()}.${randomBytes(4).toString("hex")}`;
  function validView(a: Args, kind: "modal" | "home"): Obj {
    const errors = checkView(a.view, kind);
    if (errors.length) fail("invalid_arguments", { response_metadata: { messages: errors } });
    return a.view as Obj;
  }
  function openModal(userId: string, v: Obj, stack: string[]): Record<string, unknown> {
    const id = newId("V");
    const rec: ViewRec = {
      id,
      userId,
      hash: newHash(),
      rootId: stack[0] ?? id,
      previousId: stack[stack.length - 1] ?? null,
      view: {},
    };
    rec.view = viewJson(rec, v);
    views.set(id, rec);
    stack.push(id);
    stacks.set(userId, stack);
    return rec.view;
  }

  // --- Methods -------------------------------------------------------------------------------

  const methods: Record<string, (a: Args) => Obj> = {
    "auth.test": () => ({
      url: `https://${teamDomain}.slack.com/`,
      team: teamName,
      user: users.get(botUserId)?.name ?? "muster",
      team_id: teamId,
      user_id: botUserId,
      bot_id: botId,
      is_enterprise_install: false,
    }),

    "conversations.create": (a) => {
      const name = str(a.name) ?? "";
      if (name === "") fail("invalid_name_required");
      if (name.length > 80) fail("invalid_name_maxlength");
      if (!/^[a-z0-9_-]+$/.test(name)) fail("invalid_name_specials");
      if (/^[-_]+$/.test(name)) fail("invalid_name_punctuation");
      for (const ch of channels.values()) if (!ch.isIm && ch.name === name) fail("name_taken");
      const ch = addChannel({ name, isPrivate: bool(a.is_private), members: [botUserId], creator: botUserId });
      return { channel: channelJson(ch, { is_member: true }) };
    },

    "conversations.invite": (a) => {
      const ch = visibleChannel(str(a.channel));
      if (ch.isIm) fail("method_not_supported_for_channel_type");
      if (ch.isArchived) fail("is_archived");
      if (!isMember(ch)) fail("not_in_channel");
      const ids = (str(a.users) ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      if (ids.length === 0) fail("no_user");
      if (ids.length > MAX_INVITE) fail("too_many_users");
      const errors: { user: string; ok: false; error: string }[] = [];
      for (const id of ids) {
        const u = users.get(id);
        const error =
          id === botUserId
            ? "cant_invite_self"
            : !u
              ? "user_not_found"
              : u.deleted
                ? "cant_invite"
                : ch.members.has(id)
                  ? "already_in_channel"
                  : undefined;
        if (error) errors.push({ user: id, ok: false, error });
        else ch.members.add(id);
      }
      if (errors.length) fail(errors[0]!.error, { errors });
      return { channel: channelJson(ch) };
    },

    "conversations.setTopic": (a) => {
      const ch = visibleChannel(str(a.channel));
      writable(ch);
      const topic = str(a.topic) ?? "";
      if (topic.length > 250) fail("too_long");
      ch.topic = topic;
      return { channel: channelJson(ch) };
    },

    "conversations.setPurpose": (a) => {
      const ch = visibleChannel(str(a.channel));
      writable(ch);
      const purpose = str(a.purpose) ?? "";
      if (purpose.length > 250) fail("too_long");
      ch.purpose = purpose;
      return { channel: channelJson(ch) };
    },

    "conversations.archive": (a) => {
      const ch = visibleChannel(str(a.channel));
      if (ch.isIm) fail("method_not_supported_for_channel_type");
      if (ch.isArchived) fail("already_archived");
      if (!isMember(ch)) fail("not_in_channel");
      ch.isArchived = true;
      return {};
    },

    // A bot can unarchive only a channel it can see (a private one it was a member of).
    "conversations.unarchive": (a) => {
      const ch = visibleChannel(str(a.channel));
      if (ch.isIm) fail("method_not_supported_for_channel_type");
      if (!ch.isArchived) fail("not_archived");
      ch.isArchived = false;
      return {};
    },

    "conversations.info": (a) => {
      const ch = visibleChannel(str(a.channel));
      return { channel: channelJson(ch, bool(a.include_num_members) ? { num_members: ch.members.size } : {}) };
    },

    "conversations.list": (a) => {
      const types = new Set((str(a.types) || "public_channel").split(",").map((t) => t.trim()));
      for (const t of types)
        if (!["public_channel", "private_channel", "mpim", "im"].includes(t)) fail("invalid_types");
      const excludeArchived = bool(a.exclude_archived);
      const list = [...channels.values()].filter((ch) => {
        if (excludeArchived && ch.isArchived) return false;
        if (ch.isIm) return types.has("im");
        if (ch.isPrivate) return types.has("private_channel") && isMember(ch);
        return types.has("public_channel");
      });
      const { items, next } = page(list, a, 100, 1000);
      return {
        channels: items.map((ch) => channelJson(ch, ch.isIm ? {} : { num_members: ch.members.size })),
        response_metadata: { next_cursor: next },
      };
    },

    "conversations.join": (a) => {
      const ch = visibleChannel(str(a.channel));
      if (ch.isIm || ch.isPrivate) fail("method_not_supported_for_channel_type");
      if (ch.isArchived) fail("is_archived");
      if (isMember(ch))
        return {
          channel: channelJson(ch),
          warning: "already_in_channel",
          response_metadata: { warnings: ["already_in_channel"] },
        };
      ch.members.add(botUserId);
      return { channel: channelJson(ch) };
    },

    "conversations.members": (a) => {
      const ch = visibleChannel(str(a.channel));
      const { items, next } = page([...ch.members], a, 100, 1000);
      return { members: items, response_metadata: { next_cursor: next } };
    },

    "conversations.open": (a) => {
      const ids = (str(a.users) ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      if (ids.length === 0) {
        const channel = str(a.channel);
        if (!channel) fail("users_list_not_supplied");
        const ch = visibleChannel(channel);
        if (!ch.isIm) fail("method_not_supported_for_channel_type");
        return { channel: { id: ch.id }, no_op: true, already_open: true };
      }
      if (ids.length > 1) fail("not_supported_by_emulator"); // group DMs: muster does not use them
      const id = ids[0]!;
      const u = users.get(id);
      if (!u) fail("user_not_found");
      if (u!.deleted) fail("user_disabled");
      if (u!.isBot) fail("cannot_dm_bot");
      const existed = dms.has(id);
      const ch = openDm(id);
      return existed ? { channel: { id: ch.id }, no_op: true, already_open: true } : { channel: { id: ch.id } };
    },

    "conversations.history": (a) => {
      const ch = visibleChannel(str(a.channel));
      if (!isMember(ch)) fail("not_in_channel");
      const latest = str(a.latest);
      const oldest = str(a.oldest);
      const inclusive = bool(a.inclusive);
      const list = (posts.get(ch.id) ?? [])
        .filter(isTopLevel)
        .filter((m) => {
          const t = Number(m.ts);
          if (latest !== undefined && (inclusive ? t > Number(latest) : t >= Number(latest))) return false;
          if (oldest !== undefined && (inclusive ? t < Number(oldest) : t <= Number(oldest))) return false;
          return true;
        })
        .reverse();
      const { items, next } = page(list, a, 100, 999);
      const withMetadata = bool(a.include_all_metadata);
      return {
        messages: items.map((m) => messageJson(m, withMetadata)),
        has_more: next !== "",
        pin_count: ch.pins.size,
        channel_actions_ts: null,
        channel_actions_count: 0,
        response_metadata: { next_cursor: next },
      };
    },

    "conversations.replies": (a) => {
      const ch = visibleChannel(str(a.channel));
      if (!isMember(ch)) fail("not_in_channel");
      const ts = required(a, "ts");
      const hit = findMessage(ch.id, ts);
      if (!hit) fail("thread_not_found");
      const parentTs = hit!.threadTs ?? hit!.ts;
      const parent = findMessage(ch.id, parentTs);
      const list = [...(parent ? [parent] : []), ...repliesOf(ch.id, parentTs)];
      const { items, next } = page(list, a, 1000, 1000);
      const withMetadata = bool(a.include_all_metadata);
      return {
        messages: items.map((m) => messageJson(m, withMetadata)),
        has_more: next !== "",
        response_metadata: { next_cursor: next },
      };
    },

    "chat.postMessage": (a) => {
      const ch = resolvePostChannel(required(a, "channel", "channel_not_found"));
      if (enforceRateLimits) {
        const wait = takeToken(`post:${ch.id}`, POST_BURST, POST_PER_SECOND / 1000);
        if (wait) throw new RateLimited(wait);
      }
      writable(ch);
      const blocks = parseBlocks(a, "message");
      const metadata = parseMetadata(a);
      if ((str(a.text) ?? "") === "" && !blocks?.length && !a.attachments) fail("no_text");
      const { text, warning } = messageText(a);
      const threadTs = str(a.thread_ts) || undefined;
      const m: SlackMessage = {
        channel: ch.id,
        ts: newTs(),
        user: botUserId,
        text,
        blocks: withBlockIds(blocks ?? []),
        ...(threadTs ? { threadTs } : {}),
        ...(metadata ? { metadata } : {}),
      };
      posts.get(ch.id)!.push(m);
      return {
        channel: ch.id,
        ts: m.ts,
        message: messageJson(m, true),
        ...(warning ? { warning, response_metadata: { warnings: [warning] } } : {}),
      };
    },

    "chat.update": (a) => {
      const ch = visibleChannel(str(a.channel));
      if (ch.isArchived) fail("is_archived");
      const m = findMessage(ch.id, required(a, "ts", "message_not_found"));
      if (!m) return fail("message_not_found");
      if (m.user !== botUserId) fail("cant_update_message");
      const blocks = parseBlocks(a, "message");
      const metadata = parseMetadata(a);
      if (a.text === undefined && blocks === undefined) fail("no_text");
      if (a.text !== undefined) m.text = messageText(a).text;
      if (blocks !== undefined) m.blocks = withBlockIds(blocks);
      if (metadata) m.metadata = metadata;
      m.edited = { ts: newTs() };
      return { channel: ch.id, ts: m.ts, text: m.text, message: messageJson(m, true) };
    },

    "chat.postEphemeral": (a) => {
      const ch = visibleChannel(str(a.channel));
      if (ch.isArchived) fail("is_archived");
      const userId = required(a, "user", "user_not_found");
      if (!users.has(userId)) fail("user_not_found");
      if (!ch.members.has(userId)) fail("user_not_in_channel");
      const blocks = parseBlocks(a, "message");
      if ((str(a.text) ?? "") === "" && !blocks?.length && !a.attachments) fail("no_text");
      const threadTs = str(a.thread_ts) || undefined;
      const m: SlackMessage = {
        channel: ch.id,
        ts: newTs(),
        user: botUserId,
        text: messageText(a).text,
        blocks: withBlockIds(blocks ?? []),
        ephemeralTo: userId,
        ...(threadTs ? { threadTs } : {}),
      };
      ephemerals.push(m);
      return { message_ts: m.ts };
    },

    "chat.getPermalink": (a) => {
      const ch = visibleChannel(str(a.channel));
      const m = findMessage(ch.id, required(a, "message_ts", "message_not_found"));
      if (!m) return fail("message_not_found");
      const base = `https://${teamDomain}.slack.com/archives/${ch.id}/p${m.ts.replace(".", "")}`;
      const permalink = isTopLevel(m) ? base : `${base}?thread_ts=${m.threadTs}&cid=${ch.id}`;
      return { channel: ch.id, permalink };
    },

    "pins.add": (a) => {
      const ch = visibleChannel(str(a.channel));
      writable(ch);
      const ts = required(a, "timestamp", "no_item_specified");
      if (!findMessage(ch.id, ts)) fail("message_not_found");
      if (ch.pins.has(ts)) fail("already_pinned");
      ch.pins.add(ts);
      return {};
    },

    "bookmarks.add": (a) => {
      const ch = visibleChannel(str(a.channel_id));
      writable(ch);
      const title = str(a.title) ?? "";
      if (title === "" || title.length > 256) fail("invalid_title");
      if (str(a.type) !== "link") fail("invalid_bookmark_type");
      const link = str(a.link) ?? "";
      let okLink = false;
      try {
        const u = new URL(link);
        okLink = (u.protocol === "http:" || u.protocol === "https:") && link.length <= 2048;
      } catch {
        okLink = false;
      }
      if (!okLink) fail("invalid_link");
      const bookmark = { id: newId("Bk"), title, link, type: "link" };
      ch.bookmarks.push(bookmark);
      return { bookmark: bookmarkJson(ch, bookmark) };
    },

    "bookmarks.edit": (a) => {
      const ch = visibleChannel(str(a.channel_id));
      writable(ch);
      const bookmark = ch.bookmarks.find((b) => b.id === str(a.bookmark_id));
      if (!bookmark) fail("not_found");
      const title = str(a.title);
      if (title !== undefined && (title === "" || title.length > 256)) fail("invalid_title");
      const link = str(a.link);
      if (link !== undefined) {
        let okLink = false;
        try {
          const u = new URL(link);
          okLink = (u.protocol === "http:" || u.protocol === "https:") && link.length <= 2048;
        } catch {
          okLink = false;
        }
        if (!okLink) fail("invalid_link");
        bookmark!.link = link;
      }
      if (title !== undefined) bookmark!.title = title;
      return { bookmark: bookmarkJson(ch, bookmark!) };
    },

    "bookmarks.list": (a) => {
      const ch = visibleChannel(str(a.channel_id));
      if (!isMember(ch)) fail("not_in_channel");
      return { bookmarks: ch.bookmarks.map((b) => bookmarkJson(ch, b)) };
    },

    "views.open": (a) => {
      let v: Obj = {};
      const t = consumeTrigger(str(a.trigger_id), () => {
        v = validView(a, "modal");
      });
      return { view: openModal(t.userId, v, []) };
    },

    "views.push": (a) => {
      let v: Obj = {};
      let stack: string[] = [];
      const t = consumeTrigger(str(a.trigger_id), () => {
        v = validView(a, "modal");
        stack = [...(stacks.get(triggers.get(str(a.trigger_id)!)!.userId) ?? [])];
        if (stack.length >= 3) fail("push_limit_reached");
      });
      return { view: openModal(t.userId, v, stack) };
    },

    "views.update": (a) => {
      const viewId = str(a.view_id);
      const externalId = str(a.external_id);
      if (!viewId && !externalId) fail("invalid_arguments");
      const rec = viewId
        ? views.get(viewId)
        : [...views.values()].reverse().find((r) => r.view.external_id === externalId);
      if (!rec || !(stacks.get(rec.userId) ?? []).includes(rec.id)) return fail("not_found");
      const hash = str(a.hash);
      if (hash && hash !== rec.hash) fail("hash_conflict");
      const v = validView(a, "modal");
      rec.hash = newHash();
      rec.view = viewJson(rec, v);
      return { view: rec.view };
    },

    "views.publish": (a) => {
      const userId = required(a, "user_id", "user_not_found");
      if (!users.has(userId)) fail("user_not_found");
      const v = validView(a, "home");
      const current = homeViews.get(userId);
      const hash = str(a.hash);
      if (hash && current && hash !== current.hash) fail("hash_conflict");
      let id = homeIds.get(userId);
      if (!id) {
        id = newId("V");
        homeIds.set(userId, id);
      }
      const out = viewJson({ id, userId, hash: newHash(), rootId: id, previousId: null }, v);
      homeViews.set(userId, out);
      return { view: out };
    },

    "users.info": (a) => {
      const u = users.get(str(a.user) ?? "");
      if (!u) return fail("user_not_found");
      return { user: userJson(u) };
    },

    "users.lookupByEmail": (a) => {
      const email = (str(a.email) ?? "").toLowerCase();
      const u = [...users.values()].find((x) => !x.deleted && x.email !== "" && x.email.toLowerCase() === email);
      if (!u) return fail("users_not_found");
      return { user: userJson(u) };
    },

    "usergroups.users.list": (a) => {
      const g = usergroups.get(str(a.usergroup) ?? "");
      if (!g) return fail("no_such_subteam");
      return { users: [...g] };
    },
  };

  function bookmarkJson(ch: SlackChannel, b: SlackChannel["bookmarks"][number]): Obj {
    return {
      ...b,
      channel_id: ch.id,
      emoji: null,
      icon_url: null,
      entity_id: null,
      date_created: ch.created,
      date_updated: 0,
      rank: "U",
      last_updated_by_user_id: botUserId,
      last_updated_by_team_id: teamId,
      shortcut_id: null,
      app_id: appId,
    };
  }

  // --- Dispatch ------------------------------------------------------------------------------

  interface Reply {
    status: number;
    body: Obj;
    headers?: Record<string, string>;
  }

  function decide(method: string, args: Args, token: string | undefined): Reply {
    if (faults.down) return { status: 503, body: { ok: false, error: "service_unavailable" } };
    const handler = methods[method];
    if (!handler) return { status: 200, body: { ok: false, error: "unknown_method", req_method: method } };
    if (!token) return { status: 200, body: { ok: false, error: "not_authed" } };
    if (token !== botToken) return { status: 200, body: { ok: false, error: "invalid_auth" } };
    const limited = takeQueued(limitQueue, method);
    if (limited) return rateLimited(limited.retryAfter);
    const failure = takeQueued(failQueue, method);
    if (failure) return { status: 200, body: { ok: false, error: failure.error } };
    const chaos = rollChaos(faults.chaos);
    if (chaos === "rate_limit") return rateLimited(faults.chaos.retryAfterSeconds);
    if (chaos === "fail")
      return Math.random() < 0.5
        ? { status: 503, body: { ok: false, error: "service_unavailable" } }
        : { status: 200, body: { ok: false, error: "internal_error" } };
    const tier = TIER[method];
    if (enforceRateLimits && tier !== undefined) {
      const wait = takeToken(`method:${method}`, tier, tier / 60_000);
      if (wait) return rateLimited(wait);
    }
    try {
      const done = { ok: true, ...handler(args) };
      const lose = loseQueue.findIndex((l) => l.method === method && (!l.when || l.when(args)));
      if (lose >= 0) {
        if (--loseQueue[lose]!.left <= 0) loseQueue.splice(lose, 1);
        return { status: 502, body: { ok: false, error: "bad_gateway" } };
      }
      if (chaos === "lose_reply") {
        faults.chaos.injected.lostReplies++;
        return { status: 502, body: { ok: false, error: "bad_gateway" } };
      }
      return { status: 200, body: done };
    } catch (e) {
      if (e instanceof SlackApiError) return { status: 200, body: { ok: false, error: e.code, ...e.extra } };
      if (e instanceof RateLimited) return rateLimited(e.retryAfter);
      throw e;
    }
  }
  function rateLimited(retryAfter: number): Reply {
    return { status: 429, body: { ok: false, error: "ratelimited" }, headers: { "retry-after": String(retryAfter) } };
  }

  const JSON_FIELDS = ["blocks", "attachments", "metadata", "view"];
  function parseArgs(raw: string, contentType: string, query: URLSearchParams): { args: Args } | { error: string } {
    const args: Args = Object.fromEntries(query);
    const type = contentType.split(";")[0]!.trim().toLowerCase();
    if (raw.length > 0) {
      if (type === "application/json") {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          return { error: "invalid_json" };
        }
        if (!isObj(parsed)) return { error: "invalid_json" };
        const { token: _ignored, ...rest } = parsed; // Slack only reads the header for JSON bodies
        Object.assign(args, rest);
      } else if (type === "application/x-www-form-urlencoded" || type === "text/plain") {
        Object.assign(args, Object.fromEntries(new URLSearchParams(raw)));
      } else if (type === "") {
        return { error: "missing_post_type" };
      } else {
        return { error: "invalid_post_type" };
      }
    }
    for (const f of JSON_FIELDS) {
      const v = args[f];
      if (typeof v === "string" && v !== "") {
        try {
          args[f] = JSON.parse(v);
        } catch {
          return {
            error:
              f === "blocks" ? "invalid_blocks_format" : f === "view" ? "invalid_arguments" : `invalid_${f}_format`,
          };
        }
      }
    }
    return { args };
  }

  const { sleep, cancelAll } = cancellableSleeps();

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
      ...headers,
    });
    res.end(text);
  }

  async function onApi(req: IncomingMessage, res: ServerResponse, method: string, url: URL) {
    const raw = await readBody(req);
    const at = now();
    const latency = faults.methodLatencyMs[method] ?? faults.latencyMs;
    if (latency > 0) await sleep(latency);
    const parsed = parseArgs(raw, String(req.headers["content-type"] ?? ""), url.searchParams);
    const auth = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ""))?.[1];
    let reply: Reply;
    let args: Args = {};
    if ("error" in parsed) {
      reply = faults.down
        ? { status: 503, body: { ok: false, error: "service_unavailable" } }
        : { status: 200, body: { ok: false, error: parsed.error } };
    } else {
      args = parsed.args;
      const token = auth ?? str(args.token);
      reply = method === "apps.connections.open" ? openConnection(token) : decide(method, args, token);
    }
    const { token: _t, ...recorded } = args;
    calls.push({
      method,
      args: recorded,
      at,
      ok: reply.body.ok === true,
      ...(reply.body.ok === true ? {} : { error: String(reply.body.error) }),
      status: reply.status,
    });
    send(res, reply.status, reply.body, reply.headers);
  }

  async function onResponseUrl(req: IncomingMessage, res: ServerResponse, id: string) {
    const raw = await readBody(req);
    const at = now();
    if (faults.down) return send(res, 503, "service_unavailable");
    const minted = options.acceptMintedIds ? /^m\.(\d+)\.([A-Z0-9]+)\.([A-Z0-9]+)\.[0-9a-f]+$/.exec(id) : null;
    if (minted && !responseUrls.has(id))
      responseUrls.set(id, { at: Number(minted[1]), posts: 0, userId: minted[2]!, channelId: minted[3]! });
    const r = responseUrls.get(id);
    if (!r) return send(res, 404, "invalid_url");
    if (at - r.at > RESPONSE_URL_TTL_MS) return send(res, 404, "expired_url");
    if (r.posts >= RESPONSE_URL_MAX_POSTS) return send(res, 404, "used_url");
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return send(res, 400, "invalid_payload");
    }
    if (!isObj(body)) return send(res, 400, "invalid_payload");
    const text = str(body.text) ?? "";
    const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    if (!bool(body.delete_original) && text === "" && !blocks?.length) return send(res, 400, "no_text");
    if (blocks) {
      const c = new Check();
      checkBlocks(c, blocks, "message", "/blocks");
      if (c.errors.length) return send(res, 400, "invalid_blocks");
    }
    r.posts++;
    responseUrlPosts.push({ id, body, at });
    if (!bool(body.delete_original) && !bool(body.replace_original)) {
      if (body.response_type === "in_channel") {
        if (r.channelId) addChannelMessage({ channelId: r.channelId, text, blocks: blocks ?? [] });
      } else if (r.userId) {
        addEphemeral({ userId: r.userId, channelId: r.channelId ?? "", text, blocks: blocks ?? [] });
      }
    }
    send(res, 200, "ok");
  }

  function addEphemeral(o: { userId: string; channelId: string; text: string; blocks?: unknown[] }): SlackMessage {
    const m: SlackMessage = {
      channel: o.channelId,
      ts: newTs(),
      user: botUserId,
      text: o.text,
      blocks: withBlockIds(o.blocks ?? []),
      ephemeralTo: o.userId,
    };
    ephemerals.push(m);
    return m;
  }
  function addChannelMessage(o: { channelId: string; text: string; blocks?: unknown[] }): SlackMessage | undefined {
    const list = posts.get(o.channelId);
    if (!list) return undefined;
    const m: SlackMessage = {
      channel: o.channelId,
      ts: newTs(),
      user: botUserId,
      text: o.text,
      blocks: withBlockIds(o.blocks ?? []),
    };
    list.push(m);
    return m;
  }

  // Socket Mode: apps.connections.open hands out a one-use ws:// URL; the
  // app connects, gets "hello", and acknowledges each envelope by its id.
  const appToken = options.appToken ?? "xapp-1-A0MUSTER-1-test";
  const tickets = new Set<string>();
  const sockets = new Set<WebSocket>();
  const awaitingAck = new Map<string, (ack: { payload?: unknown }) => void>();
  const wss = new WebSocketServer({ noServer: true });
  function openConnection(token: string | undefined): Reply {
    if (!token) return { status: 200, body: { ok: false, error: "not_authed" } };
    if (token !== appToken)
      return {
        status: 200,
        body: { ok: false, error: token.startsWith("xapp-") ? "invalid_auth" : "not_allowed_token_type" },
      };
    const ticket = randomBytes(12).toString("hex");
    tickets.add(ticket);
    return {
      status: 200,
      body: { ok: true, url: `${baseUrl.replace(/^http/, "ws")}/link/?ticket=${ticket}&app_id=${appId}` },
    };
  }
  wss.on("connection", (ws) => {
    sockets.add(ws);
    ws.on("close", () => sockets.delete(ws));
    ws.on("message", (data) => {
      let m: { envelope_id?: string; payload?: unknown };
      try {
        m = JSON.parse(String(data));
      } catch {
        return;
      }
      if (m.envelope_id)
        awaitingAck.get(m.envelope_id)?.({ ...(m.payload === undefined ? {} : { payload: m.payload }) });
    });
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: sockets.size,
        debug_info: { host: "emulator", approximate_connection_time: 18060 },
        connection_info: { app_id: appId },
      }),
    );
  });
  const socketMode: SlackSocketMode = {
    appToken,
    connections: () => [...sockets].filter((w) => w.readyState === WebSocket.OPEN).length,
    deliver(type, payload) {
      const ws = [...sockets].find((w) => w.readyState === WebSocket.OPEN);
      if (!ws) return Promise.reject(new Error("no app is connected over Socket Mode"));
      const envelopeId = randomBytes(16).toString("hex");
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          awaitingAck.delete(envelopeId);
          reject(new Error(`the app did not acknowledge the ${type} envelope within 3 s`));
        }, 3_000);
        awaitingAck.set(envelopeId, (ack) => {
          clearTimeout(timer);
          awaitingAck.delete(envelopeId);
          resolve(ack);
        });
        ws.send(
          JSON.stringify({
            envelope_id: envelopeId,
            type,
            payload,
            accepts_response_payload: type !== "events_api",
            retry_attempt: 0,
            retry_reason: "",
          }),
        );
      });
    },
  };

  const openid = await createSlackOidc({
    baseUrl: () => baseUrl,
    teamId,
    users,
    clients: options.oidcClients ?? [],
    now,
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", baseUrl || "http://127.0.0.1");
    const api = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
    const hook = /^\/response\/([A-Za-z0-9_.-]+)$/.exec(url.pathname);
    const work = openid
      .handle(req, res, url)
      .then((served) =>
        served
          ? undefined
          : req.method === "POST" && api
            ? onApi(req, res, api[1]!, url)
            : req.method === "POST" && hook
              ? onResponseUrl(req, res, hook[1]!)
              : Promise.resolve(send(res, 404, "not_found")),
      );
    work.catch((e: unknown) => {
      // An emulator bug: answer like Slack's 500 but make it loud in the test output.
      console.error("slack emulator:", e);
      if (!res.headersSent) send(res, 500, { ok: false, error: "internal_error" });
      else res.end();
    });
  });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", baseUrl);
    const ticket = url.searchParams.get("ticket") ?? "";
    if (url.pathname !== "/link/" || !tickets.delete(ticket)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const clone = (m: SlackMessage): SlackMessage => structuredClone(m);

  const emulator: SlackEmulator = {
    url: `${baseUrl}/api/`,
    botToken,
    teamId,
    botUserId,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    responseUrlPosts,
    newResponseUrl(userId, channelId) {
      const id = randomBytes(12).toString("hex");
      responseUrls.set(id, {
        at: now(),
        posts: 0,
        ...(userId ? { userId } : {}),
        ...(channelId ? { channelId } : {}),
      });
      return `${baseUrl}/response/${id}`;
    },
    newTriggerId(userId) {
      const id = `${Math.floor(now())}.${Date.now() % 100_000_000_000}.${randomBytes(16).toString("hex")}`;
      triggers.set(id, { at: now(), used: false, userId: userId ?? "" });
      return id;
    },
    users,
    channels,
    channelByName: (name) => [...channels.values()].find((c) => !c.isIm && c.name === name),
    messages(channelId, opts) {
      const list = posts.get(channelId) ?? [];
      return (opts?.threads ? list : list.filter(isTopLevel)).map(clone);
    },
    allMessages: () =>
      allPosts()
        .sort((x, y) => Number(x.ts) - Number(y.ts))
        .map(clone),
    ephemeralsFor: (userId) => ephemerals.filter((m) => m.ephemeralTo === userId).map(clone),
    views,
    homeViews,
    dmChannelOf: (userId) => dms.get(userId),
    archiveChannel(channelId) {
      const ch = channels.get(channelId);
      if (!ch || ch.isIm) throw new Error(`No channel ${channelId} in the emulator`);
      ch.isArchived = true;
    },
    deleteChannel(channelId) {
      if (!channels.delete(channelId)) throw new Error(`No channel ${channelId} in the emulator`);
      posts.delete(channelId);
    },
    removeBookmark(channelId, title) {
      const ch = channels.get(channelId);
      if (!ch) throw new Error(`No channel ${channelId} in the emulator`);
      ch.bookmarks = ch.bookmarks.filter((b) => b.title !== title);
    },
    faults,
    socketMode,
    oidc: openid.oidc,
    async close() {
      cancelAll();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await closeServer(server);
    },
  };

  hooksOf.set(emulator, {
    appId,
    botId,
    teamDomain,
    verificationToken,
    openViews: (userId) => [...(stacks.get(userId) ?? [])],
    addEphemeral,
    addChannelMessage,
    applyViewAck(userId, viewId, ack) {
      const stack = stacks.get(userId) ?? [];
      const at = stack.indexOf(viewId);
      if (at < 0) return;
      const action = isObj(ack) ? ack.response_action : undefined;
      if (action === "errors") return;
      if (action === "clear") {
        stacks.set(userId, []);
        return;
      }
      if (action === "update" && isObj(ack) && isObj(ack.view)) {
        const rec = views.get(viewId)!;
        rec.hash = newHash();
        rec.view = viewJson(rec, ack.view);
        return;
      }
      if (action === "push" && isObj(ack) && isObj(ack.view)) {
        if (stack.length < 3) openModal(userId, ack.view, stack);
        return;
      }
      // A plain ack closes the submitted view (and anything above it).
      stacks.set(userId, stack.slice(0, at));
    },
  });
  return emulator;
}

/** UTC offset of a time zone in seconds, as Slack's `tz_offset`. */
function tzOffsetSeconds(tz: string, at: number): number {
  try {
    const part = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" })
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")?.value;
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(part ?? "");
    if (!m) return 0;
    return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
  } catch {
    return 0;
  }
}
