// The IntakeStore port on Prisma: triage reports (the outage form, alerts),
// their message's bookkeeping, and the outage form's rate-limit counters.
import { ConcurrencyConflict } from "../errors.js";
import type { ClassifiedSeverity } from "../incidents/model.js";
import type { TriageDetails, TriageReport, TriageSource, TriageStatus } from "../intake/model.js";
import type { IntakeStore, IntakeTx, TriageMessage } from "../intake/ports.js";
import { type Client, type Db, jobRows, json } from "./db.js";
import { isConflict } from "./prisma-store.js";

interface Row extends Omit<TriageReport, "source" | "severity" | "status" | "details"> {
  source: string;
  severity: string | null;
  status: string;
  details: unknown;
  openKey: string | null;
  channelId: string | null;
  messageTs: string | null;
  postedVersion: number;
  postIntentAt: Date | null;
  syncLeaseUntil: Date | null;
}

function toReport(r: Row): TriageReport & TriageMessage {
  const { openKey: _k, syncLeaseUntil: _l, ...rest } = r;
  return {
    ...rest,
    source: r.source as TriageSource,
    severity: r.severity as ClassifiedSeverity | null,
    status: r.status as TriageStatus,
    details: (r.details ?? {}) as TriageDetails,
  };
}

function txApi(db: Client): IntakeTx {
  return {
    async findByOpenKey(openKey) {
      const r = await db.triageReport.findUnique({ where: { openKey } });
      return r ? toReport(r) : null;
    },
    async findReport(id) {
      const r = await db.triageReport.findUnique({ where: { id } });
      return r ? toReport(r) : null;
    },
    async insertReport(report, openKey) {
      await db.triageReport.create({ data: { ...report, details: json(report.details), openKey } });
    },
    async updateReport(id, expectedVersion, patch) {
      const { details, ...rest } = patch;
      const r = await db.triageReport.updateMany({
        where: { id, version: expectedVersion },
        data: { ...rest, ...(details ? { details: json(details) } : {}), version: { increment: 1 } },
      });
      return r.count === 1;
    },
    async releaseOpenKey(id) {
      await db.triageReport.update({ where: { id }, data: { openKey: null } });
    },
    async enqueueJobs(jobs, runAt) {
      if (jobs.length) await db.job.createMany({ data: jobRows(jobs, runAt) });
    },
  };
}

export function createPrismaIntakeStore(db: Db): IntakeStore {
  return {
    async transaction(fn) {
      try {
        return await db.$transaction((tx) => fn(txApi(tx as Client)), { maxWait: 10_000, timeout: 15_000 });
      } catch (e) {
        if (!(e instanceof ConcurrencyConflict) && isConflict(e)) throw new ConcurrencyConflict(e);
        throw e;
      }
    },
    findReport: (id) => txApi(db).findReport(id) as Promise<(TriageReport & TriageMessage) | null>,

    async hit(key, limit, windowMs, now) {
      const windowFrom = new Date(now.getTime() - windowMs);
      // Conditional writes only, no transaction: each step either applies or
      // says the row moved under it, and another round sees the new state.
      for (let round = 0; round < 5; round++) {
        const counted = await db.rateLimit.updateMany({
          where: { key, windowStart: { gt: windowFrom }, count: { lt: limit } },
          data: { count: { increment: 1 } },
        });
        if (counted.count === 1) return { ok: true };
        const row = await db.rateLimit.findUnique({ where: { key } });
        if (!row) {
          try {
            await db.rateLimit.create({ data: { key, windowStart: now, count: 1 } });
            // Counters of windows long gone are not kept.
            if (Math.random() < 0.05)
              await db.rateLimit.deleteMany({ where: { windowStart: { lt: new Date(now.getTime() - 2 * windowMs) } } });
            return { ok: true };
          } catch (e) {
            if (isConflict(e)) continue;
            throw e;
          }
        }
        if (row.windowStart > windowFrom) {
          if (row.count >= limit) return { ok: false, retryAt: new Date(row.windowStart.getTime() + windowMs) };
          continue;
        }
        // The window is over: the first to restart it counts as its first attempt.
        const restarted = await db.rateLimit.updateMany({
          where: { key, windowStart: row.windowStart },
          data: { windowStart: now, count: 1 },
        });
        if (restarted.count === 1) return { ok: true };
      }
      throw new ConcurrencyConflict();
    },

    async claimSync(id, now, until) {
      const r = await db.triageReport.updateMany({
        where: { id, OR: [{ syncLeaseUntil: null }, { syncLeaseUntil: { lt: now } }] },
        data: { syncLeaseUntil: until },
      });
      return r.count === 1;
    },
    async releaseSync(id) {
      await db.triageReport.updateMany({ where: { id }, data: { syncLeaseUntil: null } });
    },
    async markPostIntent(id, now) {
      const r = await db.triageReport.updateMany({ where: { id, postIntentAt: null }, data: { postIntentAt: now } });
      return r.count === 1;
    },
    async markPosted(id, channelId, messageTs, version) {
      await db.triageReport.updateMany({
        where: { id, postedVersion: { lt: version } },
        data: { channelId, messageTs, postedVersion: version },
      });
      // The ts is kept even when a newer version was already shown (a first post found again).
      await db.triageReport.updateMany({ where: { id, messageTs: null }, data: { channelId, messageTs } });
    },
  };
}
