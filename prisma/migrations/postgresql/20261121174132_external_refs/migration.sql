-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "lane" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "ExternalRef" (
    "incidentId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "url" TEXT,
    "data" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ExternalRef_pkey" PRIMARY KEY ("incidentId","kind")
);

-- CreateIndex
CREATE INDEX "ExternalRef_kind_externalId_idx" ON "ExternalRef"("kind", "externalId");

-- CreateIndex
CREATE INDEX "Job_incidentId_lane_status_idx" ON "Job"("incidentId", "lane", "status");

-- AddForeignKey
ALTER TABLE "ExternalRef" ADD CONSTRAINT "ExternalRef_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

