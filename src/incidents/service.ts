import { randomUUID } from "node:crypto";
import { AppError, ConcurrencyConflict } from "../errors.js";
import { addFollowUp } from "./commands/add-follow-up.js";
import { addRisk } from "./commands/add-risk.js";
import { addTimelineNote } from "./commands/add-timeline-note.js";
import { acceptHandoff, declineHandoff } from "./commands/answer-handoff.js";
import { assignPostmortemOwner } from "./commands/assign-postmortem-owner.js";
import { assignRole } from "./commands/assign-role.js";
import {
  closeIncident,
  markNotAnIncident,
  mitigateIncident,
  reopenIncident,
  resolveIncident,
} from "./commands/change-status.js";
import { tickChecklist, waiveRecovery } from "./commands/checklists.js";
import { classifySeverity } from "./commands/classify-severity.js";
import { completeFollowUp } from "./commands/complete-follow-up.js";
import { correctTimes } from "./commands/correct-times.js";
import { recordDayEnd, snoozeDayEnd } from "./commands/day-end-handoff.js";
import { declareIncident } from "./commands/declare-incident.js";
import { escalateIncident } from "./commands/escalate-incident.js";
import {
  acceptEscalationOffer,
  acknowledgeEscalation,
  autoEscalate,
  declineEscalation,
  proposeEscalation,
} from "./commands/insufficient-response.js";
import { postStatusUpdate } from "./commands/post-status-update.js";
import { completePostmortem, updatePostmortem, waivePostmortem } from "./commands/postmortem.js";
import { remindPostmortem, snoozePostmortemReminders } from "./commands/postmortem-reminders.js";
import { proposeHandoff } from "./commands/propose-handoff.js";
import { recordNudge } from "./commands/record-nudge.js";
import { repairIncident } from "./commands/repair-incident.js";
import { unassignRole } from "./commands/unassign-role.js";
import { unpublishIncident } from "./commands/unpublish-incident.js";
import { updateImpact } from "./commands/update-impact.js";
import { updateRisk } from "./commands/update-risk.js";
import { answerVendorCheck, recordVendorCheck } from "./commands/vendor-checks.js";
import type { CommandContext, CommandResult, Policy } from "./context.js";
import type { Actor } from "./model.js";
import type { IncidentStore } from "./ports.js";

// biome-ignore lint/suspicious/noExplicitAny: each command narrows its own input
type Command = (ctx: CommandContext, input: any) => Promise<CommandResult>;

const COMMANDS = {
  declare: declareIncident,
  classifySeverity,
  updateImpact,
  assignRole,
  unassignRole,
  proposeHandoff,
  acceptHandoff,
  declineHandoff,
  postStatusUpdate,
  unpublish: unpublishIncident,
  escalate: escalateIncident,
  acceptEscalationOffer,
  declineEscalation,
  acknowledgeEscalation,
  recordVendorCheck,
  answerVendorCheck,
  addFollowUp,
  completeFollowUp,
  addRisk,
  updateRisk,
  addNote: addTimelineNote,
  correctTimes,
  mitigate: mitigateIncident,
  resolve: resolveIncident,
  close: closeIncident,
  reopen: reopenIncident,
  markNotAnIncident,
  updatePostmortem,
  completePostmortem,
  waivePostmortem,
  assignPostmortemOwner,
  snoozePostmortemReminders,
  snoozeDayEnd,
  repair: repairIncident,
  tickChecklist,
  waiveRecovery,
} satisfies Record<string, Command>;

/**
 * What muster does by itself when a timer comes due (the outbox calls these,
 * as the actor "muster"); people reach the same effects through the
 * commands above (a post-mortem reminder stops when they complete, waive or
 * snooze it).
 */
const TIMED_COMMANDS = {
  remindPostmortem,
  recordNudge,
  proposeEscalation,
  autoEscalate,
  recordDayEnd,
} satisfies Record<string, Command>;

const ALL_COMMANDS = { ...COMMANDS, ...TIMED_COMMANDS };

export type CommandName = keyof typeof ALL_COMMANDS;
type InputOf<C extends CommandName> = Parameters<(typeof ALL_COMMANDS)[C]>[1];

export interface RunOptions {
  /**
   * A key unique to the request (a Slack view id, a CLI invocation…). A
   * command whose key was already applied returns the first result unchanged.
   */
  idempotencyKey?: string;
}

export interface IncidentServiceDeps {
  store: IncidentStore;
  policy: Policy;
  clock?: () => Date;
  newId?: () => string;
}

const MAX_ATTEMPTS = 8;

export type IncidentService = {
  [C in CommandName]: (actor: Actor, input: InputOf<C>, options?: RunOptions) => Promise<CommandResult>;
} & {
  /** The policy the commands run under, for surfaces that show it (severity definitions). */
  policy: Policy;
};

/**
 * Runs every use case the same way: one transaction holding the state change,
 * its timeline events, its outbox jobs and its idempotency record; retried
 * when another writer got there first.
 */
export function createIncidentService(deps: IncidentServiceDeps): IncidentService {
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;

  async function run(name: CommandName, actor: Actor, input: unknown, options: RunOptions): Promise<CommandResult> {
    const command: Command = ALL_COMMANDS[name];
    for (let attempt = 1; ; attempt++) {
      try {
        return await deps.store.transaction(async (tx) => {
          const key = options.idempotencyKey;
          if (key) {
            const seen = await tx.findIdempotency(key);
            if (seen) {
              if (seen.command !== name) {
                throw new AppError("conflict", "That request was already used for something else.");
              }
              return seen.result as CommandResult;
            }
          }
          const now = clock();
          const result = await command({ tx, actor, now, newId, policy: deps.policy }, input);
          if (key) await tx.saveIdempotency({ key, command: name, incidentId: result.incidentId, result }, now);
          return result;
        });
      } catch (e) {
        if (!(e instanceof ConcurrencyConflict) || attempt >= MAX_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  const service = { policy: deps.policy } as IncidentService;
  for (const name of Object.keys(ALL_COMMANDS) as CommandName[]) {
    (service as unknown as Record<string, unknown>)[name] = (actor: Actor, input: unknown, options: RunOptions = {}) =>
      run(name, actor, input, options);
  }
  return service;
}
