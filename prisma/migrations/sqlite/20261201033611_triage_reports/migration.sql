-- CreateTable
CREATE TABLE "TriageReport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "source" TEXT NOT NULL,
    "openKey" TEXT,
    "dedupKey" TEXT,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "contact" TEXT,
    "component" TEXT,
    "severity" TEXT,
    "status" TEXT NOT NULL,
    "link" TEXT,
    "details" JSONB NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 1,
    "receivedAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,
    "resolvedAt" DATETIME,
    "incidentKey" TEXT,
    "declaredBy" TEXT,
    "declaredAt" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 0,
    "postedVersion" INTEGER NOT NULL DEFAULT -1,
    "channelId" TEXT,
    "messageTs" TEXT,
    "postIntentAt" DATETIME,
    "syncLeaseUntil" DATETIME
);

-- CreateTable
CREATE TABLE "RateLimit" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "windowStart" DATETIME NOT NULL,
    "count" INTEGER NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "TriageReport_openKey_key" ON "TriageReport"("openKey");

-- CreateIndex
CREATE INDEX "TriageReport_receivedAt_idx" ON "TriageReport"("receivedAt");

-- CreateIndex
CREATE INDEX "RateLimit_windowStart_idx" ON "RateLimit"("windowStart");

