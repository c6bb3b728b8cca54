// The timeline checksum of format-1 manifests ("muster-backup/1"), kept so
// backups taken before the hash chain still restore and drill: a SHA-256 over
// every event, one line each, in id order:
//
//   [id,"incidentId","kind","actorId","visibility","at as ISO-8601 UTC with ms",data]\n
//
// where data is the event's JSON with object keys sorted (recursively) and no
// whitespace. It reads and re-serialises every event (about 6 µs each), which
// is why format 2 digests the chain heads instead (contents.ts).
import { createHash, type Hash } from "node:crypto";
import { canonicalJson, isoOf } from "../store/timeline-chain.js";

export interface TimelineRow {
  id: number;
  incidentId: string;
  kind: string;
  actorId: string;
  visibility: string;
  at: Date | string | number;
  /** Parsed JSON, or its text. */
  data: unknown;
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
