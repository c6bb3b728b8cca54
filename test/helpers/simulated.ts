// Simulated time for end-to-end tests of what muster does on its own later
// (reminders, nudges, escalations, the end of someone's day): days pass in
// seconds, and at each step the worker runs what came due before the clock
// moves on, so a reminder fires at the step it is due, not at the end.
import type { TimelineEvent } from "../../src/incidents/model.js";
import { openStore } from "../../src/store/open-store.js";
import type { Stack } from "./stack.js";

export class SimulatedClock {
  constructor(public ms: number) {}

  /** muster's clock (StackOptions.clock). */
  readonly now = (): Date => new Date(this.ms);

  /** Jumps to `at` (ms) at once and lets the stack's worker run what came due. */
  async jumpTo(at: number, stack: Stack): Promise<void> {
    this.ms = at;
    stack.muster.worker.wake();
    await stack.settle();
  }

  /** Moves to `end` (ms) `stepMs` at a time, letting the stack's worker run what comes due. */
  async advanceTo(end: number, stepMs: number, stack: Stack): Promise<void> {
    while (this.ms < end) {
      this.ms = Math.min(end, this.ms + stepMs);
      stack.muster.worker.wake();
      await stack.settle();
    }
  }
}

/** An incident's timeline as stored, read through a store of its own (the stack's may be stopped). */
export async function timelineOf(databaseUrl: string, key = "INC-1"): Promise<TimelineEvent[]> {
  const { store } = await openStore(databaseUrl, { poolSize: 1 });
  try {
    return (await store.loadIncident(key))?.timeline ?? [];
  } finally {
    await store.close();
  }
}
