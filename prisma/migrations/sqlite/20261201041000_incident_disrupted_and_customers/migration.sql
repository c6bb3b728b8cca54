-- Written by hand: Prisma's diff rebuilt the whole Incident table and wrote the
-- JSON default as `[]` (an identifier to SQLite). Adding two columns with
-- constant defaults needs no rebuild.
ALTER TABLE "Incident" ADD COLUMN "scopeCustomers" JSONB NOT NULL DEFAULT '[]';
ALTER TABLE "Incident" ADD COLUMN "disrupted" BOOLEAN NOT NULL DEFAULT false;
