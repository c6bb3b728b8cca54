// Octokit as muster uses it: retries for idempotent calls (plugin-retry),
// GitHub's write pacing and rate-limit waits (plugin-throttling), and auth
// by token or as a GitHub App installation.
import { createAppAuth } from "@octokit/auth-app";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import Bottleneck from "bottleneck";
import type { Logger } from "pino";

export type GitHubAuth =
  | { kind: "token"; token: string }
  | { kind: "app"; appId: string; privateKey: string; installationId: number };

export interface GitHubClientOptions {
  baseUrl: string;
  auth: GitHubAuth;
  logger: Logger;
  /** Pause between content-creating requests; GitHub asks for at least 1 s. */
  writeSpacingMs: number;
  /** In-process waits for rate limits up to this long (default 5 s); longer ones go back to the outbox. */
  maxWaitMs?: number;
}

const MuOctokit = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof MuOctokit>;

export function createGitHubClient(o: GitHubClientOptions): GitHubClient {
  const maxWaitS = (o.maxWaitMs ?? 5_000) / 1000;
  const log = o.logger.child({ service: "github" });
  // Retry a rate limit in-process once if the wait is short; otherwise the
  // request fails and the outbox reschedules the job after Retry-After.
  const onLimit = (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) => {
    log.warn({ retryAfter, retryCount }, "GitHub rate limit");
    return retryCount < 1 && retryAfter <= maxWaitS;
  };
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  return new MuOctokit({
    baseUrl: o.baseUrl.replace(/\/$/, ""),
    userAgent: "muster-incident-bot",
    log: quiet,
    ...(o.auth.kind === "token"
      ? { auth: o.auth.token }
      : {
          authStrategy: createAppAuth,
          auth: { appId: o.auth.appId, privateKey: o.auth.privateKey, installationId: o.auth.installationId },
        }),
    // One quick in-process retry for a blip; anything longer is the outbox's
    // job (its backoff spans hours and does not hold a worker slot while waiting).
    // The wait is base × (retryCount + 1)²; retryCount lives on an options
    // object the plugins share between requests (octokit/plugin-throttling.js#442),
    // so it can read 2 on a first retry: a small base keeps that under half a second.
    retry: { retries: 1, retryAfterBaseValue: 50 },
    throttle: {
      onRateLimit: onLimit,
      onSecondaryRateLimit: onLimit,
      fallbackSecondaryRateRetryAfter: 60,
      // One pacing queue per client (the plugin's default is process-wide).
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: o.writeSpacingMs }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: o.writeSpacingMs }),
    },
  });
}
