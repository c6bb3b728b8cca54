// The only reads behind the public status page. Each query names the fields
// it takes (Prisma `select`): what is not listed here cannot reach a public
// page, whatever the tables hold. Private incidents, incidents that were not
// published (or were taken off the page: their publication row is gone) and
// "not an incident" reports are excluded in the query itself.
import type { Db, Prisma } from "./db.js";

/** What the status page may compute from: the publication, times, impact kinds, customer-facing text. */
export interface PublishedIncidentRow {
  publicId: string;
  title: string;
  components: string[];
  publishedAt: Date;
  publicationUpdatedAt: Date;
  /** Read to derive the public impact level, never shown. */
  severity: string;
  /** Read to say latency vs unavailability, never shown as such. */
  impacts: string[];
  /** Read to pick the scope's words, never shown as a number. */
  customersAffected: number | null;
  status: string;
  impactStartedAt: Date | null;
  detectedAt: Date | null;
  declaredAt: Date;
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
  /** The customer-facing text of status updates only; the internal text is not selected. */
  updates: { id: string; text: string; postedAt: Date }[];
  /** The post-mortem's public summary once it is complete. */
  postmortemSummary: string | null;
}

export interface PublicStore {
  /**
   * Published incidents that are open, or were resolved at or after `since`.
   * Without `updates` their update lists are left empty (bars and history need
   * only times): a year of incidents stays one light read.
   */
  published(since: Date, o?: { updates?: boolean }): Promise<PublishedIncidentRow[]>;
  /** These incidents with their public updates, e.g. the open ones or the 50 newest. */
  withUpdates(publicIds: string[]): Promise<PublishedIncidentRow[]>;
  byPublicId(publicId: string): Promise<PublishedIncidentRow | null>;
}

const OPEN = ["investigating", "mitigated"];
const ENDED = ["resolved", "closed"];

const SELECT = {
  severity: true,
  impacts: true,
  customersAffected: true,
  status: true,
  impactStartedAt: true,
  detectedAt: true,
  declaredAt: true,
  mitigatedAt: true,
  resolvedAt: true,
  publication: { select: { publicId: true, title: true, components: true, publishedAt: true, updatedAt: true } },
  statusUpdates: {
    where: { publicText: { not: null } },
    select: { id: true, publicText: true, postedAt: true },
    orderBy: [{ postedAt: "asc" }, { id: "asc" }],
  },
  postmortem: { select: { status: true, publicSummary: true } },
} satisfies Prisma.IncidentSelect;

const { statusUpdates: _updates, ...LIGHT } = SELECT;

/** What the selection reads; the light one (bars and history) leaves the updates out. */
type Row = Prisma.IncidentGetPayload<{ select: typeof LIGHT }> &
  Partial<Pick<Prisma.IncidentGetPayload<{ select: typeof SELECT }>, "statusUpdates">>;

function toRow(r: Row): PublishedIncidentRow | null {
  const p = r.publication;
  if (!p) return null;
  return {
    publicId: p.publicId,
    title: p.title,
    components: Array.isArray(p.components) ? (p.components as string[]) : [],
    publishedAt: p.publishedAt,
    publicationUpdatedAt: p.updatedAt,
    severity: r.severity,
    impacts: Array.isArray(r.impacts) ? (r.impacts as string[]) : [],
    customersAffected: r.customersAffected,
    status: r.status,
    impactStartedAt: r.impactStartedAt,
    detectedAt: r.detectedAt,
    declaredAt: r.declaredAt,
    mitigatedAt: r.mitigatedAt,
    resolvedAt: r.resolvedAt,
    updates: (r.statusUpdates ?? [])
      .filter((u) => u.publicText)
      .map((u) => ({ id: u.id, text: u.publicText as string, postedAt: u.postedAt })),
    postmortemSummary:
      r.postmortem?.status === "complete" && r.postmortem.publicSummary.trim() ? r.postmortem.publicSummary : null,
  };
}

export function createPublicStore(db: Db): PublicStore {
  const publicOnly = { private: false, publication: { isNot: null } };
  // Reached through a public id: the incident must still be public and past triage.
  const shown = { private: false, status: { in: [...OPEN, ...ENDED] as never } };
  return {
    async published(since, o = {}) {
      const select = o.updates ? SELECT : LIGHT;
      // Two indexed reads (status; resolvedAt) rather than one OR that scans.
      const [open, ended] = await Promise.all([
        db.incident.findMany({ where: { status: { in: OPEN as never }, ...publicOnly }, select }),
        db.incident.findMany({
          where: { resolvedAt: { gte: since }, status: { in: ENDED as never }, ...publicOnly },
          select,
        }),
      ]);
      return [...open, ...ended].map((r) => toRow(r)).filter((r): r is PublishedIncidentRow => r !== null);
    },
    async withUpdates(publicIds) {
      if (!publicIds.length) return [];
      const rows = await db.publication.findMany({
        where: { publicId: { in: publicIds }, incident: shown },
        select: { incident: { select: SELECT } },
      });
      return rows.map((p) => toRow(p.incident)).filter((r): r is PublishedIncidentRow => r !== null);
    },
    async byPublicId(publicId) {
      // findFirst: the unique id and the incident's filter in one statement.
      const p = await db.publication.findFirst({
        where: { publicId, incident: shown },
        select: { incident: { select: SELECT } },
      });
      return p ? toRow(p.incident) : null;
    },
  };
}
