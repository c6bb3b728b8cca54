// Scheduled backups (BACKUP_EVERY) as an outbox timer: each occurrence is one
// `backup.scheduled` job, which takes the backup, rotates BACKUP_DIR and
// queues the next occurrence when it completes. Several replicas share the
// outbox, so each job runs once; and should two replicas both queue the same
// occurrence at start-up, the ScheduledBackup row for it (its primary key is
// the occurrence) lets the first job take it and the other stand down.
import { join } from "node:path";
import type { Logger } from "pino";
import type { NewJob } from "../incidents/model.js";
import { jobHandlers, newJob, type Payload } from "../jobs/kinds.js";
import type { JobHandler } from "../jobs/worker.js";
import type { DatabaseTarget } from "../store/database-url.js";
import type { Client } from "../store/db.js";
import { rotateBackups, scheduledBackupName } from "./backup-files.js";
import { nextOccurrence } from "./cron.js";
import { takeBackup } from "./take-backup.js";

export interface BackupSchedule {
  dir: string;
  /** A cron expression, in UTC. */
  every: string;
  keep: number;
}

function occurrenceJob(schedule: BackupSchedule, at: Date, now: Date): NewJob {
  return newJob(
    null,
    "backup.scheduled",
    { at: at.toISOString(), every: schedule.every },
    at.getTime() - now.getTime(),
  );
}

/**
 * At start-up: queues the next occurrence unless a job for this schedule is
 * already waiting (queued by this or another replica, or by the last run).
 */
export async function ensureBackupScheduled(
  db: Client,
  enqueue: (jobs: NewJob[], runAt: Date) => Promise<void>,
  schedule: BackupSchedule,
  now: Date,
): Promise<Date | null> {
  const waiting = await db.job.findMany({
    where: { kind: "backup.scheduled", status: { in: ["pending", "running"] } },
    select: { payload: true },
  });
  const queued = waiting.find((j) => (j.payload as { every?: string } | null)?.every === schedule.every);
  if (queued) return new Date((queued.payload as { at: string }).at);
  const at = nextOccurrence(schedule.every, now);
  if (!at) return null;
  await enqueue([occurrenceJob(schedule, at, now)], now);
  return at;
}

/** True if this job is the one that takes the occurrence (also on its own retry). */
async function claimOccurrence(db: Client, at: Date, jobId: number, now: Date): Promise<boolean> {
  try {
    await db.scheduledBackup.create({ data: { occurrence: at, jobId, startedAt: now } });
    return true;
  } catch (e) {
    if ((e as { code?: string }).code !== "P2002") throw e;
    const row = await db.scheduledBackup.findUnique({ where: { occurrence: at } });
    return row?.jobId === jobId;
  }
}

export interface BackupJobDeps {
  db: Client;
  target: DatabaseTarget;
  schedule: BackupSchedule | null;
  pgDump: string | null;
  logger: Logger;
  clock?: () => Date;
}

export function backupJobHandlers(deps: BackupJobDeps): Record<"backup.scheduled", JobHandler> {
  const clock = deps.clock ?? (() => new Date());
  return jobHandlers({
    "backup.scheduled": async ({ job, payload }: { job: { id: number }; payload: Payload<"backup.scheduled"> }) => {
      const schedule = deps.schedule;
      // Queued under another BACKUP_EVERY (or none now): the current schedule has its own job.
      if (!schedule || schedule.every !== payload.every) return [];
      const at = new Date(payload.at);
      if (!(await claimOccurrence(deps.db, at, job.id, clock()))) return [];
      const file = join(schedule.dir, scheduledBackupName(deps.target.provider, at));
      let error: string | null = null;
      try {
        const t0 = performance.now();
        await takeBackup({ target: deps.target, out: file, takenBy: "muster (BACKUP_EVERY)", pgDump: deps.pgDump });
        const removed = rotateBackups(schedule.dir, schedule.keep);
        deps.logger.info(
          { file, ms: Math.round(performance.now() - t0), removed: removed.length },
          "scheduled backup taken",
        );
      } catch (e) {
        // The next occurrence is still queued: one failed backup must not end the schedule.
        error = e instanceof Error ? e.message : String(e);
        deps.logger.error({ file, err: error }, "scheduled backup failed");
      }
      const now = clock();
      await deps.db.scheduledBackup.update({
        where: { occurrence: at },
        data: { finishedAt: now, file: error ? null : file, error },
      });
      const next = nextOccurrence(schedule.every, at.getTime() > now.getTime() ? at : now);
      return next ? [occurrenceJob(schedule, next, now)] : [];
    },
  });
}
