// Scheduled backups through the outbox: with two workers (two replicas, each
// with its own connections) each occurrence is taken once, even when both
// queued it; the next one is queued; rotation keeps BACKUP_KEEP.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { findPgTool } from "../../src/backup/pg-tools.js";
import { backupJobHandlers, ensureBackupScheduled } from "../../src/backup/schedule.js";
import { newJob } from "../../src/jobs/kinds.js";
import { createWorker } from "../../src/jobs/worker.js";
import { openStore } from "../../src/store/open-store.js";
import { createPrismaJobStore } from "../../src/store/prisma-job-store.js";
import { POSTGRES_REQUIRED } from "../helpers/postgres.js";
import { available, freshDatabase, PROVIDERS, type Provider, serviceFor, user } from "../helpers/stores.js";

const pgDumpPresent = await findPgTool("pg_dump", 15).then(
  () => true,
  () => POSTGRES_REQUIRED,
);
const runs = (provider: Provider) => available(provider) && (provider === "sqlite" || pgDumpPresent);
const logger = pino({ level: "silent" });

describe.each(PROVIDERS)("scheduled backups on %s", (provider) => {
  it.runIf(runs(provider))(
    "each occurrence is taken once across two workers, the next is queued, and BACKUP_KEEP are kept",
    async () => {
      const database = await freshDatabase(provider);
      const dir = mkdtempSync(join(tmpdir(), "muster-scheduled-"));
      const schedule = { dir, every: "0 * * * *", keep: 2 };
      let now = new Date("2026-12-01T02:59:30.000Z");
      const clock = () => now;
      // PostgreSQL: two replicas, each with its own connections. SQLite is one
      // process by design: two workers share its one connection there.
      const shared = await openStore(database.url, { poolSize: 3 });
      const replicas = await Promise.all(
        ["A", "B"].map(async (name) => {
          const opened =
            provider === "postgresql" && name === "B" ? await openStore(database.url, { poolSize: 3 }) : shared;
          const jobs = createPrismaJobStore(opened.db, opened.target.provider);
          const worker = createWorker({
            jobs,
            handlers: backupJobHandlers({
              db: opened.db,
              target: opened.target,
              schedule,
              pgDump: null,
              logger,
              clock,
            }),
            logger,
            workerId: `replica-${name}`,
            clock,
            pollMs: 50,
          });
          return { opened, jobs, worker };
        }),
      );
      const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
      try {
        await serviceFor(a.opened).declare(user("UIC"), { title: "Something to back up" });
        // Both replicas start at once; and, as a lost race would, a second job for the same occurrence.
        const queued = await Promise.all(
          replicas.map((r) => ensureBackupScheduled(r.opened.db, (j, at) => r.jobs.enqueue(j, at), schedule, now)),
        );
        expect(queued.map((d) => d?.toISOString())).toEqual(["2026-12-01T03:00:00.000Z", "2026-12-01T03:00:00.000Z"]);
        await b.jobs.enqueue(
          [newJob(null, "backup.scheduled", { at: "2026-12-01T03:00:00.000Z", every: schedule.every }, 30_000)],
          now,
        );
        for (const r of replicas) r.worker.start();

        const hours = ["03", "04", "05", "06"];
        for (const [i, hour] of hours.entries()) {
          now = new Date(`2026-12-01T${hour}:00:01.000Z`);
          for (const r of replicas) r.worker.wake();
          expect(await a.worker.idle(30_000)).toBe(true);
          expect(await b.worker.idle(30_000)).toBe(true);
          const taken = await a.opened.db.scheduledBackup.findMany({ orderBy: { occurrence: "asc" } });
          expect(taken).toHaveLength(i + 1);
          expect(taken.at(-1)).toMatchObject({
            error: null,
            file: join(dir, `muster-20261201T${hour}0000Z.${provider === "sqlite" ? "db" : "dump"}`),
          });
          const waiting = await a.opened.db.job.findMany({ where: { kind: "backup.scheduled", status: "pending" } });
          expect(waiting.map((j) => (j.payload as { at: string }).at)).toEqual([
            new Date(Date.UTC(2026, 11, 1, Number(hour) + 1)).toISOString(),
          ]);
        }
        const ext = provider === "sqlite" ? "db" : "dump";
        expect(readdirSync(dir).sort()).toEqual([
          `muster-20261201T050000Z.${ext}`,
          `muster-20261201T050000Z.${ext}.manifest.json`,
          `muster-20261201T060000Z.${ext}`,
          `muster-20261201T060000Z.${ext}.manifest.json`,
        ]);
        // Four occurrences, four backups: the duplicate jobs stood down without taking one.
        const done = await a.opened.db.job.count({ where: { kind: "backup.scheduled", status: "done" } });
        expect(done).toBeGreaterThanOrEqual(5);
        expect(await a.opened.db.scheduledBackup.count()).toBe(4);
      } finally {
        for (const r of replicas) await r.worker.stop();
        for (const opened of new Set(replicas.map((r) => r.opened))) await opened.store.close();
        await database.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
