-- CreateTable
CREATE TABLE "ExternalRef" (
    "incidentId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "url" TEXT,
    "data" JSONB,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("incidentId", "kind"),
    CONSTRAINT "ExternalRef_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Job" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "incidentId" TEXT,
    "kind" TEXT NOT NULL,
    "lane" TEXT NOT NULL DEFAULT '',
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "runAt" DATETIME NOT NULL,
    "lockedBy" TEXT,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,
    CONSTRAINT "Job_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Job" ("attempts", "createdAt", "finishedAt", "id", "incidentId", "kind", "lastError", "lockedBy", "lockedUntil", "payload", "runAt", "status") SELECT "attempts", "createdAt", "finishedAt", "id", "incidentId", "kind", "lastError", "lockedBy", "lockedUntil", "payload", "runAt", "status" FROM "Job";
DROP TABLE "Job";
ALTER TABLE "new_Job" RENAME TO "Job";
CREATE INDEX "Job_status_runAt_idx" ON "Job"("status", "runAt");
CREATE INDEX "Job_incidentId_id_idx" ON "Job"("incidentId", "id");
CREATE INDEX "Job_incidentId_lane_status_idx" ON "Job"("incidentId", "lane", "status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ExternalRef_kind_externalId_idx" ON "ExternalRef"("kind", "externalId");

