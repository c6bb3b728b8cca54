-- AlterTable
ALTER TABLE "VendorCheck" ADD COLUMN     "deadline" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Postmortem" ADD COLUMN     "externalSharedWhere" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "ownerId" TEXT,
ADD COLUMN     "publicSummary" TEXT NOT NULL DEFAULT '';

