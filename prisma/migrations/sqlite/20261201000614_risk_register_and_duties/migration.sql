-- CreateTable
CREATE TABLE "RiskChange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "riskId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "actorId" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "fromValue" TEXT,
    "toValue" TEXT,
    CONSTRAINT "RiskChange_riskId_fkey" FOREIGN KEY ("riskId") REFERENCES "Risk" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DutyRecord" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "duty" TEXT NOT NULL,
    "doneAt" DATETIME NOT NULL,
    "recordedBy" TEXT NOT NULL,
    "notes" TEXT NOT NULL,
    "link" TEXT,
    "source" TEXT NOT NULL,
    "recordedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "DutyNotice" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "duty" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "userId" TEXT,
    "at" DATETIME NOT NULL,
    "sentTs" TEXT
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Risk" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "incidentId" TEXT NOT NULL,
    "title" TEXT NOT NULL DEFAULT '',
    "description" TEXT NOT NULL,
    "likelihood" TEXT,
    "impact" TEXT,
    "ownerId" TEXT,
    "reviewAt" DATETIME,
    "status" TEXT NOT NULL DEFAULT 'open',
    "source" TEXT NOT NULL DEFAULT 'slack',
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME,
    CONSTRAINT "Risk_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Risk" ("createdAt", "createdBy", "description", "id", "incidentId", "ownerId") SELECT "createdAt", "createdBy", "description", "id", "incidentId", "ownerId" FROM "Risk";
DROP TABLE "Risk";
ALTER TABLE "new_Risk" RENAME TO "Risk";
CREATE INDEX "Risk_incidentId_idx" ON "Risk"("incidentId");
CREATE INDEX "Risk_status_ownerId_idx" ON "Risk"("status", "ownerId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "RiskChange_riskId_id_idx" ON "RiskChange"("riskId", "id");

-- CreateIndex
CREATE INDEX "DutyRecord_duty_doneAt_idx" ON "DutyRecord"("duty", "doneAt");

-- CreateIndex
CREATE INDEX "DutyNotice_duty_dueAt_idx" ON "DutyNotice"("duty", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "DutyNotice_duty_seq_key" ON "DutyNotice"("duty", "seq");

