import { AppError } from "../errors.js";
import type { Actor, RoleAssignment } from "./model.js";
import { COMMANDER } from "./model.js";

/**
 * Who may do what, as data. "commander" means the current IC; "responder"
 * anyone holding a role in the incident; admins (configured) may always act,
 * so an incident never gets stuck behind an unreachable IC.
 */
export type Audience = "anyone" | "responder" | "commander" | "admin";

export const PERMISSIONS = {
  declare: "anyone",
  classifySeverity: "commander",
  updateImpact: "commander",
  assignRole: "commander",
  unassignRole: "commander",
  proposeHandoff: "commander",
  postStatusUpdate: "responder",
  // The IC decides what goes on the public status page.
  publish: "commander",
  // Withdrawing a mistaken publication is the same call, made the other way.
  unpublish: "commander",
  // Escalation is the safety valve when the response is insufficient, so
  // anyone may pull it; who did is recorded.
  escalate: "anyone",
  // muster's offer to escalate is the IC's to turn down.
  declineEscalation: "commander",
  // Only leadership gets the button; who pressed it is recorded.
  acknowledgeEscalation: "anyone",
  recordVendorCheck: "responder",
  addFollowUp: "responder",
  addRisk: "responder",
  // A risk's owner may too (checked in the command): risks outlive the response.
  updateRisk: "responder",
  addNote: "anyone",
  correctTimes: "commander",
  mitigate: "commander",
  resolve: "commander",
  close: "commander",
  reopen: "commander",
  markNotAnIncident: "commander",
  repair: "commander",
  updatePostmortem: "responder",
  // The owner may too (checked in the command).
  completePostmortem: "commander",
  assignPostmortemOwner: "commander",
  // The policy has no waiver: an admin may grant one, with a reason (a duplicate, say).
  waivePostmortem: "admin",
  // The recovery checklist (checklists.ts): anyone working the incident ticks the work;
  // the sign-off is the IC's; skipping it takes an admin, with a reason.
  tickRecovery: "responder",
  signOffRecovery: "commander",
  waiveRecovery: "admin",
  // The resolution-communication checklist: the IC's duty (the communications lead may too, checked in the command).
  tickComms: "commander",
} as const satisfies Record<string, Audience>;

export type Action = keyof typeof PERMISSIONS;

const ACTION_WORDS: Record<Action, string> = {
  declare: "declare incidents",
  classifySeverity: "change the severity",
  updateImpact: "change the recorded impact",
  assignRole: "assign roles",
  unassignRole: "remove roles",
  proposeHandoff: "hand off the Incident Commander role",
  postStatusUpdate: "post status updates",
  publish: "publish it to the status page",
  unpublish: "take it off the status page",
  escalate: "escalate",
  declineEscalation: "turn down the escalation",
  acknowledgeEscalation: "acknowledge the escalation",
  recordVendorCheck: "record vendor checks",
  addFollowUp: "add follow-up actions",
  addRisk: "add risks",
  updateRisk: "change its risks",
  addNote: "add notes",
  correctTimes: "correct the incident's times",
  mitigate: "mark it mitigated",
  resolve: "resolve it",
  close: "close it",
  reopen: "reopen it",
  markNotAnIncident: "mark it as not an incident",
  repair: "repair its channel, issue and doc",
  updatePostmortem: "edit the post-mortem",
  completePostmortem: "mark the post-mortem complete",
  assignPostmortemOwner: "change who owns the post-mortem",
  waivePostmortem: "waive the post-mortem",
  tickRecovery: "tick the recovery checklist",
  signOffRecovery: "sign off the recovery",
  waiveRecovery: "waive the recovery checklist",
  tickComms: "tick off who was told it is resolved",
};

export function commanderOf(roles: readonly RoleAssignment[]): string | null {
  return roles.find((r) => r.role === COMMANDER && r.endedAt === null)?.userId ?? null;
}

export function mayAct(action: Action, actor: Actor, activeRoles: readonly RoleAssignment[]): boolean {
  const audience: Audience = PERMISSIONS[action];
  if (audience === "anyone" || actor.isAdmin) return true;
  if (audience === "admin") return false;
  if (audience === "commander") return commanderOf(activeRoles) === actor.userId;
  return activeRoles.some((r) => r.userId === actor.userId && r.endedAt === null);
}

export function authorize(action: Action, actor: Actor, activeRoles: readonly RoleAssignment[], key: string): void {
  if (mayAct(action, actor, activeRoles)) return;
  const audience: Audience = PERMISSIONS[action];
  const who =
    audience === "admin"
      ? "an admin"
      : audience === "commander"
        ? "the Incident Commander or an admin"
        : "someone with a role in the incident or an admin";
  throw new AppError("forbidden", `Only ${who} can ${ACTION_WORDS[action]} for ${key}.`);
}
