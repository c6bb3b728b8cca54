// Rows as the domain sees them: the mapping from Prisma's Incident and
// TimelineEvent rows (or raw rows with the same columns) to plain data.
import type { Incident, TimelineEvent } from "../incidents/model.js";
import type { Prisma } from "./db.js";

type IncidentRow = Prisma.IncidentGetPayload<object>;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export function toIncident(r: IncidentRow): Incident {
  return {
    id: r.id,
    number: r.number,
    key: r.key,
    title: r.title,
    summary: r.summary,
    status: r.status,
    severity: r.severity,
    impacts: strings(r.impacts) as Incident["impacts"],
    scope: {
      components: strings(r.scopeComponents),
      regions: strings(r.scopeRegions),
      customersAffected: r.customersAffected,
      customers: strings(r.scopeCustomers),
    },
    assetRisk: r.assetRisk,
    private: r.private,
    disrupted: r.disrupted,
    reportSource: r.reportSource,
    reportedBy: r.reportedBy,
    declaredBy: r.declaredBy,
    times: {
      impactStartedAt: r.impactStartedAt,
      detectedAt: r.detectedAt,
      declaredAt: r.declaredAt,
      mitigatedAt: r.mitigatedAt,
      resolvedAt: r.resolvedAt,
      closedAt: r.closedAt,
    },
    resolutionSummary: r.resolutionSummary,
    partiesInformed: strings(r.partiesInformed),
    version: r.version,
  };
}

export const toEvent = (r: Prisma.TimelineEventGetPayload<object>): TimelineEvent => ({
  id: r.id,
  incidentId: r.incidentId,
  at: r.at,
  actorId: r.actorId,
  kind: r.kind as TimelineEvent["kind"],
  visibility: r.visibility,
  data: (r.data ?? {}) as Record<string, unknown>,
});
