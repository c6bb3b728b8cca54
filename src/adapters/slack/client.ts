// Slack Web API calls the worker makes, with Slack's failures mapped to
// what the worker should do about them.
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  type WebClient,
} from "@slack/web-api";
import { GiveUp, RetryLater } from "../../jobs/errors.js";
import type { RefStore } from "../../jobs/ports.js";
import { METADATA_EVENT } from "../../slack/ids.js";
import type { Message } from "../../slack/views/blocks.js";

export const slackErrorCode = (e: unknown): string | undefined =>
  e instanceof WebAPIPlatformError ? e.data.error : undefined;

/** Errors that retrying will not fix, with what to tell the IC. */
const PERMANENT: Record<string, string> = {
  channel_not_found: "the incident channel no longer exists",
  is_archived: "the incident channel is archived",
  not_in_channel: "muster is not in the channel",
  restricted_action: "the workspace does not let muster do this",
  missing_scope: "the Slack app lacks a permission (reinstall it from manifest.yml)",
  not_authed: "the Slack token is missing",
  invalid_auth: "the Slack token is invalid",
  account_inactive: "the Slack token was revoked",
  user_not_found: "a user could not be found",
  user_disabled: "the user's account is deactivated",
  cannot_dm_bot: "the user is a bot",
};

/**
 * Recent rate limits per kind of call. Jobs queued behind a tier (a burst of
 * incidents wants a hundred bookmarks, Slack takes twenty a minute) would all
 * come back the moment Retry-After ends and all but one be refused again;
 * each is sent back at a random point of the time the backlog needs instead.
 */
const recentLimits = new Map<string, number[]>();
const LIMIT_MEMORY_MS = 60_000;

function backlogWaitMs(what: string, retryAfterMs: number, now = Date.now()): number {
  // One backlog per kind of call: "post a message (slack_message:event:42)" is "post a message".
  const kind = what.replace(/\s*\(.*\)$/, "");
  const times = (recentLimits.get(kind) ?? []).filter((t) => now - t < LIMIT_MEMORY_MS);
  times.push(now);
  recentLimits.set(kind, times);
  return retryAfterMs + Math.random() * retryAfterMs * Math.min(times.length - 1, 100);
}

/** Turns a Web API error into RetryLater (rate limits, outages) or GiveUp. */
export function slackFailure(e: unknown, what: string): Error {
  if (e instanceof WebAPIRateLimitedError)
    return new RetryLater(`Slack rate-limited ${what}`, backlogWaitMs(what, e.retryAfter * 1000), { cause: e });
  if (e instanceof WebAPIRequestError || e instanceof WebAPIHTTPError)
    return new RetryLater(`Slack unreachable for ${what}`, null, { cause: e });
  const code = slackErrorCode(e);
  if (code && PERMANENT[code]) return new GiveUp(`${what}: ${PERMANENT[code]} (${code})`, { cause: e });
  if (code) return new RetryLater(`Slack refused ${what}: ${code}`, null, { cause: e });
  return e instanceof Error ? e : new Error(String(e));
}

export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw slackFailure(e, what);
  }
}

export type Msg = Message;

/**
 * Posts a message exactly once per `refKind`. The message carries metadata
 * naming it, so if a previous attempt may have posted it (its intent is
 * recorded but no result), the channel's recent history is searched first.
 */
export async function postOnce(
  client: WebClient,
  refs: RefStore,
  o: { incidentId: string; refKind: string; channel: string; msg: Msg; threadTs?: string; now: Date },
): Promise<{ ts: string; channel: string }> {
  const existing = await refs.get(o.incidentId, o.refKind);
  if (existing?.externalId) return { ts: existing.externalId, channel: String(existing.data?.channel ?? o.channel) };
  const fresh = existing ? false : await refs.markIntent(o.incidentId, o.refKind, o.now);
  if (!fresh) {
    const found = await findPosted(client, o.channel, o.incidentId, o.refKind, o.threadTs);
    if (found) {
      await refs.put(
        { incidentId: o.incidentId, kind: o.refKind, externalId: found, url: null, data: { channel: o.channel } },
        o.now,
      );
      return { ts: found, channel: o.channel };
    }
  }
  const r = await call(`post a message (${o.refKind})`, () =>
    client.chat.postMessage({
      channel: o.channel,
      text: o.msg.text,
      blocks: o.msg.blocks,
      ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
      unfurl_links: false,
      metadata: { event_type: METADATA_EVENT, event_payload: { incident_id: o.incidentId, ref: o.refKind } },
    }),
  );
  const ts = r.ts as string;
  const channel = (r.channel as string) ?? o.channel;
  await refs.put({ incidentId: o.incidentId, kind: o.refKind, externalId: ts, url: null, data: { channel } }, o.now);
  return { ts, channel };
}

async function findPosted(client: WebClient, channel: string, incidentId: string, refKind: string, threadTs?: string) {
  const r = await call("read channel history", () =>
    threadTs
      ? client.conversations.replies({ channel, ts: threadTs, limit: 200, include_all_metadata: true } as never)
      : client.conversations.history({ channel, limit: 200, include_all_metadata: true }),
  );
  const messages = (
    r as { messages?: { ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }[] }
  ).messages;
  const hit = messages?.find(
    (m) =>
      m.metadata?.event_type === METADATA_EVENT &&
      m.metadata.event_payload?.incident_id === incidentId &&
      m.metadata.event_payload?.ref === refKind,
  );
  return hit?.ts ?? null;
}

/** Opens (or finds) the DM channel with a user. */
export async function dmChannel(client: WebClient, userId: string): Promise<string> {
  const r = await call("open a direct message", () => client.conversations.open({ users: userId }));
  return (r.channel as { id: string }).id;
}

/**
 * A channel named in settings (a name or an id), looked up once: muster joins
 * it the first time (public channels). `setting` names what to fix when it is missing.
 */
export function settingsChannel(client: WebClient, nameOrId: string, setting: string): () => Promise<string> {
  let id: string | null = /^[CG][A-Z0-9]{6,}$/.test(nameOrId) ? nameOrId : null;
  return async () => {
    if (id) return id;
    let cursor: string | undefined;
    do {
      const page = await call("list channels", () =>
        client.conversations.list({
          types: "public_channel,private_channel",
          exclude_archived: true,
          limit: 200,
          cursor,
        }),
      );
      const hit = page.channels?.find((c) => c.name === nameOrId);
      if (hit?.id) {
        if (!hit.is_member && !hit.is_private)
          await call(`join #${nameOrId}`, () => client.conversations.join({ channel: hit.id! }));
        id = hit.id;
        return hit.id;
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    throw new GiveUp(`the channel #${nameOrId} does not exist (${setting})`);
  };
}
