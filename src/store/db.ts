// What both Prisma-backed stores share: the client type and how rows are
// written. Both generated clients (SQLite and PostgreSQL) have the same model
// API; the SQLite one's types stand for both.
import type { NewJob } from "../incidents/model.js";
import { laneOf } from "../jobs/lanes.js";
import type { Prisma, PrismaClient } from "./generated/sqlite/client.js";

export type Db = PrismaClient;
/** The client or a transaction on it. */
export type Client = Omit<Db, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;
export type { Prisma };

export const json = (v: unknown) => v as Prisma.InputJsonValue;

/** Outbox rows for new jobs, due at `runAt` (plus each job's delay). */
export function jobRows(jobs: NewJob[], runAt: Date) {
  return jobs.map((j) => {
    const at = j.delayMs ? new Date(runAt.getTime() + j.delayMs) : runAt;
    return {
      incidentId: j.incidentId,
      kind: j.kind,
      lane: laneOf(j.kind),
      payload: json(j.payload),
      status: "pending" as const,
      runAt: at,
      createdAt: runAt,
    };
  });
}
