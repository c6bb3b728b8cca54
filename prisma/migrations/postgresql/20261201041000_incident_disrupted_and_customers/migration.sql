-- AlterTable
ALTER TABLE "Incident" ADD COLUMN     "disrupted" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "scopeCustomers" JSONB NOT NULL DEFAULT '[]';

