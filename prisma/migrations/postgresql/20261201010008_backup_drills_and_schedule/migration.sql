-- CreateTable
CREATE TABLE "RestoreDrill" (
    "id" SERIAL NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3) NOT NULL,
    "by" TEXT NOT NULL,
    "backupFile" TEXT NOT NULL,
    "manifestSha256" TEXT NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "result" TEXT NOT NULL,
    "reason" TEXT,

    CONSTRAINT "RestoreDrill_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScheduledBackup" (
    "occurrence" TIMESTAMP(3) NOT NULL,
    "jobId" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),
    "file" TEXT,
    "error" TEXT,

    CONSTRAINT "ScheduledBackup_pkey" PRIMARY KEY ("occurrence")
);

-- CreateIndex
CREATE INDEX "RestoreDrill_result_finishedAt_idx" ON "RestoreDrill"("result", "finishedAt");

