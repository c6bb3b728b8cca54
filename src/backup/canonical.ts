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
import { type ChainEvent, chainLine } from "../store/timeline-chain.js";

export interface TimelineRow extends ChainEvent {
  id: number;
}

/** The chain's line for the event with its id in front: format 1 was written before the chain and has the same bytes otherwise. */
export function timelineLine(r: TimelineRow): string {
  return `[${Number(r.id)},${chainLine(r).slice(1)}\n`;
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
