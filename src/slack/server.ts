// Slack's side of the process: the Bolt app and its receiver (HTTP or Socket
// Mode), with muster's request guard in front. In HTTP mode it registers
// Slack's events endpoint in the web server's route table; the web server owns
// the port either way (Bolt's receiver only handles requests).
import { App, HTTPReceiver, SocketModeReceiver } from "@slack/bolt";
import type { Core } from "../compose.js";
import type { RouteTable } from "../web/server.js";
import { registerListeners } from "./app.js";
import { boltLogger } from "./bolt-logger.js";
import type { DocReader, SlackDeps } from "./deps.js";
import {
  type AckObserver,
  guardSlackRequests,
  guardSocketMode,
  receivedAt,
  SLACK_EVENTS_PATH,
} from "./request-guard.js";
import { slackViews } from "./views-api.js";

export interface SlackFrontEnd {
  mode: "http" | "socket";
  /** Connects the Socket Mode client (no-op over HTTP). */
  start(): Promise<void>;
  /** Waits until no Slack request is still being worked on after its acknowledgement. */
  drained(timeoutMs?: number): Promise<boolean>;
  /** Disconnects Socket Mode; the web server stops taking HTTP requests itself. */
  disconnect(): Promise<void>;
  /** Closes the views client once no request is in flight. */
  close(): Promise<void>;
}

export interface SlackFrontEndOptions {
  core: Core;
  routes: RouteTable;
  wake: () => void;
  docReader: DocReader | null;
  observeAck?: AckObserver;
}

export function createSlackFrontEnd(o: SlackFrontEndOptions): SlackFrontEnd {
  const { config, logger } = o.core;
  const deps: SlackDeps = {
    service: o.core.service,
    duties: o.core.duties,
    store: o.core.store,
    refs: o.core.refs,
    jobs: o.core.jobs,
    wake: o.wake,
    admins: config.admins,
    roles: config.roles,
    logger,
    views: slackViews({ apiUrl: config.slack.apiUrl, token: config.slack.botToken }),
    docs: o.docReader,
    intake: o.core.intake,
    clock: o.core.clock,
  };
  // Bolt's client in the listeners (modals open through deps.views instead):
  // its calls answer a person who is waiting, so they are never queued behind
  // the Web client's default 100 in flight, and none hangs forever.
  const clientOptions = {
    slackApiUrl: config.slack.apiUrl,
    retryConfig: { retries: 2, minTimeout: 200, maxTimeout: 1000 },
    maxRequestConcurrency: 1_000,
    timeout: 10_000,
  };
  const common = {
    token: config.slack.botToken,
    clientOptions,
    // muster keeps no per-conversation state in Bolt; skip its store on every request.
    convoStore: false as const,
    // Bolt otherwise calls auth.test from its constructor and keeps the
    // promise: a Slack error at that moment became an unhandled rejection (the
    // reliability suite saw a process die of it), and every later request
    // awaited the same failure. start() runs it instead, and retries.
    deferInitialization: true,
    logger: boltLogger(logger),
  };
  let app: App;
  const socketMode = Boolean(config.slack.appToken);
  if (config.slack.appToken) {
    const socket = new SocketModeReceiver({
      appToken: config.slack.appToken,
      logger: boltLogger(logger),
      // The Socket Mode client opens its connection through the same API
      // (apps.connections.open), so it must use the same SLACK_API_URL.
      installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl } },
    });
    guardSocketMode(socket.client, logger, o.observeAck);
    app = new App({ ...common, receiver: socket });
  } else {
    const receiver = new HTTPReceiver({
      signingSecret: config.slack.signingSecret!,
      // The guard in front (slack/request-guard.ts) has verified the signature
      // and the timestamp of every request that reaches this receiver; checking
      // again would only spend a second HMAC per request.
      signatureVerification: false,
      logger: boltLogger(logger),
      customPropertiesExtractor: (req) => {
        const at = receivedAt(req);
        return at === undefined ? {} : { receivedAt: at };
      },
      // A listener that failed past its own error handling: a clean 400 with
      // no detail, never Bolt's 500 (which Slack retries) or a stack.
      processEventErrorHandler: async ({ error, response }) => {
        const err = error as { name?: string; code?: string };
        logger.error({ errName: err.name, errCode: err.code }, "a Slack request failed inside Bolt");
        if (!response.headersSent) response.writeHead(400).end();
        return false;
      },
    });
    app = new App({ ...common, receiver });
    const slackRequests = guardSlackRequests(receiver.requestListener, {
      signingSecret: config.slack.signingSecret!,
      logger,
      ...(o.observeAck ? { observe: o.observeAck } : {}),
    });
    o.routes.add({
      method: "POST",
      path: SLACK_EVENTS_PATH,
      handle: ({ req, res }) => {
        slackRequests(req, res);
        return undefined;
      },
    });
  }
  const listeners = registerListeners(app, deps);
  return {
    mode: socketMode ? "socket" : "http",
    async start() {
      await initWithRetries(app, logger);
      if (socketMode) await app.start();
    },
    drained: (timeoutMs) => listeners.drained(timeoutMs),
    async disconnect() {
      if (socketMode) await app.stop().catch(() => undefined);
    },
    close: () => deps.views.close(),
  };
}

/** Bolt's auth.test at start-up, retried over a Slack blip; a muster that cannot reach Slack at all fails to start. */
async function initWithRetries(app: App, logger: Core["logger"], attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await app.init();
      return;
    } catch (e) {
      if (attempt >= attempts) throw e;
      const err = e as { code?: string; data?: { error?: string } };
      logger.warn({ errCode: err.code, slackError: err.data?.error, attempt }, "Slack's auth.test failed; retrying");
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}
