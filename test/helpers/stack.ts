// A whole muster against local emulators of Slack, GitHub and Google: the
// real Bolt app over HTTP, the real Octokit and googleapis clients, a real
// database. Used by the end-to-end tests, `npm run demo` and the benchmarks.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OAuth2Client } from "google-auth-library";
import pino from "pino";
import { parseConfig } from "../../src/config.js";
import { type Muster, type StartOptions, startMuster } from "../../src/main.js";
import { type GitHubEmulator, type GitHubEmulatorOptions, startGitHubEmulator } from "../emulators/github.js";
import { type GoogleEmulator, type GoogleEmulatorOptions, startGoogleEmulator } from "../emulators/google.js";
import { type SlackEmulator, type SlackEmulatorOptions, startSlackEmulator } from "../emulators/slack.js";
import { SlackTestClient } from "./slack-client.js";

export const SIGNING_SECRET = "muster-test-signing-secret";
export const GITHUB_TOKEN = "ghp_muster_test_token";
export const GOOGLE_TOKEN = "ya29.test";

export interface StackOptions {
  databaseUrl?: string;
  env?: Record<string, string>;
  slack?: SlackEmulatorOptions;
  github?: GitHubEmulatorOptions;
  google?: Omit<GoogleEmulatorOptions, "accessToken">;
  /** A Google Doc template with placeholders, made in the emulator. */
  docTemplate?: boolean;
  worker?: StartOptions["worker"];
  /** muster's clock (commands, reminders, the worker): simulated days pass in seconds. */
  clock?: () => Date;
  runWorker?: boolean;
  logLevel?: string;
  /** Receives muster's log lines (JSON), e.g. to check what reaches the log. */
  logSink?: (line: string) => void;
  /** Run muster in Socket Mode (SLACK_APP_TOKEN) and send Slack's requests over its WebSocket. */
  socketMode?: boolean;
  /** Emulators owned by the caller (several muster processes against one set); not closed by stop(). */
  shared?: { slack: SlackEmulator; github: GitHubEmulator; google: GoogleEmulator };
}

export interface Stack {
  muster: Muster;
  slack: SlackEmulator;
  github: GitHubEmulator;
  google: GoogleEmulator;
  client: SlackTestClient;
  url: string;
  databaseUrl: string;
  env: Record<string, string>;
  /** Waits until the outbox has nothing due. */
  settle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export const FAST_BACKOFF = { baseMs: 50, maxMs: 500, maxAttempts: 6 };

export async function startEmulators(o: Pick<StackOptions, "slack" | "github" | "google"> = {}) {
  const [slack, github, google] = await Promise.all([
    startSlackEmulator(o.slack),
    startGitHubEmulator({ token: GITHUB_TOKEN, ...(o.github ?? {}) }),
    startGoogleEmulator({ accessToken: GOOGLE_TOKEN, ...(o.google ?? {}) }),
  ]);
  return { slack, github, google };
}

/** A Google Doc template with placeholders, made in the emulator; returns its id (GOOGLE_DOC_TEMPLATE_ID). */
export function addDocTemplate(google: GoogleEmulator): string {
  return google.addDocument({
    title: "Incident template",
    text: "{{key}}: {{title}}\nSeverity: {{severity}}\nIC: {{ic}}\nSlack: {{channel_url}}\nIssue: {{issue_url}}\nDeclared: {{declared_at}}\n",
  });
}

/** The settings that point a muster at these emulators and this database. */
export function musterEnv(
  e: { slack: SlackEmulator; github: GitHubEmulator; google: GoogleEmulator },
  databaseUrl: string,
): Record<string, string> {
  const folder = e.google.files().find((f) => f.name === "Incidents")?.id ?? e.google.addFolder("Incidents");
  return {
    DATABASE_URL: databaseUrl,
    PORT: "0",
    LOG_LEVEL: "silent",
    SLACK_BOT_TOKEN: e.slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: e.slack.url,
    GITHUB_API_URL: e.github.url,
    GITHUB_TOKEN,
    GITHUB_WRITE_SPACING_MS: "0",
    GOOGLE_API_URL: e.google.url,
    GOOGLE_DRIVE_FOLDER_ID: folder,
    ESCALATION_USERGROUP: "SLEADERS",
    MUSTER_ADMINS: "UADMIN",
  };
}

export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const [slack, github, google] = o.shared
    ? [o.shared.slack, o.shared.github, o.shared.google]
    : await Promise.all([
        // Slack's rate limits and expiries count the same simulated time as muster:
        // hours pass in real seconds there, which would spend a channel's budget.
        startSlackEmulator(o.clock ? { now: () => o.clock!().getTime(), ...o.slack } : o.slack),
        startGitHubEmulator({ token: GITHUB_TOKEN, ...(o.github ?? {}) }),
        startGoogleEmulator({ accessToken: GOOGLE_TOKEN, ...(o.google ?? {}) }),
      ]);
  let dir: string | null = null;
  let databaseUrl = o.databaseUrl;
  if (!databaseUrl) {
    dir = mkdtempSync(join(tmpdir(), "muster-e2e-"));
    databaseUrl = `file:${join(dir, "muster.db")}`;
  }
  const env: Record<string, string> = {
    ...musterEnv({ slack, github, google }, databaseUrl),
    LOG_LEVEL: o.logLevel ?? "silent",
    ...(o.socketMode ? { SLACK_APP_TOKEN: slack.socketMode.appToken } : {}),
    ...(o.env ?? {}),
  };
  if (o.docTemplate) env.GOOGLE_DOC_TEMPLATE_ID = addDocTemplate(google);
  const parsed = parseConfig(env);
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: GOOGLE_TOKEN });
  const muster = await startMuster(parsed.config, {
    logger: o.logSink
      ? pino({ level: o.logLevel ?? "info" }, { write: (line: string) => o.logSink!(line) })
      : pino({ level: o.logLevel ?? "silent" }),
    googleAuth: auth,
    // A simulated clock jumps minutes at a time: a lease measured on it would
    // lapse in the middle of a job, and the job run twice.
    worker: {
      pollMs: 100,
      backoff: FAST_BACKOFF,
      ...(o.clock ? { leaseMs: 24 * 60 * 60_000 } : {}),
      ...(o.worker ?? {}),
    },
    ...(o.runWorker === undefined ? {} : { runWorker: o.runWorker }),
    ...(o.clock ? { clock: o.clock } : {}),
  });
  const url = `http://127.0.0.1:${muster.port}/slack/events`;
  const raw = new SlackTestClient({
    url,
    signingSecret: SIGNING_SECRET,
    emulator: slack,
    transport: o.socketMode ? "socket" : "http",
  });
  if (o.socketMode) {
    const deadline = Date.now() + 10_000;
    while (slack.socketMode.connections() === 0) {
      if (Date.now() > deadline) throw new Error("muster did not connect over Socket Mode");
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  // Listeners answer first and work after; each call here returns once that work is done.
  const client = new Proxy(raw, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function") return v;
      return async (...args: unknown[]) => {
        const r = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        await muster.drained();
        return r;
      };
    },
  });
  return {
    muster,
    slack,
    github,
    google,
    client,
    url,
    databaseUrl,
    env,
    async settle(timeoutMs = 20_000) {
      await muster.drained();
      if (!(await muster.worker.idle(timeoutMs))) throw new Error("the outbox did not settle");
      await muster.drained();
    },
    async stop() {
      await muster.stop();
      if (!o.shared) await Promise.all([slack.close(), github.close(), google.close()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
