-- The timeline's hash chain: see src/store/timeline-chain.ts.
-- AlterTable
ALTER TABLE "Incident" ADD COLUMN     "timelineHead" BYTEA,
ADD COLUMN     "timelineLength" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "TimelineEvent" ADD COLUMN     "hash" BYTEA;

-- Then muster fills in the chains of the events already there, in the same
-- transaction (fillTimelineChains in src/store/chain-backfill.ts).
