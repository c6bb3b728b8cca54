// Stands in front of Bolt's receivers (HTTP and Socket Mode) and lets through
// only requests Bolt and muster's listeners can use. Bolt trusts the shape of a signed body: a
// payload that decodes to JSON `null` made its receiver read `body.ssl_check`
// on null, and the TypeError escaped as an unhandled rejection that ended the
// process. Other malformed payloads reached listeners and came back as 500s,
// and kinds muster does not listen for waited 3 s for an acknowledgement that
// never came. Here every request is read once (Bolt reuses the buffer), its
// signature and age are checked, its body is parsed exactly as Bolt parses
// it, and then:
//   - a bad signature or an old (or future) timestamp: 401;
//   - a body that is not an object, or lacks what its kind must carry: 400;
//   - a well-formed kind muster does not handle: an empty 200 at once;
//   - everything else: on to Bolt.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { parse as parseQuery } from "node:querystring";
import { isValidSlackRequest } from "@slack/bolt";
import type { SocketModeClient } from "@slack/socket-mode";
import type { Logger } from "pino";
import { COMMAND, EVENT } from "./ids.js";

export const SLACK_EVENTS_PATH = "/slack/events";

/** Slack's payloads are small; a view submission is at most a few hundred kB. */
const BODY_LIMIT = 1024 * 1024;
/** Slack's rule: a request whose timestamp is more than 5 minutes from now is a replay. */
const MAX_SKEW_S = 5 * 60;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (o: Obj, k: string) => typeof o[k] === "string";
const hasId = (o: Obj, k: string) => isObj(o[k]) && typeof (o[k] as Obj).id === "string";

export type Verdict = "pass" | "ignore" | "malformed";

/**
 * What to do with a signed, parsed body. The kinds muster listens for are
 * listed here and nowhere else in the receiving path.
 */
export function judge(body: unknown): Verdict {
  if (!isObj(body)) return "malformed";
  // A slash command (form fields, no payload).
  if (str(body, "command")) {
    if (!["text", "user_id", "channel_id", "trigger_id", "response_url"].every((k) => str(body, k))) return "malformed";
    return body.command === COMMAND ? "pass" : "ignore";
  }
  if (!str(body, "type")) return "malformed";
  switch (body.type) {
    case "url_verification":
      return str(body, "challenge") ? "pass" : "malformed";
    case "block_actions": {
      const actions = body.actions;
      const ok =
        hasId(body, "user") &&
        Array.isArray(actions) &&
        actions.length > 0 &&
        actions.every((a) => isObj(a) && str(a, "action_id") && str(a, "type"));
      return ok ? "pass" : "malformed";
    }
    case "view_submission":
    case "view_closed": {
      const view = body.view;
      const ok =
        hasId(body, "user") &&
        isObj(view) &&
        str(view, "id") &&
        str(view, "callback_id") &&
        (body.type === "view_closed" || isObj(view.state));
      if (!ok) return "malformed";
      // Closing a modal needs no answer from muster.
      return body.type === "view_submission" ? "pass" : "ignore";
    }
    case "shortcut":
      return hasId(body, "user") && str(body, "callback_id") && str(body, "trigger_id") ? "pass" : "malformed";
    case "message_action": {
      const ok =
        hasId(body, "user") &&
        hasId(body, "channel") &&
        str(body, "callback_id") &&
        str(body, "trigger_id") &&
        isObj(body.message) &&
        str(body.message, "ts");
      return ok ? "pass" : "malformed";
    }
    case "event_callback": {
      const event = body.event;
      if (!isObj(event) || !str(event, "type")) return "malformed";
      if (!(HANDLED_EVENTS as readonly unknown[]).includes(event.type)) return "ignore";
      return str(event, "user") ? "pass" : "malformed";
    }
    default:
      // Options requests, app_rate_limited, events muster never subscribed to…
      return "ignore";
  }
}

const HANDLED_EVENTS = [EVENT.appHomeOpened] as const;

/** Parses a body the way Bolt's HTTPReceiver does, so both see the same thing. */
export function parseLikeBolt(raw: string, contentType: string | undefined): unknown {
  if (contentType === "application/x-www-form-urlencoded") {
    const form = parseQuery(raw);
    return typeof form.payload === "string" ? JSON.parse(form.payload) : form;
  }
  return JSON.parse(raw);
}

/** Slack's unsigned SSL check: a form body of ssl_check=1 (Bolt answers it and drops anything else). */
const isSslCheck = (raw: string, contentType: string | undefined) =>
  contentType === "application/x-www-form-urlencoded" &&
  raw.startsWith("ssl_check=") &&
  parseQuery(raw).ssl_check === "1";

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const end = (res: ServerResponse, status: number) => {
  if (!res.headersSent) res.writeHead(status).end();
};
const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return typeof v === "string" ? v : undefined;
};

/** A payload's kind for metrics: a fixed word per kind muster knows, never free text. */
export function payloadKind(body: unknown): string {
  if (!isObj(body)) return "malformed";
  if (str(body, "command")) return "slash_command";
  const known = [
    "url_verification",
    "block_actions",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "event_callback",
  ];
  return typeof body.type === "string" && known.includes(body.type) ? body.type : "other";
}

/**
 * When a request reached muster (performance.now()), set on the request for
 * Bolt's receiver to pass to listeners as `context.receivedAt`: Slack's 3 s
 * run from here, not from when a busy process got round to the listener.
 */
const RECEIVED_AT = Symbol("muster.receivedAt");
export function receivedAt(req: IncomingMessage): number | undefined {
  return (req as IncomingMessage & { [RECEIVED_AT]?: number })[RECEIVED_AT];
}

