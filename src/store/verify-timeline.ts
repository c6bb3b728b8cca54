// `muster verify`: recomputes every incident's hash chain (timeline-chain.ts)
// from the stored events and names each event that does not match what was
// written when it was appended. Each event is judged against the stored hash
// of the one before it, so one changed event is named alone instead of
// breaking everything after it; an event whose content and hash were both
// rewritten is caught by the next one, which no longer follows from it; a
// removed event by its successor, or (at the end) by the incident's head.
import { AppError } from "../errors.js";
import type { DatabaseTarget } from "./database-url.js";
import { inSnapshot, keepsChains, type RawSql, storedEvents } from "./raw-sql.js";
import { chainLine, nextHash, sameHash } from "./timeline-chain.js";

export interface ChainProblem {
  incidentKey: string;
  /** The event that does not match; null for a problem with the incident's head. */
  eventId: number | null;
  reason: string;
}

export interface VerifyReport {
  incidents: number;
  events: number;
  /** Incidents whose chain has at least one problem. */
  broken: string[];
  problems: ChainProblem[];
  ms: number;
}

interface IncidentHead {
  id: string;
  key: string;
  timelineHead: Uint8Array | null;
  timelineLength: number;
}

/** Checks one incident (by key) or all, on a connection the caller opened. */
export async function verifyChains(sql: RawSql, options: { incidentKey?: string } = {}): Promise<VerifyReport> {
  const t0 = performance.now();
  if (!(await keepsChains(sql)))
    throw new AppError(
      "validation",
      "This database has no hash chains yet: run `muster migrate` (or start muster) first.",
    );
  const p = sql.provider === "postgresql" ? "$1" : "?";
  const heads = await sql.query<IncidentHead>(
    `SELECT "id", "key", "timelineHead", "timelineLength" FROM "Incident"${options.incidentKey ? ` WHERE "key" = ${p}` : ""}`,
    options.incidentKey ? [options.incidentKey] : [],
  );
  const byId = new Map(heads.map((h) => [h.id, h]));
  const last = new Map<string, { hash: Uint8Array | null; count: number }>();
  const problems: ChainProblem[] = [];
  let events = 0;
  const only = options.incidentKey ? heads[0]?.id : undefined;
  if (options.incidentKey && !only) return { incidents: 0, events: 0, broken: [], problems: [], ms: 0 };
  for await (const page of storedEvents(sql, only)) {
    for (const e of page) {
      const before = last.get(e.incidentId);
      const key = byId.get(e.incidentId)?.key ?? e.incidentId;
      if (!e.hash) {
        problems.push({
          incidentKey: key,
          eventId: Number(e.id),
          reason: "has no chain hash: muster did not write it",
        });
      } else if (!sameHash(nextHash(before?.hash ?? null, chainLine(e)), e.hash)) {
        problems.push({
          incidentKey: key,
          eventId: Number(e.id),
          reason: before
            ? "does not match its hash: it, or the event before it, was changed after it was written, or an event between them was removed"
            : "does not match its hash: it was changed after it was written, or an event before it was removed",
        });
      }
      last.set(e.incidentId, { hash: e.hash, count: (before?.count ?? 0) + 1 });
    }
    events += page.length;
  }
  for (const h of heads) {
    const seen = last.get(h.id) ?? { hash: null, count: 0 };
    if (Number(h.timelineLength) !== seen.count) {
      problems.push({
        incidentKey: h.key,
        eventId: null,
        reason: `its chain records ${h.timelineLength} events but its timeline holds ${seen.count}: events were removed, or added outside muster`,
      });
    } else if (!sameHash(h.timelineHead, seen.hash)) {
      problems.push({
        incidentKey: h.key,
        eventId: null,
        reason: "its chain head is not the hash of its last event: one of the two was changed",
      });
    }
  }
  const broken = [...new Set(problems.map((x) => x.incidentKey))];
  return { incidents: heads.length, events, broken, problems, ms: performance.now() - t0 };
}

/** Opens the database read-only (PostgreSQL: one snapshot) and checks its chains. */
export async function verifyTimeline(
  target: DatabaseTarget,
  options: { incidentKey?: string } = {},
): Promise<VerifyReport> {
  return inSnapshot(target, (sql) => verifyChains(sql, options), { readonly: true });
}

/** The first few problems in words, for a one-line reason. */
export function describeProblems(report: VerifyReport, max = 3): string {
  const named = report.problems
    .slice(0, max)
    .map((p) => `${p.incidentKey}${p.eventId === null ? "" : ` event ${p.eventId}`} ${p.reason}`);
  const more = report.problems.length - named.length;
  return `${named.join("; ")}${more > 0 ? `; and ${more} more` : ""}`;
}
