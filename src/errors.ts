// One error family for everything a person can act on. `message` is plain
// words meant for the person who caused it; `field` names the input at fault
// so a modal can show it beside the field. Anything that is not an AppError
// is unexpected and is shown only as a reference (see describeError).

export type ErrorCode =
  | "validation"
  | "not_found"
  | "forbidden"
  | "invalid_transition"
  | "postmortem_required"
  | "recovery_required"
  | "conflict"
  | "config";

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.field = options.field;
  }
}

/**
 * Another writer changed the same rows first (stale version, unique key race,
 * SQLite busy, PostgreSQL serialization failure). The command is safe to run
 * again from the start, and the service does so.
 */
export class ConcurrencyConflict extends AppError {
  constructor(cause?: unknown) {
    super("conflict", "Someone else changed this incident at the same moment; please try again.", { cause });
    this.name = "ConcurrencyConflict";
  }
}
