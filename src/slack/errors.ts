// The one place that turns an error into what the person sees. AppErrors are
// written for people and shown as they are; anything else gets a short
// reference that is also in the log, never a stack or a library's message.
import { randomBytes } from "node:crypto";
import { WebAPIRateLimitedError } from "@slack/web-api";
import type { Logger } from "pino";
import { AppError } from "../errors.js";

export interface UserFacingError {
  text: string;
  /** The modal input to attach the error to, when the error names one. */
  field?: string;
}

export function toUserError(e: unknown, logger: Logger, where: Record<string, unknown>): UserFacingError {
  if (e instanceof AppError) {
    if (e.code === "conflict")
      return { text: "Someone else changed this incident at the same moment. Please try again." };
    if (e.code === "config") {
      const ref = reference();
      logger.error({ ...where, ref, code: e.code }, "configuration problem");
      return { text: `muster is misconfigured; tell your admin (reference ${ref}).` };
    }
    return e.field ? { text: e.message, field: e.field } : { text: e.message };
  }
  // Slack itself asked muster to slow down (many forms opened in a minute):
  // nothing is wrong, and the person can do something about it.
  if (e instanceof WebAPIRateLimitedError) {
    logger.warn({ ...where, retryAfter: e.retryAfter }, "Slack rate-limited a call a person was waiting on");
    const s = Math.max(1, Math.ceil(e.retryAfter));
    return {
      text: `Slack is busy and asked muster to slow down. Nothing was lost; please try again in ${s} second${s === 1 ? "" : "s"}.`,
    };
  }
  const ref = reference();
  const err = e as { name?: string; code?: string; data?: { error?: string } };
  // Only the error's class and code: a library message may quote incident text.
  // Slack's error code (e.g. "internal_error") says what failed without quoting anything.
  logger.error(
    { ...where, ref, errName: err?.name, errCode: err?.code, slackError: err?.data?.error },
    "unexpected error",
  );
  logger.debug({ ref, err: e }, "unexpected error detail");
  return { text: `Something went wrong on our side. Nothing was lost; please try again. (reference ${ref})` };
}

const reference = () => `ERR-${randomBytes(3).toString("hex").toUpperCase()}`;
