// What the outbox worker needs from storage. Implemented in src/store.
import type { NewJob } from "../incidents/model.js";

export type JobStatus = "pending" | "running" | "done" | "dead";

export interface Job {
  id: number;
  incidentId: string | null;
  kind: string;
  lane: string;
  payload: Record<string, unknown>;
  status: JobStatus;
  /** Attempts started so far, this one included once claimed. */
  attempts: number;
  runAt: Date;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface JobStore {
  /**
   * Claims up to `limit` due jobs for `workerId` until `leaseUntil`: pending
   * jobs whose time has come, and running jobs whose lease ran out (their
   * worker died). A job is not claimable while an earlier job of the same
   * incident and lane is pending or running. Each job is claimed by one
   * worker only, however many processes share the database.
   */
  claim(workerId: string, limit: number, now: Date, leaseUntil: Date): Promise<Job[]>;
  /** Keeps a long job's lease. False if the job is no longer ours. */
  extendLease(id: number, workerId: string, leaseUntil: Date): Promise<boolean>;
  /** Marks the job done and queues its follow-ups, together. False if the lease was lost. */
  complete(id: number, workerId: string, followUps: NewJob[], now: Date): Promise<boolean>;
  /**
   * `complete` for several jobs in one transaction (one commit, one fsync):
   * for each, whether it was still ours. Only the follow-ups of those are queued.
   */
  completeMany(workerId: string, done: { id: number; followUps: NewJob[] }[], now: Date): Promise<boolean[]>;
  /**
   * Sends the job back to pending until `retryAt`, or marks it dead.
   * `refund`: this attempt does not count towards the job's limit (the
   * service only asked it to wait).
   */
  fail(
    id: number,
    workerId: string,
    outcome: { error: string; retryAt: Date | null; followUps?: NewJob[]; refund?: boolean },
    now: Date,
  ): Promise<boolean>;
  enqueue(jobs: NewJob[], runAt: Date): Promise<void>;
  /** When the next pending job is due, to sleep until then. */
  nextRunAt(): Promise<Date | null>;
  /** Single-process databases: every running job belongs to a dead process. */
  releaseAll(): Promise<number>;
  list(filter: { status?: JobStatus[]; incidentId?: string; limit?: number }): Promise<Job[]>;
  find(id: number): Promise<Job | null>;
  /** Requeues a dead (or pending) job to run now with a fresh attempt count. */
  retry(id: number, now: Date): Promise<Job | null>;
}

/** Something that exists outside for an incident, once created. */
export interface ExternalRef {
  incidentId: string;
  kind: string;
  /** Empty while a create call may be in flight: look before creating again. */
  externalId: string;
  url: string | null;
  data: Record<string, unknown> | null;
}

export interface RefStore {
  all(incidentId: string): Promise<Map<string, ExternalRef>>;
  get(incidentId: string, kind: string): Promise<ExternalRef | null>;
  /** One kind of reference for several incidents at once (lists: each incident's channel), by incident id. */
  ofKind(kind: string, incidentIds: string[]): Promise<Map<string, ExternalRef>>;
  /** Which incident owns this outside thing (e.g. the incident of a Slack channel). */
  findByExternalId(kind: string, externalId: string): Promise<ExternalRef | null>;
  /**
   * Records that a create is about to be attempted. Returns false if a
   * previous attempt may already have created it (then look it up first).
   */
  markIntent(incidentId: string, kind: string, now: Date): Promise<boolean>;
  put(ref: ExternalRef, now: Date): Promise<void>;
  /**
   * A window during which only `token` may go ahead (one DM per person, kind
   * and incident per window). Granted when the window is free, when the last
   * one taken is `windowMs` old, or when it is already `token`'s (a retry);
   * atomic, so two processes asking at once get one yes. Otherwise says when
   * the window reopens.
   */
  claimWindow(
    incidentId: string,
    kind: string,
    token: string,
    now: Date,
    windowMs: number,
  ): Promise<{ ok: true } | { ok: false; until: Date }>;
}
