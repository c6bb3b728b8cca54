// The DutyStore port on Prisma: the yearly duties' records and the notices
// muster sent about them.
import { DUTY_KEYS, type DutyKey, type NoticeKind } from "../dr/duties.js";
import type { DutyNotice, DutyRecord, DutyStore, DutyTx } from "../dr/ports.js";
import { ConcurrencyConflict } from "../errors.js";
import { type Client, type Db, jobRows, json } from "./db.js";
import { isConflict } from "./prisma-store.js";

type RecordRow = Omit<DutyRecord, "duty"> & { duty: string };
type NoticeRow = Omit<DutyNotice, "duty" | "kind"> & { duty: string; kind: string };

const toRecord = (r: RecordRow): DutyRecord => ({ ...r, duty: r.duty as DutyKey });
const toNotice = (r: NoticeRow): DutyNotice => ({ ...r, duty: r.duty as DutyKey, kind: r.kind as NoticeKind });

function txApi(db: Client): DutyTx {
  return {
    async lastRecord(duty) {
      const r = await db.dutyRecord.findFirst({
        where: { duty },
        orderBy: [{ doneAt: "desc" }, { recordedAt: "desc" }],
      });
      return r ? toRecord(r) : null;
    },
    async insertRecord(record) {
      await db.dutyRecord.create({ data: record });
    },
    async chainLength(duty) {
      const [records, notices] = await Promise.all([
        db.dutyRecord.count({ where: { duty } }),
        db.dutyNotice.count({ where: { duty } }),
      ]);
      return records + notices;
    },
    async noticesFor(duty, dueAt) {
      const rows = await db.dutyNotice.findMany({ where: { duty, dueAt }, orderBy: { id: "asc" } });
      return rows.map(toNotice);
    },
    async insertNotice(n) {
      const r = await db.dutyNotice.create({ data: n, select: { id: true } });
      return r.id;
    },
    async enqueueJobs(jobs, runAt) {
      await db.job.createMany({ data: jobRows(jobs, runAt) });
    },
    async findIdempotency(key) {
      const r = await db.idempotencyKey.findUnique({ where: { key } });
      return r ? { result: r.result } : null;
    },
    async saveIdempotency(key, result, at) {
      await db.idempotencyKey.createMany({
        data: { key, command: "logDuty", incidentId: null, result: json(result), createdAt: at },
      });
    },
  };
}

export function createPrismaDutyStore(db: Db): DutyStore {
  return {
    async transaction(fn) {
      try {
        return await db.$transaction((tx) => fn(txApi(tx as Client)), { maxWait: 10_000, timeout: 15_000 });
      } catch (e) {
        if (!(e instanceof ConcurrencyConflict) && isConflict(e)) throw new ConcurrencyConflict(e);
        throw e;
      }
    },
    async lastRecords() {
      // One indexed look-up per duty (duty, doneAt): the records table is never scanned.
      const found = await Promise.all(DUTY_KEYS.map((duty) => txApi(db).lastRecord(duty)));
      return new Map(found.filter((r): r is DutyRecord => r !== null).map((r) => [r.duty, r]));
    },
    async records(duty, limit) {
      const rows = await db.dutyRecord.findMany({ where: { duty }, orderBy: { doneAt: "desc" }, take: limit });
      return rows.map(toRecord);
    },
    async findNotice(id) {
      const r = await db.dutyNotice.findUnique({ where: { id } });
      return r ? toNotice(r) : null;
    },
    async markNoticeIntent(id) {
      const r = await db.dutyNotice.updateMany({ where: { id, sentTs: null }, data: { sentTs: "" } });
      return r.count === 1;
    },
    async markNoticeSent(id, ts) {
      await db.dutyNotice.update({ where: { id }, data: { sentTs: ts } });
    },
    async pendingLinks() {
      const rows = await db.job.findMany({
        where: { status: "pending", kind: "dr.duty_due" },
        select: { payload: true, runAt: true },
      });
      return rows.map((r) => {
        const p = (r.payload ?? {}) as { duty?: unknown; seq?: unknown };
        return {
          duty: typeof p.duty === "string" ? p.duty : "",
          seq: typeof p.seq === "number" ? p.seq : null,
          runAt: r.runAt,
        };
      });
    },
  };
}
