// What every emulator's HTTP side needs: the request body, delays that a
// closing emulator cancels (no timer outlives it), and a close that does not
// wait for clients' keep-alive connections.
import type { IncomingMessage, Server } from "node:http";

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Sleeps for fault latencies; `cancelAll` drops them (their requests are abandoned with their connections). */
export function cancellableSleeps() {
  const timers = new Set<NodeJS.Timeout>();
  return {
    sleep(ms: number): Promise<void> {
      if (ms <= 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timer.unref();
        timers.add(timer);
      });
    },
    cancelAll() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

export function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  server.closeAllConnections();
  return closed;
}

/**
 * Random faults for chaos tests, the same in every emulator (`faults.chaos`):
 * a share of calls fail without doing anything, a share are performed and
 * then answered with a server error (the answer is lost, as when a
 * connection dies after the write), and for a while every call can be
 * rate-limited. All off by default; `reset()` turns them off.
 */
export interface ChaosFaults {
  /** Share of calls (0–1) answered with a server error, changing nothing. */
  failureRate: number;
  /** Share of calls (0–1) performed, then answered with a server error. */
  lostReplyRate: number;
  /** Every call until this time (ms since the epoch) is rate-limited. */
  rateLimitedUntil: number;
  /** The Retry-After (seconds) of those rate limits. */
  retryAfterSeconds: number;
  /** What was injected so far. */
  injected: { failed: number; lostReplies: number; rateLimited: number };
}

export function newChaosFaults(): ChaosFaults {
  return {
    failureRate: 0,
    lostReplyRate: 0,
    rateLimitedUntil: 0,
    retryAfterSeconds: 1,
    injected: { failed: 0, lostReplies: 0, rateLimited: 0 },
  };
}

/** Turns chaos off (the counts stay). */
export function calmChaos(c: ChaosFaults): void {
  c.failureRate = 0;
  c.lostReplyRate = 0;
  c.rateLimitedUntil = 0;
}

/** What happens to this call: rate-limited, failed before, answer lost after, or nothing. */
export function rollChaos(c: ChaosFaults, now = Date.now()): "rate_limit" | "fail" | "lose_reply" | null {
  if (now < c.rateLimitedUntil) {
    c.injected.rateLimited++;
    return "rate_limit";
  }
  const r = Math.random();
  if (r < c.failureRate) {
    c.injected.failed++;
    return "fail";
  }
  if (r < c.failureRate + c.lostReplyRate) return "lose_reply";
  return null;
}
