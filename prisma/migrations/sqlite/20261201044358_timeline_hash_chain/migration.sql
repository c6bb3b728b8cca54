-- The timeline's hash chain: see src/store/timeline-chain.ts.
-- AlterTable
ALTER TABLE "TimelineEvent" ADD COLUMN "hash" BLOB;

-- AlterTable
-- Edited by hand: Prisma redefines "Incident" to add these two (copying every
-- row and dropping the table every other table refers to, which the
-- migration transaction cannot do with foreign keys switched off); SQLite
-- adds both in place.
ALTER TABLE "Incident" ADD COLUMN "timelineHead" BLOB;
ALTER TABLE "Incident" ADD COLUMN "timelineLength" INTEGER NOT NULL DEFAULT 0;

-- Added by hand: the row that appends an event also advances its incident's
-- chain head. SQLite has no data-modifying WITH, so this trigger does what
-- PostgreSQL's append statement does itself (src/store/timeline-append.ts).
-- A row written by anything but muster has no hash, and sets the head to
-- none: `muster verify` names it.
CREATE TRIGGER "TimelineEvent_advance_chain" AFTER INSERT ON "TimelineEvent"
BEGIN
    UPDATE "Incident" SET "timelineHead" = NEW."hash", "timelineLength" = "timelineLength" + 1
    WHERE "id" = NEW."incidentId";
END;

-- Then muster fills in the chains of the events already there, in the same
-- transaction (fillTimelineChains in src/store/chain-backfill.ts).
