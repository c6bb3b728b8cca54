// The reads every request makes, as one raw SQL statement each instead of a
// Prisma query per relation: an incident with its current role holders (every
// command and most Slack screens start with it), and a whole timeline (10,000
// events must load well under 50 ms). Prisma 7 still types raw results from
// the columns (dates, JSON, booleans), so rows map to the domain as usual.
import type { RoleAssignment, TimelineEvent } from "../incidents/model.js";
import type { IncidentSummary } from "../incidents/ports.js";
import type { Client, Prisma } from "./db.js";
import { toIncident } from "./incident-row.js";

export type Provider = "sqlite" | "postgresql";

const param = (provider: Provider) => (provider === "postgresql" ? "$1" : "?");

const ROLE_COLUMNS = ["id", "role", "userId", "assignedBy", "assignedAt"] as const;

function incidentWithRolesSql(provider: Provider, by: "key" | "id"): string {
  const roleColumns = ROLE_COLUMNS.map((c) => `r."${c}" AS "role_${c}"`).join(", ");
  return `SELECT i.*, ${roleColumns}
    FROM "Incident" i
    LEFT JOIN "RoleAssignment" r ON r."incidentId" = i."id" AND r."endedAt" IS NULL
    WHERE i."${by}" = ${param(provider)}
    ORDER BY r."assignedAt", r."id"`;
}

type IncidentRow = Prisma.IncidentGetPayload<object>;
type JoinedRow = IncidentRow & {
  [K in (typeof ROLE_COLUMNS)[number] as `role_${K}`]: K extends "assignedAt" ? Date : string | null;
};

export function createHotReads(provider: Provider) {
  const sql = { key: incidentWithRolesSql(provider, "key"), id: incidentWithRolesSql(provider, "id") };
  const timelineSql = `SELECT "id", "incidentId", "at", "actorId", "kind", "visibility", "data"
    FROM "TimelineEvent" WHERE "incidentId" = ${param(provider)} ORDER BY "id"`;
  return {
    /** An incident and its current role holders, in one statement. */
    async incidentWithRoles(db: Client, where: { key: string } | { id: string }): Promise<IncidentSummary | null> {
      const by = "id" in where ? "id" : "key";
      const rows = await db.$queryRawUnsafe<JoinedRow[]>(sql[by], "id" in where ? where.id : where.key);
      const first = rows[0];
      if (!first) return null;
      const roles: RoleAssignment[] = [];
      for (const r of rows) {
        if (r.role_id === null) continue;
        roles.push({
          id: r.role_id,
          incidentId: first.id,
          role: r.role_role!,
          userId: r.role_userId!,
          assignedBy: r.role_assignedBy!,
          assignedAt: r.role_assignedAt,
          endedAt: null,
          endedBy: null,
        });
      }
      return { incident: toIncident(first), roles };
    },
    async timeline(db: Client, incidentId: string): Promise<TimelineEvent[]> {
      const rows = await db.$queryRawUnsafe<TimelineEvent[]>(timelineSql, incidentId);
      for (const r of rows) r.data ??= {};
      return rows;
    },
  };
}
