// The timeline checksum's serialization, defined once so a backup and its
// restore (on either provider) hash the same bytes:
//
//   one line per event, in id order:
//   [id,"incidentId","kind","actorId","visibility","at as ISO-8601 UTC with ms","data"]\n
//
// where data is the event's JSON with object keys sorted (recursively) and
// no whitespace; strings are escaped as JSON.stringify does.
import { createHash, type Hash } from "node:crypto";

export interface TimelineRow {
  id: number;
  incidentId: string;
  kind: string;
  actorId: string;
  visibility: string;
  at: Date | string | number;
  /** Parsed JSON, or its text (SQLite keeps it as text). */
  data: unknown;
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
}

export function isoOf(at: Date | string | number): string {
  if (at instanceof Date) return at.toISOString();
  if (typeof at === "number") return new Date(at).toISOString();
  // SQLite keeps Prisma's DateTime as text, "YYYY-MM-DDTHH:MM:SS.sss+00:00".
  const d = new Date(at.includes("T") ? at : at.replace(" ", "T"));
  if (Number.isNaN(d.getTime())) throw new Error(`an event time is not a date: ${at}`);
  return d.toISOString();
}

export function timelineLine(r: TimelineRow): string {
  const data = typeof r.data === "string" ? JSON.parse(r.data) : r.data;
  return `[${Number(r.id)},${JSON.stringify(r.incidentId)},${JSON.stringify(r.kind)},${JSON.stringify(r.actorId)},${JSON.stringify(r.visibility)},"${isoOf(r.at)}",${canonicalJson(data)}]\n`;
}

/** Feeds pages of events, in id order, into one SHA-256. */
export class TimelineHasher {
  private readonly hash: Hash = createHash("sha256");
  events = 0;
  lastId = 0;

  add(rows: TimelineRow[]): void {
    if (!rows.length) return;
    let text = "";
    for (const r of rows) text += timelineLine(r);
    this.hash.update(text);
    this.events += rows.length;
    this.lastId = Number(rows[rows.length - 1]?.id);
  }

  digest(): { events: number; lastId: number; sha256: string } {
    return { events: this.events, lastId: this.lastId, sha256: this.hash.digest("hex") };
  }
}
