// How a job handler tells the worker what kind of failure it met.

/** Try again later; `retryAfterMs` when the service said how long to wait. */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "RetryLater";
  }
}

/**
 * Retrying cannot help (a public repository, a deleted channel); the job
 * goes straight to dead and the IC is told `userMessage`.
 */
export class GiveUp extends Error {
  constructor(
    readonly userMessage: string,
    options?: { cause?: unknown },
  ) {
    super(userMessage, options);
    this.name = "GiveUp";
  }
}

/** A job's error as stored: short, and without incident text or tokens. */
export function describeError(e: unknown): string {
  if (e instanceof GiveUp) return `gave up: ${e.userMessage}`.slice(0, 500);
  const err = e as { name?: string; message?: string; status?: number; code?: string | number };
  const parts = [err.name ?? "Error"];
  if (err.status) parts.push(`status ${err.status}`);
  if (err.code && err.code !== err.status) parts.push(`code ${err.code}`);
  if (err.message) parts.push(err.message.replace(/\s+/g, " "));
  return parts.join(": ").slice(0, 500);
}
