// The outbox (Job) and external references on Prisma. Claiming is one SQL
// statement per provider: PostgreSQL uses FOR UPDATE SKIP LOCKED so several
// muster processes share the queue and each job runs once; SQLite runs one
// process, and a single UPDATE … RETURNING is atomic there.
import type { ExternalRef, Job, JobStatus, JobStore, RefStore } from "../jobs/ports.js";
import { type Db, jobRows, json, type Prisma } from "./db.js";

type Provider = "sqlite" | "postgresql";
type JobRow = Prisma.JobGetPayload<object>;

function toJob(r: JobRow): Job {
  return {
    id: r.id,
    incidentId: r.incidentId,
    kind: r.kind,
    lane: r.lane,
    payload: (r.payload ?? {}) as Record<string, unknown>,
    status: r.status as JobStatus,
    attempts: r.attempts,
    runAt: r.runAt,
    lastError: r.lastError,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
  };
}

/** How each provider stores a DateTime, for comparisons in raw SQL. */
export function sqlTime(provider: Provider, d: Date): string {
  const iso = d.toISOString();
  return provider === "sqlite" ? iso.replace("Z", "+00:00") : iso.replace("T", " ").replace("Z", "");
}

/** A DateTime out of an aggregate (MIN, MAX) in raw SQL. */
export function aggregateTime(v: Date | string | null): Date | null {
  if (!v) return null;
  if (v instanceof Date) return v;
  // An aggregate loses the column's type: the stored text comes back, in UTC
  // (SQLite ends it with +00:00, a PostgreSQL timestamp has no zone at all).
  const text = v.replace(" ", "T");
  return new Date(/(Z|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text}Z`);
}

/** A job may run only when no earlier job of its incident's lane is pending or running. */
const LANE_HEAD = `(j."lane" = '' OR j."incidentId" IS NULL OR NOT EXISTS (
          SELECT 1 FROM "Job" e
          WHERE e."incidentId" = j."incidentId" AND e."lane" = j."lane" AND e."id" < j."id"
            AND e."status" IN ('pending', 'running')))`;

function claimSql(provider: Provider): string {
  const p = provider === "postgresql" ? (n: number) => `$${n}` : () => "?";
  const ts = (n: number) => (provider === "postgresql" ? `${p(n)}::timestamp(3)` : p(n));
  // Parameters: 1 workerId, 2 leaseUntil, 3 now, 4 limit. Only pending jobs,
  // in (runAt, id) order: the (status, runAt) index holds them in that order,
  // so the database walks it and stops at the limit instead of reading and
  // sorting the whole due backlog (measured: 2.5 ms a claim at a backlog of a
  // few thousand jobs, most of the worker's SQL time). Expired leases are put
  // back to pending first (releaseExpiredSql).
  return `
    UPDATE "Job" SET "status" = 'running', "lockedBy" = ${p(1)}, "lockedUntil" = ${ts(2)}, "attempts" = "attempts" + 1
    WHERE "id" IN (
      SELECT j."id" FROM "Job" j
      WHERE j."status" = 'pending' AND j."runAt" <= ${ts(3)}
        AND ${LANE_HEAD}
      ORDER BY j."runAt", j."id"
      LIMIT ${p(4)}
      ${provider === "postgresql" ? "FOR UPDATE SKIP LOCKED" : ""}
    )
    RETURNING "id"`;
}

/** A job whose worker died (its lease ran out) is pending again, first in its lane as before. */
function releaseExpiredSql(provider: Provider): string {
  const now = provider === "postgresql" ? "$1::timestamp(3)" : "?";
  return `UPDATE "Job" SET "status" = 'pending', "lockedBy" = NULL, "lockedUntil" = NULL
    WHERE "status" = 'running' AND "lockedUntil" < ${now}`;
}

// Only lane heads count: a job waiting behind one that backs off is not "next",
// or the worker would poll without pause all through an outage. Walks the
// (status, runAt) index in order and stops at the first head.
const NEXT_RUN_SQL = `SELECT j."runAt" AS "next" FROM "Job" j WHERE j."status" = 'pending' AND ${LANE_HEAD} ORDER BY j."runAt", j."id" LIMIT 1`;

/**
 * Completing or failing a job is two statements that must agree (the lease
 * check, then the follow-ups). With more jobs in flight than pooled
 * connections they may wait for one: longer than Prisma's 2 s default, rather
 * than fail and make the job run again.
 */
const JOB_TX = { maxWait: 15_000, timeout: 15_000 };

export function createPrismaJobStore(db: Db, provider: Provider): JobStore {
  const sql = claimSql(provider);
  const release = releaseExpiredSql(provider);
  const store: JobStore = {
    async claim(workerId, limit, now, leaseUntil) {
      const t = (d: Date) => sqlTime(provider, d);
      await db.$executeRawUnsafe(release, t(now));
      const ids = await db.$queryRawUnsafe<{ id: number | bigint }[]>(sql, workerId, t(leaseUntil), t(now), limit);
      if (!ids.length) return [];
      const rows = await db.job.findMany({
        where: { id: { in: ids.map((r) => Number(r.id)) } },
        orderBy: { id: "asc" },
      });
      return rows.map(toJob);
    },
    async extendLease(id, workerId, leaseUntil) {
      const r = await db.job.updateMany({
        where: { id, lockedBy: workerId, status: "running" },
        data: { lockedUntil: leaseUntil },
      });
      return r.count === 1;
    },
    async complete(id, workerId, followUps, now) {
      const [ok] = await store.completeMany(workerId, [{ id, followUps }], now);
      return ok === true;
    },
    async completeMany(workerId, done, now) {
      if (!done.length) return [];
      return db.$transaction(async (tx) => {
        const ours = await tx.job.updateManyAndReturn({
          where: { id: { in: done.map((d) => d.id) }, lockedBy: workerId, status: "running" },
          data: { status: "done", finishedAt: now, lockedBy: null, lockedUntil: null, lastError: null },
          select: { id: true },
        });
        const ok = new Set(ours.map((r) => r.id));
        const followUps = done.filter((d) => ok.has(d.id)).flatMap((d) => d.followUps);
        if (followUps.length) await tx.job.createMany({ data: jobRows(followUps, now) });
        return done.map((d) => ok.has(d.id));
      }, JOB_TX);
    },
    async fail(id, workerId, outcome, now) {
      return db.$transaction(async (tx) => {
        const r = await tx.job.updateMany({
          where: { id, lockedBy: workerId, status: "running" },
          data: outcome.retryAt
            ? {
                status: "pending",
                runAt: outcome.retryAt,
                lockedBy: null,
                lockedUntil: null,
                lastError: outcome.error,
                ...(outcome.refund ? { attempts: { decrement: 1 } } : {}),
              }
            : { status: "dead", finishedAt: now, lockedBy: null, lockedUntil: null, lastError: outcome.error },
        });
        if (r.count !== 1) return false;
        if (outcome.followUps?.length) await tx.job.createMany({ data: jobRows(outcome.followUps, now) });
        return true;
      }, JOB_TX);
    },
    async enqueue(jobs, runAt) {
      if (jobs.length) await db.job.createMany({ data: jobRows(jobs, runAt) });
    },
    async nextRunAt() {
      const [r] = await db.$queryRawUnsafe<{ next: Date | string | null }[]>(NEXT_RUN_SQL);
      return aggregateTime(r?.next ?? null);
    },
    async releaseAll() {
      const r = await db.job.updateMany({
        where: { status: "running" },
        data: { status: "pending", lockedBy: null, lockedUntil: null },
      });
      return r.count;
    },
    async list(filter) {
      const rows = await db.job.findMany({
        where: {
          ...(filter.status?.length ? { status: { in: filter.status } } : {}),
          ...(filter.incidentId ? { incidentId: filter.incidentId } : {}),
        },
        orderBy: { id: "asc" },
        take: filter.limit ?? 200,
      });
      return rows.map(toJob);
    },
    async find(id) {
      const r = await db.job.findUnique({ where: { id } });
      return r ? toJob(r) : null;
    },
    async retry(id, now) {
      const r = await db.job.updateMany({
        where: { id, status: { in: ["dead", "pending"] } },
        data: { status: "pending", runAt: now, attempts: 0, finishedAt: null, lockedBy: null, lockedUntil: null },
      });
      if (r.count !== 1) return null;
      const row = await db.job.findUnique({ where: { id } });
      return row ? toJob(row) : null;
    },
  };
  return store;
}

type RefRow = Prisma.ExternalRefGetPayload<object>;
const toRef = (r: RefRow): ExternalRef => ({
  incidentId: r.incidentId,
  kind: r.kind,
  externalId: r.externalId,
  url: r.url,
  data: (r.data ?? null) as Record<string, unknown> | null,
});

export function createPrismaRefStore(db: Db): RefStore {
  return {
    async all(incidentId) {
      const rows = await db.externalRef.findMany({ where: { incidentId } });
      return new Map(rows.map((r) => [r.kind, toRef(r)]));
    },
    async get(incidentId, kind) {
      const r = await db.externalRef.findUnique({ where: { incidentId_kind: { incidentId, kind } } });
      return r ? toRef(r) : null;
    },
    async ofKind(kind, incidentIds) {
      if (!incidentIds.length) return new Map();
      const rows = await db.externalRef.findMany({ where: { kind, incidentId: { in: incidentIds } } });
      return new Map(rows.map((r) => [r.incidentId, toRef(r)]));
    },
    async findByExternalId(kind, externalId) {
      const r = await db.externalRef.findFirst({ where: { kind, externalId } });
      return r ? toRef(r) : null;
    },
    async markIntent(incidentId, kind, now) {
      try {
        await db.externalRef.create({ data: { incidentId, kind, externalId: "", createdAt: now, updatedAt: now } });
        return true;
      } catch (e) {
        if ((e as { code?: string }).code === "P2002") return false;
        throw e;
      }
    },
    async put(ref, now) {
      const data = {
        externalId: ref.externalId,
        url: ref.url,
        data: ref.data === null ? undefined : json(ref.data),
        updatedAt: now,
      };
      await db.externalRef.upsert({
        where: { incidentId_kind: { incidentId: ref.incidentId, kind: ref.kind } },
        create: { incidentId: ref.incidentId, kind: ref.kind, createdAt: now, ...data },
        update: data,
      });
    },
    async claimWindow(incidentId, kind, token, now, windowMs) {
      try {
        await db.externalRef.create({ data: { incidentId, kind, externalId: token, createdAt: now, updatedAt: now } });
        return { ok: true };
      } catch (e) {
        if ((e as { code?: string }).code !== "P2002") throw e;
      }
      // One conditional UPDATE: of two processes, only one sees the old row.
      const taken = await db.externalRef.updateMany({
        where: {
          incidentId,
          kind,
          OR: [{ externalId: token }, { updatedAt: { lte: new Date(now.getTime() - windowMs) } }],
        },
        data: { externalId: token, updatedAt: now },
      });
      if (taken.count) return { ok: true };
      const row = await db.externalRef.findUnique({ where: { incidentId_kind: { incidentId, kind } } });
      return { ok: false, until: new Date((row?.updatedAt ?? now).getTime() + windowMs) };
    },
  };
}
