// The yearly duties as use cases: where each stands, recording one as done,
// and the reminder chain the outbox runs (one timer link at a time, each
// carrying the chain's position: a link whose position is out of date does
// nothing, so a link run twice, or by two replicas, says its piece once).
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { AppError, ConcurrencyConflict } from "../errors.js";
import * as input from "../incidents/input.js";
import type { Actor, NewJob } from "../incidents/model.js";
import {
  DUTIES,
  DUTY_KEYS,
  type DutyDefinition,
  type DutyKey,
  type DutyPolicy,
  type DutySchedule,
  isDutyKey,
  mayRecordDuty,
  NEVER_DONE_DUE,
  nextDueAt,
  nextDutyStep,
} from "./duties.js";
import type { DutyStore, DutyTx } from "./ports.js";

/** When the duty was last done, by whom, and what was noted. */
export interface DutyDone {
  at: Date;
  by: string;
  notes: string;
  link: string | null;
  /** slack, cli, or restore-drill (muster's own drill counts as its restore test). */
  source: string;
}

export interface DutyStatus {
  duty: DutyDefinition;
  schedule: DutySchedule;
  lastDone: DutyDone | null;
  /** Null: never recorded and no first due date configured, so due now. */
  dueAt: Date | null;
  overdue: boolean;
}

/** A successful restore drill (`muster restore-drill`): muster's own production restore test. */
export interface RestoreDrill {
  at: Date;
  by: string;
  /** Which backup it restored, for the notes. */
  backup?: string;
}

export interface DutyServiceDeps {
  store: DutyStore;
  policy: DutyPolicy;
  /** The last successful restore drill, if drills are recorded; counted as the restore test. */
  lastRestoreDrill?: () => Promise<RestoreDrill | null>;
  clock?: () => Date;
  newId?: () => string;
}

export const logDutyInput = z.object({
  duty: z.string().refine(isDutyKey, { message: `Pick a duty: ${DUTY_KEYS.join(", ")}.` }),
  notes: input.requiredText("a note on what was done"),
  link: input
    .text("the link", 2000)
    .pipe(z.union([z.literal(""), z.string().url("The link must be a URL, e.g. https://…")]))
    .optional(),
  /** When it was done; now when not given. */
  doneAt: input.date.optional(),
  source: z.enum(["slack", "cli"]).default("slack"),
});
export type LogDutyInput = z.input<typeof logDutyInput>;

export type DutyService = ReturnType<typeof createDutyService>;

const MAX_ATTEMPTS = 8;
/** The outbox kind of a reminder chain's link. */
const LINK = "dr.duty_due" as const;