/** Told how long Slack waited for the answer to a payload of this kind. */
export type AckObserver = (kind: string, seconds: number) => void;

/** Wraps Bolt's request listener for Slack's requests (the events path). */
export function guardSlackRequests(
  bolt: RequestListener,
  o: { signingSecret: string; logger: Logger; now?: () => number; observe?: AckObserver },
): RequestListener {
  const now = o.now ?? Date.now;
  return (req, res) => {
    const started = performance.now();
    (req as IncomingMessage & { [RECEIVED_AT]?: number })[RECEIVED_AT] = started;
    void (async () => {
      const raw = await readBody(req);
      if (raw === null) return end(res, 413);
      const text = raw.toString("utf8");
      const signature = header(req, "x-slack-signature");
      const timestamp = Number(header(req, "x-slack-request-timestamp"));
      const contentType = header(req, "content-type");
      // Slack's SSL check is unsigned by design. It is answered here and goes
      // no further: nothing unsigned ever reaches Bolt (whose own signature
      // check is off because this one runs first).
      if (isSslCheck(text, contentType)) return end(res, 200);
      const fresh = Number.isFinite(timestamp) && Math.abs(now() / 1000 - timestamp) <= MAX_SKEW_S;
      const valid =
        fresh &&
        signature !== undefined &&
        isValidSlackRequest({
          signingSecret: o.signingSecret,
          body: text,
          headers: { "x-slack-signature": signature, "x-slack-request-timestamp": timestamp },
          nowMilliseconds: now(),
        });
      if (!valid) {
        o.logger.warn({ reason: fresh ? "signature" : "timestamp" }, "refused a Slack request that is not Slack's");
        return end(res, 401);
      }
      let body: unknown;
      try {
        body = parseLikeBolt(text, contentType);
      } catch {
        o.logger.warn("refused a signed Slack request whose body does not parse");
        return end(res, 400);
      }
      const verdict = judge(body);
      if (verdict !== "pass") {
        // The kind only: a payload may carry incident text.
        const kind = isObj(body) ? String(body.type ?? body.command ?? "unknown").slice(0, 40) : typeof body;
        if (verdict === "malformed") o.logger.warn({ kind }, "refused a malformed Slack payload");
        else o.logger.debug({ kind }, "acknowledged a Slack payload muster does not handle");
        return end(res, verdict === "malformed" ? 400 : 200);
      }
      if (o.observe) {
        const kind = payloadKind(body);
        res.once("finish", () => o.observe?.(kind, (performance.now() - started) / 1000));
      }
      // Bolt reuses a buffered body instead of reading the stream again.
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
      bolt(req, res);
    })().catch((e: unknown) => {
      o.logger.error({ errName: (e as Error)?.name }, "could not read a Slack request");
      end(res, 400);
    });
  };
}

type WsListener = (data: unknown, isBinary: boolean) => unknown;

/**
 * The same judgement for Socket Mode. The Socket Mode client reads
 * `payload.event.type` and Bolt `body.type` from every envelope, so a null
 * payload threw where nothing caught it (an uncaught exception ends the
 * process), and an envelope no listener took was never acknowledged (Slack
 * retries it). Here each envelope is judged before the client sees it; one
 * muster cannot use is acknowledged with an empty payload at once and logged
 * by kind only. Connection messages (hello, disconnect) pass untouched.
 */
export function guardSocketMode(client: SocketModeClient, logger: Logger, observe?: AckObserver): void {
  // `send` acknowledges an envelope; TypeScript calls it private, but it is how the client acks.
  const ack = client as unknown as { send(envelopeId: string, body: object): Promise<void> };
  // Envelopes waiting for their acknowledgement: when each arrived, and its kind.
  const waiting = new Map<string, { started: number; kind: string }>();
  if (observe) {
    const send = ack.send.bind(client);
    ack.send = (envelopeId, body) => {
      const w = waiting.get(envelopeId);
      if (w) {
        waiting.delete(envelopeId);
        observe(w.kind, (performance.now() - w.started) / 1000);
      }
      return send(envelopeId, body);
    };
  }
  // The client parses each WebSocket message in its own "ws_message" listener; it is put behind this one.
  const inner = client.listeners("ws_message") as WsListener[];
  client.removeAllListeners("ws_message");
  client.on("ws_message", (data: unknown, isBinary: boolean) => {
    const pass = () => {
      for (const l of inner) void l.call(client, data, isBinary);
    };
    let envelope: unknown;
    try {
      envelope = JSON.parse(typeof data === "string" ? data : Buffer.from(data as Uint8Array).toString("utf8"));
    } catch {
      return pass(); // the client ignores what does not parse
    }
    if (!isObj(envelope) || typeof envelope.envelope_id !== "string") return pass();
    const verdict = judge(envelope.payload);
    if (verdict === "pass") {
      // Bounded: an envelope Bolt never acknowledges must not be remembered forever.
      if (observe && waiting.size < 1_000) {
        waiting.set(envelope.envelope_id, { started: performance.now(), kind: payloadKind(envelope.payload) });
      }
      return pass();
    }
    const kind = isObj(envelope.payload) ? String(envelope.payload.type ?? envelope.type) : String(envelope.type);
    if (verdict === "malformed") logger.warn({ kind: kind.slice(0, 40) }, "refused a malformed Slack payload");
    else logger.debug({ kind: kind.slice(0, 40) }, "acknowledged a Slack payload muster does not handle");
    ack.send(envelope.envelope_id, {}).catch(() => undefined);
  });
}
