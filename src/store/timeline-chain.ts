// The timeline's hash chain. Each incident's events, in id order, form a chain:
//
//   hash(event 1) = SHA-256(line(event 1))
//   hash(event n) = SHA-256(hash(event n-1) ‖ line(event n))       (‖: the 32 bytes, then the line's UTF-8)
//
// where line(event) is
//
//   ["incidentId","kind","actorId","visibility","at as ISO-8601 UTC with ms",data]
//
// with data the event's JSON with object keys sorted (recursively), no
// whitespace, strings escaped as JSON.stringify does. The event id is not in
// the line (it is assigned by the database after the hash is computed); the
// chain fixes each event's place among its incident's events instead.
//
// Each event row stores its hash; the incident stores the last one (its
// head) and the chain's length. They are written by the statement that
// appends the event (timeline-append.ts), so a backup's timeline checksum is
// a digest of the heads rather than a pass over every event, and `muster
// verify` can recompute every chain and name the first event that does not
// match what was written.
import { createHash } from "node:crypto";

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

/** An event as the chain sees it; `data` is parsed JSON or its stored text. */
export interface ChainEvent {
  incidentId: string;
  kind: string;
  actorId: string;
  visibility: string;
  at: Date | string | number;
  data: unknown;
}

export function chainLine(e: ChainEvent): string {
  const data = typeof e.data === "string" ? JSON.parse(e.data) : e.data;
  return `[${JSON.stringify(e.incidentId)},${JSON.stringify(e.kind)},${JSON.stringify(e.actorId)},${JSON.stringify(e.visibility)},"${isoOf(e.at)}",${canonicalJson(data)}]`;
}

/** The hash of an event whose predecessor's hash is `previous` (null: the incident's first event). */
export function nextHash(previous: Uint8Array | null, line: string): Buffer {
  const h = createHash("sha256");
  if (previous) h.update(previous);
  return h.update(line).digest();
}

export const sameHash = (a: Uint8Array | null, b: Uint8Array | null): boolean =>
  a === null || b === null ? a === b : Buffer.compare(a, b) === 0;
