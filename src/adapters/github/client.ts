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
  /** In-process waits for rate limits up to this long; longer ones go back to the outbox. */
  maxWaitMs?: number;
}

const MuOctokit = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof MuOctokit>;

export function createGitHubClient(o: GitHubClientOptions): GitHubClient {
  const maxWaitS = (o.maxWaitMs ?? 60_000) / 1000;
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
    retry: { retries: 3 },
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
