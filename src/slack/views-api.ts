// The Web API calls a person is waiting on: views.open (its trigger_id
// lives 3 s) and views.publish (App Home, on opening the tab).
//
// These go straight to Slack as JSON on pooled keep-alive connections, one
// attempt each: a retry would find the trigger spent or expired, and the
// person has already moved on. Under `npm run bench:ack`, @slack/web-api
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

export interface SlackViews {
  /** Opens a modal from a trigger_id. */
  open(triggerId: string, view: object): Promise<void>;
  /** Publishes a user's App Home. */
  publish(userId: string, view: object): Promise<void>;
  close(): Promise<void>;
}

export function slackViews(o: { apiUrl: string; token: string | undefined; timeoutMs?: number }): SlackViews {
  const base = o.apiUrl.endsWith("/") ? o.apiUrl : `${o.apiUrl}/`;
  const timeout = o.timeoutMs ?? 10_000;
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, headersTimeout: timeout, bodyTimeout: timeout });
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  if (o.token) headers.authorization = `Bearer ${o.token}`;

  async function call(method: string, args: Record<string, unknown>): Promise<void> {
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
  }

  return {
    open: (triggerId, view) => call("views.open", { trigger_id: triggerId, view }),
    publish: (userId, view) => call("views.publish", { user_id: userId, view }),
    close: () => dispatcher.close(),
  };
}
