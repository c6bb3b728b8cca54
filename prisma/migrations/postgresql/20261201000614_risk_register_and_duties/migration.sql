-- CreateEnum
CREATE TYPE "RiskStatus" AS ENUM ('open', 'accepted', 'mitigated', 'closed');

-- CreateEnum
CREATE TYPE "RiskLevel" AS ENUM ('low', 'medium', 'high');

-- AlterTable
ALTER TABLE "Risk" ADD COLUMN     "impact" "RiskLevel",
ADD COLUMN     "likelihood" "RiskLevel",
ADD COLUMN     "reviewAt" TIMESTAMP(3),
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'slack',
ADD COLUMN     "status" "RiskStatus" NOT NULL DEFAULT 'open',
ADD COLUMN     "title" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "updatedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "RiskChange" (
    "id" SERIAL NOT NULL,
    "riskId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "actorId" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "fromValue" TEXT,
    "toValue" TEXT,

    CONSTRAINT "RiskChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DutyRecord" (
    "id" TEXT NOT NULL,
    "duty" TEXT NOT NULL,
    "doneAt" TIMESTAMP(3) NOT NULL,
    "recordedBy" TEXT NOT NULL,
    "notes" TEXT NOT NULL,
    "link" TEXT,
    "source" TEXT NOT NULL,
    "recordedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DutyRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DutyNotice" (
    "id" SERIAL NOT NULL,
    "duty" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "userId" TEXT,
    "at" TIMESTAMP(3) NOT NULL,
    "sentTs" TEXT,

    CONSTRAINT "DutyNotice_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RiskChange_riskId_id_idx" ON "RiskChange"("riskId", "id");

-- CreateIndex
CREATE INDEX "DutyRecord_duty_doneAt_idx" ON "DutyRecord"("duty", "doneAt");

-- CreateIndex
CREATE INDEX "DutyNotice_duty_dueAt_idx" ON "DutyNotice"("duty", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "DutyNotice_duty_seq_key" ON "DutyNotice"("duty", "seq");

-- CreateIndex
CREATE INDEX "Risk_status_ownerId_idx" ON "Risk"("status", "ownerId");

-- AddForeignKey
ALTER TABLE "RiskChange" ADD CONSTRAINT "RiskChange_riskId_fkey" FOREIGN KEY ("riskId") REFERENCES "Risk"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

