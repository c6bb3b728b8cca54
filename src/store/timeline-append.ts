// Appending a timeline event and advancing its incident's hash chain
// (timeline-chain.ts) in one statement, as a compare-and-set on the head:
// the row goes in only if the incident's head is still the one the hash was
// computed from, so two appends never chain from the same event. On
// PostgreSQL the head moves first, under the incident row's lock, and the
// event's id is taken after it, so ids follow the chain's order (a second
// appender waits for the lock, then finds the head moved); on SQLite the
// write lock orders everything.
//
// Commands hold that lock already (their version bump) and chain from the
// head it returned: the check cannot fail. An outside append (appendEvents)
// first tries the head this process last saw (KnownHeads), one statement in
// a batch transaction; if another process moved it, nothing is written and
// it locks the row, reads the head and appends from that.
//
// - PostgreSQL: one statement, a data-modifying WITH: move the head, then
//   insert the event from the row that moved.
// - SQLite has no data-modifying WITH: the insert reads the head it expects,
//   and the migration's AFTER INSERT trigger moves it (same statement).
import type { NewTimelineEvent } from "../incidents/model.js";
import type { Client, Prisma } from "./db.js";
import type { Provider } from "./hot-reads.js";
import { chainLine, nextHash } from "./timeline-chain.js";

export interface ChainHead {
  head: Uint8Array | null;
  length: number;
}

const APPEND_PG = `WITH moved AS (
    UPDATE "Incident" SET "timelineHead" = $8, "timelineLength" = "timelineLength" + 1
    WHERE "id" = $1 AND "timelineHead" IS NOT DISTINCT FROM $7::bytea
    RETURNING "id")
  INSERT INTO "TimelineEvent" ("incidentId", "at", "actorId", "kind", "visibility", "data", "hash")
  SELECT moved."id", $2::timestamp(3), $3, $4, $5::"Visibility", $6::jsonb, $8 FROM moved
  RETURNING "id"`;

const APPEND_SQLITE = `INSERT INTO "TimelineEvent" ("incidentId", "at", "actorId", "kind", "visibility", "data", "hash")
  SELECT "id", ?, ?, ?, ?, ?, ? FROM "Incident" WHERE "id" = ? AND "timelineHead" IS ?
  RETURNING "id"`;

/** The chain moved under us: a bug in the locking, reported rather than forked. */
export class ChainHeadMoved extends Error {
  constructor(incidentId: string) {
    super(`the timeline chain of incident ${incidentId} moved during the transaction`);
  }
}

/** An append ready to run: its statement (lazy, so it can join a batch transaction) and the head it leads to. */
export interface PreparedAppend {
  statement: Prisma.PrismaPromise<{ id: number }[]>;
  head: ChainHead;
}

export function createTimelineAppender(provider: Provider) {
  const prepare = (db: Client, e: NewTimelineEvent, from: ChainHead): PreparedAppend => {
    // The stored text is what verify reads back, so the line is made from it.
    const dataText = JSON.stringify(e.data ?? {});
    const hash = nextHash(from.head, chainLine({ ...e, data: dataText }));
    const statement =
      provider === "postgresql"
        ? db.$queryRawUnsafe<{ id: number }[]>(
            APPEND_PG,
            e.incidentId,
            e.at,
            e.actorId,
            e.kind,
            e.visibility,
            dataText,
            from.head,
            hash,
          )
        : db.$queryRawUnsafe<{ id: number }[]>(
            APPEND_SQLITE,
            e.at,
            e.actorId,
            e.kind,
            e.visibility,
            dataText,
            hash,
            e.incidentId,
            from.head,
          );
    return { statement, head: { head: hash, length: from.length + 1 } };
  };

  return {
    prepare,

    /** Appends the event after `from`; returns its id and the new head. */
    async append(db: Client, e: NewTimelineEvent, from: ChainHead): Promise<{ id: number; head: ChainHead }> {
      const { statement, head } = prepare(db, e, from);
      const row = (await statement)[0];
      if (!row) throw new ChainHeadMoved(e.incidentId);
      return { id: Number(row.id), head };
    },

    /**
     * Locks the incidents' rows (a write that changes nothing) and reads their
     * heads: for appends outside a command, which has locked its incident by
     * bumping its version.
     */
    async lockHeads(db: Client, incidentIds: string[]): Promise<Map<string, ChainHead>> {
      const ids = [...new Set(incidentIds)];
      const list = ids.map((_, i) => (provider === "postgresql" ? `$${i + 1}` : "?")).join(", ");
      const rows = await db.$queryRawUnsafe<{ id: string; timelineHead: Uint8Array | null; timelineLength: number }[]>(
        `UPDATE "Incident" SET "timelineLength" = "timelineLength" WHERE "id" IN (${list})
         RETURNING "id", "timelineHead", "timelineLength"`,
        ...ids,
      );
      return new Map(rows.map((r) => [r.id, { head: r.timelineHead, length: Number(r.timelineLength) }]));
    },
  };
}

/**
 * The heads this process last saw committed, so an outside append can try
 * the one-statement compare-and-set from them before it pays for a lock.
 * Bounded: the least recently used incident goes first.
 */
export class KnownHeads {
  private readonly heads = new Map<string, ChainHead>();
  constructor(private readonly max = 1_000) {}

  get(incidentId: string): ChainHead | undefined {
    const h = this.heads.get(incidentId);
    if (h) {
      this.heads.delete(incidentId);
      this.heads.set(incidentId, h);
    }
    return h;
  }

  set(incidentId: string, head: ChainHead): void {
    this.heads.delete(incidentId);
    if (this.heads.size >= this.max) this.heads.delete(this.heads.keys().next().value as string);
    this.heads.set(incidentId, head);
  }

  forget(incidentId: string): void {
    this.heads.delete(incidentId);
  }
}
