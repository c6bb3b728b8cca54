// The reads every request makes, as one raw SQL statement each instead of a
// Prisma query per relation: an incident with its current role holders (every
// command and most Slack screens start with it), and a whole timeline (10,000
// events must load well under 50 ms). Prisma 7 still types raw results from
// the columns (dates, JSON, booleans), so rows map to the domain as usual.
import type { TimelineEvent } from "../incidents/model.js";
import type { IncidentFilter, IncidentSummary } from "../incidents/ports.js";
import type { Client, Prisma } from "./db.js";
import { toIncident } from "./incident-row.js";

export type Provider = "sqlite" | "postgresql";

const param = (provider: Provider) => (provider === "postgresql" ? "$1" : "?");

const ROLE_COLUMNS = ["id", "role", "userId", "assignedBy", "assignedAt"] as const;

const ROLE_SELECT = ROLE_COLUMNS.map((c) => `r."${c}" AS "role_${c}"`).join(", ");

function incidentWithRolesSql(provider: Provider, by: "key" | "id"): string {
  return `SELECT i.*, ${ROLE_SELECT}
    FROM "Incident" i
    LEFT JOIN "RoleAssignment" r ON r."incidentId" = i."id" AND r."endedAt" IS NULL
    WHERE i."${by}" = ${param(provider)}
    ORDER BY r."assignedAt", r."id"`;
}

type IncidentRow = Prisma.IncidentGetPayload<object>;
type JoinedRow = IncidentRow & {
  [K in (typeof ROLE_COLUMNS)[number] as `role_${K}`]: K extends "assignedAt" ? Date : string | null;
};

/** Current role holders of each joined row, grouped by incident in row order. */
function summaries(rows: JoinedRow[]): IncidentSummary[] {
  const out: IncidentSummary[] = [];
  let current: IncidentSummary | null = null;
  for (const r of rows) {
    if (current?.incident.id !== r.id) {
      current = { incident: toIncident(r), roles: [] };
      out.push(current);
    }
    if (r.role_id === null) continue;
    current.roles.push({
      id: r.role_id,
      incidentId: r.id,
      role: r.role_role!,
      userId: r.role_userId!,
      assignedBy: r.role_assignedBy!,
      assignedAt: r.role_assignedAt,
      endedAt: null,
      endedBy: null,
    });
  }
  return out;
}

export function createHotReads(provider: Provider) {
  const sql = { key: incidentWithRolesSql(provider, "key"), id: incidentWithRolesSql(provider, "id") };
  const timelineSql = `SELECT "id", "incidentId", "at", "actorId", "kind", "visibility", "data"
    FROM "TimelineEvent" WHERE "incidentId" = ${param(provider)} ORDER BY "id"`;
  return {
    /** An incident and its current role holders, in one statement. */
    async incidentWithRoles(db: Client, where: { key: string } | { id: string }): Promise<IncidentSummary | null> {
      const by = "id" in where ? "id" : "key";
      const rows = await db.$queryRawUnsafe<JoinedRow[]>(sql[by], "id" in where ? where.id : where.key);
      return summaries(rows)[0] ?? null;
    },
    /** The newest incidents matching the filter, each with its current role holders, in one statement. */
    async listWithRoles(db: Client, filter: IncidentFilter): Promise<IncidentSummary[]> {
      const args: unknown[] = [];
      // PostgreSQL compares the enum columns with parameters cast to the enum (so the index still serves).
      const p = (v: unknown, pgType = "") => {
        args.push(v);
        return provider === "postgresql" ? `$${args.length}${pgType}` : "?";
      };
      const where: string[] = [];
      if (filter.status?.length)
        where.push(`"status" IN (${filter.status.map((v) => p(v, '::"IncidentStatus"')).join(", ")})`);
      if (filter.severity?.length)
        where.push(`"severity" IN (${filter.severity.map((v) => p(v, '::"Severity"')).join(", ")})`);
      const limit = p(filter.limit ?? 100);
      const rows = await db.$queryRawUnsafe<JoinedRow[]>(
        `SELECT i.*, ${ROLE_SELECT}
        FROM (SELECT * FROM "Incident" ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
              ORDER BY "number" DESC LIMIT ${limit}) i
        LEFT JOIN "RoleAssignment" r ON r."incidentId" = i."id" AND r."endedAt" IS NULL
        ORDER BY i."number" DESC, r."assignedAt", r."id"`,
        ...args,
      );
      return summaries(rows);
    },
    async timeline(db: Client, incidentId: string): Promise<TimelineEvent[]> {
      const rows = await db.$queryRawUnsafe<TimelineEvent[]>(timelineSql, incidentId);
      for (const r of rows) r.data ??= {};
      return rows;
    },
  };
}
