-- CreateTable
CREATE TABLE "IncidentMetric" (
    "incidentId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "incidentUpdatedAt" TIMESTAMP(3) NOT NULL,
    "declaredAtMs" DOUBLE PRECISION NOT NULL,
    "declaredWeek" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "private" INTEGER NOT NULL,
    "counted" INTEGER NOT NULL,
    "customers" INTEGER,
    "componentsCount" INTEGER NOT NULL,
    "regionsCount" INTEGER NOT NULL,
    "unavailability" INTEGER NOT NULL,
    "degraded" INTEGER NOT NULL,
    "dataImpact" INTEGER NOT NULL,
    "toDetectS" DOUBLE PRECISION,
    "toDeclareS" DOUBLE PRECISION,
    "toMitigateS" DOUBLE PRECISION,
    "toResolveS" DOUBLE PRECISION,
    "toFirstUpdateS" DOUBLE PRECISION,
    "impactEndedS" DOUBLE PRECISION NOT NULL,
    "impactOngoingMs" DOUBLE PRECISION,
    "severityChanges" INTEGER NOT NULL,
    "reopens" INTEGER NOT NULL,
    "handoffs" INTEGER NOT NULL,
    "followUps" INTEGER NOT NULL,
    "followUpsDone" INTEGER NOT NULL,
    "pmRequired" INTEGER NOT NULL,
    "pmStatus" TEXT NOT NULL,
    "pmDueMs" DOUBLE PRECISION,
    "pmOnTime" INTEGER,

    CONSTRAINT "IncidentMetric_pkey" PRIMARY KEY ("incidentId")
);

-- CreateTable
CREATE TABLE "IncidentMetricComponent" (
    "incidentId" TEXT NOT NULL,
    "component" TEXT NOT NULL,
    "declaredAtMs" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "IncidentMetricComponent_pkey" PRIMARY KEY ("incidentId","component")
);

-- CreateIndex
CREATE INDEX "IncidentMetric_declaredAtMs_idx" ON "IncidentMetric"("declaredAtMs");

-- CreateIndex
CREATE INDEX "IncidentMetric_incidentUpdatedAt_idx" ON "IncidentMetric"("incidentUpdatedAt");

-- CreateIndex
CREATE INDEX "IncidentMetricComponent_component_declaredAtMs_idx" ON "IncidentMetricComponent"("component", "declaredAtMs");

-- CreateIndex
CREATE INDEX "IncidentMetricComponent_declaredAtMs_idx" ON "IncidentMetricComponent"("declaredAtMs");

-- CreateIndex
CREATE INDEX "Incident_updatedAt_idx" ON "Incident"("updatedAt");

