// What intake needs from storage, implemented in src/store.
import type { NewJob } from "../incidents/model.js";
import type { TriageReport } from "./model.js";

/** The fields of a report that change after it was made. */
export type TriagePatch = Partial<
  Pick<
    TriageReport,
    | "title"
    | "description"
    | "component"
    | "severity"
    | "status"
    | "link"
    | "details"
    | "count"
    | "lastSeenAt"
    | "resolvedAt"
    | "incidentKey"
    | "declaredBy"
    | "declaredAt"
  >
>;

export interface IntakeTx {
  /** The report that holds this alert's dedup key now, if any. */
  findByOpenKey(openKey: string): Promise<TriageReport | null>;
  findReport(id: string): Promise<TriageReport | null>;
  /** `openKey`: the dedup key this report holds (alerts), or null. */
  insertReport(report: TriageReport, openKey: string | null): Promise<void>;
  /** Applies the patch and bumps the version; false if the version moved (another writer). */
  updateReport(id: string, expectedVersion: number, patch: TriagePatch): Promise<boolean>;
  /** A later report takes the key over: this one stops being found by it. */
  releaseOpenKey(id: string): Promise<void>;
  enqueueJobs(jobs: NewJob[], runAt: Date): Promise<void>;
}

/** Where the triage message is, and which version of the report it shows. */
export interface TriageMessage {
  channelId: string | null;
  messageTs: string | null;
  postedVersion: number;
  postIntentAt: Date | null;
}

export interface IntakeStore {
  /** One transaction; a unique-key race or a busy database surfaces as ConcurrencyConflict. */
  transaction<T>(fn: (tx: IntakeTx) => Promise<T>): Promise<T>;
  findReport(id: string): Promise<(TriageReport & TriageMessage) | null>;
  /**
   * Counts one attempt against `key` in a fixed window of `windowMs` that
   * starts with its first attempt. Refused (and not counted) once `limit`
   * attempts were made in the window; says when it reopens. Atomic across
   * processes sharing the database.
   */
  hit(key: string, limit: number, windowMs: number, now: Date): Promise<{ ok: true } | { ok: false; retryAt: Date }>;

  // The triage message's bookkeeping, for the outbox job that posts it.
  /** Takes the report's sync lease until `until`; false while another job holds it. */
  claimSync(id: string, now: Date, until: Date): Promise<boolean>;
  releaseSync(id: string): Promise<void>;
  /** Records that a first post is about to be made; false when an earlier attempt may have made it. */
  markPostIntent(id: string, now: Date): Promise<boolean>;
  /** The message now shows `version` (never moves back). */
  markPosted(id: string, channelId: string, messageTs: string, version: number): Promise<void>;
}
