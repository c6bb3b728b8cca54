-- CreateIndex
CREATE INDEX "Postmortem_ownerId_status_idx" ON "Postmortem"("ownerId", "status");

