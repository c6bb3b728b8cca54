// BACKUP_EVERY, read by croner: a maintained, dependency-free parser of the
// usual five-field cron syntax (and seconds, L, W, #), with time zones.
import { Cron } from "croner";

/** Checks a cron expression: null when valid, else why not. */
export function cronProblem(expression: string): string | null {
  try {
    new Cron(expression, { paused: true, timezone: "UTC" });
    return null;
  } catch (e) {
    return e instanceof Error ? e.message.replace(/^CronPattern: /, "") : String(e);
  }
}

/** The first occurrence strictly after `after`. */
export function nextOccurrence(every: string, after: Date): Date | null {
  return new Cron(every, { paused: true, timezone: "UTC" }).nextRun(after);
}
