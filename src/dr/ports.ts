// What the duties need from storage, implemented by src/store.
import type { NewJob } from "../incidents/model.js";
import type { DutyKey, NoticeKind } from "./duties.js";

export interface DutyRecord {
  id: string;
  duty: DutyKey;
  doneAt: Date;
  recordedBy: string;
  notes: string;
  link: string | null;
  /** slack or cli */
  source: string;
  recordedAt: Date;
}

export interface DutyNotice {
  id: number;
  duty: DutyKey;
  /** The reminder chain's position when it was sent: one notice per position. */
  seq: number;
  kind: NoticeKind;
  dueAt: Date;
  userId: string | null;
  at: Date;
  /** The Slack message's ts once posted; "" while a post may be in flight. */
  sentTs: string | null;
}

/** A pending link of a duty's reminder chain, as queued in the outbox. */
export interface PendingDutyLink {
  duty: string;
  seq: number | null;
  runAt: Date;
}

export interface DutyTx {
  lastRecord(duty: DutyKey): Promise<DutyRecord | null>;
  insertRecord(record: DutyRecord): Promise<void>;
  /** The chain's position: records plus notices of the duty. A link queued at another position is stale. */
  chainLength(duty: DutyKey): Promise<number>;
  noticesFor(duty: DutyKey, dueAt: Date): Promise<DutyNotice[]>;
  /** Returns the new notice's id. */
  insertNotice(notice: Omit<DutyNotice, "id" | "sentTs">): Promise<number>;
  enqueueJobs(jobs: NewJob[], runAt: Date): Promise<void>;
  /** Slack's retries and double clicks of one form record the duty once. */
  findIdempotency(key: string): Promise<{ result: unknown } | null>;
  saveIdempotency(key: string, result: unknown, at: Date): Promise<void>;
}

export interface DutyStore {
  /** One transaction; a unique-key race or a busy database surfaces as ConcurrencyConflict. */
  transaction<T>(fn: (tx: DutyTx) => Promise<T>): Promise<T>;
  lastRecords(): Promise<Map<DutyKey, DutyRecord>>;
  records(duty: DutyKey, limit: number): Promise<DutyRecord[]>;
  findNotice(id: number): Promise<DutyNotice | null>;
  /** Marks that a post is about to be made; false when an earlier attempt may have made it. */
  markNoticeIntent(id: number): Promise<boolean>;
  markNoticeSent(id: number, ts: string): Promise<void>;
  pendingLinks(): Promise<PendingDutyLink[]>;
}
