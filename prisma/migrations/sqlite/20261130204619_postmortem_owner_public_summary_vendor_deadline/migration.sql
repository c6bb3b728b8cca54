-- AlterTable
ALTER TABLE "VendorCheck" ADD COLUMN "deadline" DATETIME;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Postmortem" (
    "incidentId" TEXT NOT NULL PRIMARY KEY,
    "status" TEXT NOT NULL,
    "details" TEXT NOT NULL,
    "timeline" TEXT NOT NULL,
    "impact" TEXT NOT NULL,
    "actionsTaken" TEXT NOT NULL,
    "rootCauses" TEXT NOT NULL,
    "followUps" TEXT NOT NULL,
    "newRisks" TEXT NOT NULL,
    "externalVersionShared" BOOLEAN NOT NULL,
    "externalSharedWhere" TEXT NOT NULL DEFAULT '',
    "publicSummary" TEXT NOT NULL DEFAULT '',
    "ownerId" TEXT,
    "waivedReason" TEXT,
    "waivedBy" TEXT,
    "completedBy" TEXT,
    "completedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Postmortem_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Postmortem" ("actionsTaken", "completedAt", "completedBy", "details", "externalVersionShared", "followUps", "impact", "incidentId", "newRisks", "rootCauses", "status", "timeline", "updatedAt", "waivedBy", "waivedReason") SELECT "actionsTaken", "completedAt", "completedBy", "details", "externalVersionShared", "followUps", "impact", "incidentId", "newRisks", "rootCauses", "status", "timeline", "updatedAt", "waivedBy", "waivedReason" FROM "Postmortem";
DROP TABLE "Postmortem";
ALTER TABLE "new_Postmortem" RENAME TO "Postmortem";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

