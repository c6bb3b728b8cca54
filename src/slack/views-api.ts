// The Web API calls a person is waiting on: views.open (its trigger_id
// lives 3 s), views.publish (App Home, on opening the tab), and the
// ephemeral notes and DMs that answer them.
//
// These go straight to Slack as JSON on pooled keep-alive connections, one
// attempt each: a retry would find the trigger spent or expired, and the
// person has already moved on; a retried post after a lost answer would
// post twice (a DM is retried here only where it can be looked up). Under `npm run bench:ack`, @slack/web-api
// spent about 1 ms of CPU per views.open (it redacts and serialises the whole
// modal for a debug line even when debug is off, form-encodes it, and runs
// it through its queue, retry wrapper and fetch); this spends about a third.
// Everything else (the outbox's calls, reads in listeners) keeps the
// WebClient, with its retries and rate-limit handling.
//
// Failures are @slack/web-api's own error classes, so callers and the one
// error mapper read both clients' errors the same way.
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from "@slack/web-api";
import { Agent, request } from "undici";
import { METADATA_EVENT } from "./ids.js";
import type { Message } from "./views/blocks.js";

export interface SlackViews {
  /** Opens a modal from a trigger_id. */
  open(triggerId: string, view: object): Promise<void>;
  /** Publishes a user's App Home. */
  publish(userId: string, view: object): Promise<void>;
  /** An ephemeral message, one attempt (an ephemeral cannot be looked up: a retry after a lost answer would show it twice). */
  ephemeral(channel: string, userId: string, msg: Message): Promise<void>;
  /**
   * A direct message, posted at most once per `key` (see `dmOnce`).
   * `lookFirst`: an earlier attempt may have posted it (Slack's retry of the request).
   */
  dm(userId: string, key: string, msg: Message, o?: { lookFirst?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** Tries of a DM; each after a short pause (a person is waiting for it). */
const DM_TRIES = 3;
/** Slack errors a call may meet on a bad moment, worth another try. */
export const TRANSIENT = new Set(["internal_error", "fatal_error", "service_unavailable", "request_timeout"]);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function slackViews(o: { apiUrl: string; token: string | undefined; timeoutMs?: number }): SlackViews {
  const base = o.apiUrl.endsWith("/") ? o.apiUrl : `${o.apiUrl}/`;
  const timeout = o.timeoutMs ?? 10_000;
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, headersTimeout: timeout, bodyTimeout: timeout });
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  if (o.token) headers.authorization = `Bearer ${o.token}`;

  async function call(method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    let status: number;
    let text: string;
    let responseHeaders: Record<string, string | string[] | undefined>;
    try {
      const res = await request(base + method, {
        method: "POST",
        dispatcher,
        headers,
        body: JSON.stringify(args),
      });
      status = res.statusCode;
      responseHeaders = res.headers;
      text = await res.body.text();
    } catch (e) {
      throw new WebAPIRequestError(e instanceof Error ? e : new Error(String(e)));
    }
    if (status === 429) {
      throw new WebAPIRateLimitedError(Number(responseHeaders["retry-after"] ?? 1) || 1);
    }
    if (status !== 200) {
      const flat = Object.fromEntries(
        Object.entries(responseHeaders).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]),
      );
      throw new WebAPIHTTPError(status, "", flat);
    }
    let result: { ok?: boolean; error?: string; response_metadata?: { messages?: string[] } };
    try {
      result = JSON.parse(text);
    } catch (e) {
      throw new WebAPIRequestError(e as Error);
    }
    if (!result.ok) throw new WebAPIPlatformError({ ...result, ok: false, error: result.error ?? "unknown_error" });
    return result;
  }

  /** Whether the DM named `key` is among the person's recent DMs from muster. */
  async function posted(userId: string, key: string): Promise<boolean> {
    const open = (await call("conversations.open", { users: userId })) as { channel?: { id?: string } };
    const history = (await call("conversations.history", {
      channel: open.channel?.id,
      limit: 100,
      include_all_metadata: true,
    })) as { messages?: { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }[] };
    return (history.messages ?? []).some(
      (m) => m.metadata?.event_type === METADATA_EVENT && m.metadata.event_payload?.ref === `reply:${key}`,
    );
  }

  /**
   * A DM from the request path, where there is no outbox: the message
   * carries metadata naming it, and after an answer that may have been lost
   * (a 5xx, a dropped connection, a timeout) the person's DMs are searched
   * for it before it is posted again. The reliability suite found a DM
   * posted twice: Bolt's WebClient retried chat.postMessage after Slack had
   * posted it and lost the answer.
   */
  async function dmOnce(userId: string, key: string, msg: Message, o: { lookFirst?: boolean } = {}): Promise<void> {
    let uncertain = o.lookFirst ?? false;
    let last: unknown;
    for (let attempt = 0; attempt < DM_TRIES; attempt++) {
      try {
        if (uncertain && (await posted(userId, key))) return;
        await call("chat.postMessage", {
          channel: userId,
          text: msg.text,
          blocks: msg.blocks,
          unfurl_links: false,
          metadata: { event_type: METADATA_EVENT, event_payload: { ref: `reply:${key}` } },
        });
        return;
      } catch (e) {
        last = e;
        if (e instanceof WebAPIRateLimitedError) {
          // Refused before anything was posted.
          await pause(Math.min(3_000, e.retryAfter * 1000));
          continue;
        }
        if (e instanceof WebAPIPlatformError) {
          // Slack answered: nothing was posted.
          if (!TRANSIENT.has(e.data.error)) throw e;
        } else uncertain = true;
        await pause(200 * (attempt + 1));
      }
    }
    throw last;
  }

  return {
    open: async (triggerId, view) => {
      await call("views.open", { trigger_id: triggerId, view });
    },
    publish: async (userId, view) => {
      await call("views.publish", { user_id: userId, view });
    },
    ephemeral: async (channel, userId, msg) => {
      await call("chat.postEphemeral", { channel, user: userId, text: msg.text, blocks: msg.blocks });
    },
    dm: dmOnce,
    close: () => dispatcher.close(),
  };
}