export function createDutyService(deps: DutyServiceDeps) {
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  const scheduleOf = (duty: DutyKey) => deps.policy.schedules[duty];

  async function retrying<T>(fn: (tx: DutyTx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await deps.store.transaction(fn);
      } catch (e) {
        if (!(e instanceof ConcurrencyConflict) || attempt >= MAX_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  async function drill(duty: DutyKey): Promise<DutyDone | null> {
    if (duty !== "restore_test" || !deps.lastRestoreDrill) return null;
    const d = await deps.lastRestoreDrill();
    if (!d) return null;
    return {
      at: d.at,
      by: d.by,
      notes: `muster restore drill${d.backup ? ` of ${d.backup}` : ""}`,
      link: null,
      source: "restore-drill",
    };
  }

  const later = (a: DutyDone | null, b: DutyDone | null) => (!a ? b : !b ? a : b.at > a.at ? b : a);

  function statusOf(duty: DutyKey, lastDone: DutyDone | null, now: Date): DutyStatus {
    const schedule = scheduleOf(duty);
    const due = nextDueAt(schedule, lastDone?.at ?? null);
    const dueAt = due.getTime() === NEVER_DONE_DUE.getTime() ? null : due;
    return { duty: DUTIES[duty], schedule, lastDone, dueAt, overdue: due <= now };
  }

  const link = (duty: DutyKey, seq: number, at: Date, now: Date): NewJob => ({
    incidentId: null,
    kind: LINK,
    payload: { duty, seq },
    delayMs: Math.max(1, at.getTime() - now.getTime()),
  });

  /** What the chain of `duty` should do next, from what the transaction sees. */
  async function stepOf(tx: DutyTx, duty: DutyKey, drillDone: DutyDone | null) {
    const record = await tx.lastRecord(duty);
    const lastDoneAt = later(record ? { ...record, by: record.recordedBy, at: record.doneAt } : null, drillDone)?.at;
    const schedule = scheduleOf(duty);
    const dueAt = nextDueAt(schedule, lastDoneAt ?? null);
    // Never done, and nobody configured an owner or a first due date: muster does not
    // announce it to the channel on its first start; `dr status` shows it as due.
    if (!lastDoneAt && !schedule.ownerId && !schedule.firstDueAt) return { dueAt, step: null };
    const sent = await tx.noticesFor(duty, dueAt);
    return { dueAt, step: nextDutyStep({ dueAt, ownerId: schedule.ownerId, sent, policy: deps.policy }) };
  }

  return {
    policy: deps.policy,

    /** Every duty: owner, last done, next due, overdue. */
    async status(): Promise<DutyStatus[]> {
      const now = clock();
      const records = await deps.store.lastRecords();
      return Promise.all(
        DUTY_KEYS.map(async (k) => {
          const r = records.get(k);
          const recorded: DutyDone | null = r
            ? { at: r.doneAt, by: r.recordedBy, notes: r.notes, link: r.link, source: r.source }
            : null;
          return statusOf(k, later(recorded, await drill(k)), now);
        }),
      );
    },

    /** The duties this person may record (owner or admin). */
    recordableBy(actor: Actor): DutyDefinition[] {
      return DUTY_KEYS.filter((k) => mayRecordDuty(scheduleOf(k), actor)).map((k) => DUTIES[k]);
    },

    /**
     * Records a duty as done: the next due date moves on (done + interval),
     * the running reminders go stale and a new chain starts from the new date.
     */
    async log(actor: Actor, raw: LogDutyInput, options: { idempotencyKey?: string } = {}) {
      const i = input.parseInput(logDutyInput, raw);
      const duty = i.duty as DutyKey;
      const schedule = scheduleOf(duty);
      if (!mayRecordDuty(schedule, actor)) {
        throw new AppError(
          "forbidden",
          `Only the owner of “${DUTIES[duty].name}”${schedule.ownerId ? ` (<@${schedule.ownerId}>)` : ""} or an admin can record it.`,
        );
      }
      const now = clock();
      const doneAt = i.doneAt ?? now;
      if (doneAt.getTime() > now.getTime() + 60_000)
        throw new AppError("validation", "A duty can't be recorded as done in the future.", { field: "doneAt" });
      const drillDone = await drill(duty);
      return retrying(async (tx) => {
        if (options.idempotencyKey) {
          const seen = await tx.findIdempotency(options.idempotencyKey);
          if (seen) return seen.result as { duty: DutyKey; recordId: string; nextDueAt: string };
        }
        const recordId = newId();
        await tx.insertRecord({
          id: recordId,
          duty,
          doneAt,
          recordedBy: actor.userId,
          notes: i.notes,
          link: i.link || null,
          source: i.source,
          recordedAt: now,
        });
        const seq = await tx.chainLength(duty);
        const { dueAt, step } = await stepOf(tx, duty, drillDone);
        if (step) await tx.enqueueJobs([link(duty, seq, step.at, now)], now);
        const result = { duty, recordId, nextDueAt: dueAt.toISOString() };
        if (options.idempotencyKey) await tx.saveIdempotency(options.idempotencyKey, result, now);
        return result;
      });
    },

    /**
     * A link of a duty's reminder chain came due (muster itself): sends the
     * reminder or the overdue notice that is due, or waits for it; stale
     * links do nothing. Recorded in the same transaction as the next link.
     */
    async remind(duty: string, seq: number) {
      if (!isDutyKey(duty)) return { action: "unknown" as const };
      const drillDone = await drill(duty);
      return retrying(async (tx) => {
        const now = clock();
        const length = await tx.chainLength(duty);
        if (length !== seq) return { action: "stale" as const };
        const { dueAt, step } = await stepOf(tx, duty, drillDone);
        if (!step) return { action: "done" as const };
        if (step.at > now) {
          await tx.enqueueJobs([link(duty, seq, step.at, now)], now);
          return { action: "wait" as const, at: step.at };
        }
        const noticeId = await tx.insertNotice({
          duty,
          seq,
          kind: step.kind,
          dueAt,
          userId: step.kind === "reminder" ? scheduleOf(duty).ownerId : null,
          at: now,
        });
        await tx.enqueueJobs(
          [{ incidentId: null, kind: "dr.duty_notice", payload: { noticeId } }, link(duty, seq + 1, now, now)],
          now,
        );
        return { action: step.kind, noticeId };
      });
    },

    /**
     * At start-up: every duty gets a running chain (a first deployment, a
     * changed owner or due date). A chain already waiting for the right time
     * is left alone, so restarts add nothing.
     */
    async plan() {
      const now = clock();
      const pending = await deps.store.pendingLinks();
      let queued = 0;
      for (const duty of DUTY_KEYS) {
        const drillDone = await drill(duty);
        queued += await retrying(async (tx) => {
          const seq = await tx.chainLength(duty);
          const { step } = await stepOf(tx, duty, drillDone);
          if (!step) return 0;
          const at = step.at > now ? step.at : now;
          // A link queued "now" runs a millisecond later: a minute's slack.
          const waiting = (p: { duty: string; seq: number | null; runAt: Date }) =>
            p.duty === duty && p.seq === seq && p.runAt.getTime() <= at.getTime() + 60_000;
          if (pending.some(waiting)) return 0;
          await tx.enqueueJobs([link(duty, seq, at, now)], now);
          return 1;
        });
      }
      return queued;
    },

    /** Whether a notice still has its reason when it is about to be sent (not recorded since). */
    async noticeStillDue(notice: { duty: string; dueAt: Date }): Promise<boolean> {
      if (!isDutyKey(notice.duty)) return false;
      const [status] = (await this.status()).filter((s) => s.duty.key === notice.duty);
      const due = status?.dueAt ?? NEVER_DONE_DUE;
      return due.getTime() === notice.dueAt.getTime();
    },
  };
}
