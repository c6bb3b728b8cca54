-- CreateTable
CREATE TABLE "RestoreDrill" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "startedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME NOT NULL,
    "by" TEXT NOT NULL,
    "backupFile" TEXT NOT NULL,
    "manifestSha256" TEXT NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "result" TEXT NOT NULL,
    "reason" TEXT
);

-- CreateTable
CREATE TABLE "ScheduledBackup" (
    "occurrence" DATETIME NOT NULL PRIMARY KEY,
    "jobId" INTEGER NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,
    "file" TEXT,
    "error" TEXT
);

-- CreateIndex
CREATE INDEX "RestoreDrill_result_finishedAt_idx" ON "RestoreDrill"("result", "finishedAt");

