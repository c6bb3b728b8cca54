-- CreateTable
CREATE TABLE "TriageReport" (
    "id" TEXT NOT NULL,
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
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "resolvedAt" TIMESTAMP(3),
    "incidentKey" TEXT,
    "declaredBy" TEXT,
    "declaredAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 0,
    "postedVersion" INTEGER NOT NULL DEFAULT -1,
    "channelId" TEXT,
    "messageTs" TEXT,
    "postIntentAt" TIMESTAMP(3),
    "syncLeaseUntil" TIMESTAMP(3),

    CONSTRAINT "TriageReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RateLimit" (
    "key" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "RateLimit_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "TriageReport_openKey_key" ON "TriageReport"("openKey");

-- CreateIndex
CREATE INDEX "TriageReport_receivedAt_idx" ON "TriageReport"("receivedAt");

-- CreateIndex
CREATE INDEX "RateLimit_windowStart_idx" ON "RateLimit"("windowStart");

