// The incident forms: severity, role, hand-off, status update, escalation,
// vendor check, follow-up, risk, resolution. Each has an opener (from a
// subcommand or a control-message button) and a submission handler.
import type { AllMiddlewareArgs } from "@slack/bolt";
import { AppError } from "../../errors.js";
import type { Incident } from "../../incidents/model.js";
import { authorize } from "../../incidents/permissions.js";
import { pickable, type SlackDeps } from "../deps.js";
import { toUserError } from "../errors.js";
import { list, str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import type { SlackRouter } from "../router.js";
import { confirmation } from "../views/messages.js";
import {
  escalateModal,
  followUpModal,
  handoffModal,
  resolveModal,
  riskModal,
  roleModal,
  severityModal,
  updateModal,
  vendorModal,
} from "../views/modals.js";
import { handleSubmission, type Submission, tellUser } from "./submit.js";

export type FormName =
  | "severity"
  | "role"
  | "handoff"
  | "update"
  | "escalate"
  | "vendor"
  | "followup"
  | "risk"
  | "resolve";

export const FORM_NAMES: FormName[] = [
  "severity",
  "role",
  "handoff",
  "update",
  "escalate",
  "vendor",
  "followup",
  "risk",
  "resolve",
];

/** Builds the modal for a form; throws an AppError when the person may not open it. */
export async function buildForm(deps: SlackDeps, name: FormName, incident: Incident | null, userId: string) {
  const open = incident ? [] : await pickable(deps);
  switch (name) {
    case "severity":
      return severityModal({ incident, open });
    case "role":
      return roleModal({ incident, open, roles: deps.roles });
    case "handoff": {
      if (!incident) {
        throw new AppError(
          "validation",
          "Run `/incident handoff` in the incident's channel, or name it: `/incident handoff INC-42`.",
        );
      }
      // Only the IC (or an admin) may hand off: say so before they write a note.
      const summary = await deps.store.incidentSummary({ id: incident.id });
      authorize(
        "proposeHandoff",
        { userId, isAdmin: deps.admins.includes(userId) },
        summary?.roles ?? [],
        incident.key,
      );
      return handoffModal({ incident });
    }
    case "update":
      return updateModal({ incident, open });
    case "escalate":
      return escalateModal({ incident, open });
    case "vendor":
      return vendorModal({ incident, open });
    case "followup":
      return followUpModal({ incident, open, userId });
    case "risk":
      return riskModal({ incident, open });
    case "resolve":
      return resolveModal({ incident, open });
  }
}

/**
 * Opens a form from a trigger. `views.open` comes first (the trigger lives
 * 3 s); refusals are told to the person where they are.
 */
export async function openForm(
  deps: SlackDeps,
  o: {
    name: FormName;
    incident: Incident | null;
    userId: string;
    triggerId: string;
    reply: (text: string) => Promise<void>;
  },
) {
  try {
    const view = await buildForm(deps, o.name, o.incident, o.userId);
    await deps.views.open(o.triggerId, view);
  } catch (e) {
    const code = (e as { data?: { error?: string } }).data?.error;
    if (code === "expired_trigger_id" || code === "exchanged_trigger_id") {
      await o.reply("Slack took too long to open the form. Please try again.");
      return;
    }
    await o.reply(`:warning: ${toUserError(e, deps.logger, { form: o.name }).text}`);
  }
}

const keyOf = (s: Submission) => s.meta.key ?? str(s.form[FIELD.incident]) ?? "";

const confirm = (text: (key: string) => string) => async (s: Submission, r: { key: string }, args: AllMiddlewareArgs) =>
  tellUser(args, s.actor.userId, s.meta.origin, confirmation(text(r.key)));

export function registerForms(router: SlackRouter, deps: SlackDeps) {
  const on = (
    callbackId: string,
    run: Parameters<typeof handleSubmission>[2],
    done?: (s: Submission, r: { key: string }, args: AllMiddlewareArgs) => Promise<void>,
  ) =>
    router.view(callbackId, async (args) => {
      await handleSubmission(args, deps, run, done ? (s, r) => done(s, r, args) : undefined);
    });

  on(VIEW.severity, (s) =>
    deps.service.classifySeverity(
      s.actor,
      {
        key: keyOf(s),
        severity: str(s.form[FIELD.severity]) as never,
        reason: str(s.form[FIELD.reason]) ?? "",
        components: list(s.form[FIELD.components]),
        regions: list(s.form[FIELD.regions]),
        assetRisk: str(s.form[FIELD.assetRisk]) ?? "",
      },
      { idempotencyKey: s.idempotencyKey },
    ),
  );
  on(VIEW.role, (s) =>
    deps.service.assignRole(
      s.actor,
      { key: keyOf(s), role: str(s.form[FIELD.role]) ?? "", userId: str(s.form[FIELD.user]) ?? "" },
      { idempotencyKey: s.idempotencyKey },
    ),
  );
  on(
    VIEW.handoff,
    (s) =>
      deps.service.proposeHandoff(
        s.actor,
        { key: keyOf(s), toUserId: str(s.form[FIELD.successor]) ?? "", note: str(s.form[FIELD.note]) ?? "" },
        { idempotencyKey: s.idempotencyKey },
      ),
    confirm((key) => `Hand-off of ${key} offered. You stay the IC until they accept.`),
  );
  on(VIEW.update, (s) =>
    deps.service.postStatusUpdate(
      s.actor,
      {
        key: keyOf(s),
        internalText: str(s.form[FIELD.internalText]) ?? "",
        ...(str(s.form[FIELD.publicText]) ? { publicText: str(s.form[FIELD.publicText]) } : {}),
      },
      { idempotencyKey: s.idempotencyKey },
    ),
  );
  on(
    VIEW.escalate,
    (s) =>
      deps.service.escalate(
        s.actor,
        { key: keyOf(s), reason: str(s.form[FIELD.reason]) ?? "" },
        { idempotencyKey: s.idempotencyKey },
      ),
    confirm((key) => `${key} escalated; leadership gets your brief by direct message.`),
  );
  on(VIEW.vendor, (s) =>
    deps.service.recordVendorCheck(
      s.actor,
      {
        key: keyOf(s),
        vendor: str(s.form[FIELD.vendor]) ?? "",
        answer: (str(s.form[FIELD.vendorAnswer]) ?? "pending") as never,
        ...(str(s.form[FIELD.notes]) ? { notes: str(s.form[FIELD.notes]) } : {}),
      },
      { idempotencyKey: s.idempotencyKey },
    ),
  );
  on(VIEW.followUp, (s) =>
    deps.service.addFollowUp(
      s.actor,
      {
        key: keyOf(s),
        title: str(s.form[FIELD.title]) ?? "",
        ownerId: str(s.form[FIELD.owner]) ?? "",
        ...(str(s.form[FIELD.dueDate]) ? { dueDate: str(s.form[FIELD.dueDate]) } : {}),
      },
      { idempotencyKey: s.idempotencyKey },
    ),
  );
  on(VIEW.risk, (s) =>
    deps.service.addRisk(
      s.actor,
      {
        key: keyOf(s),
        description: str(s.form[FIELD.description]) ?? "",
        ...(str(s.form[FIELD.owner]) ? { ownerId: str(s.form[FIELD.owner]) } : {}),
      },
      { idempotencyKey: s.idempotencyKey },
    ),
  );
  on(VIEW.resolve, (s) =>
    deps.service.resolve(
      s.actor,
      {
        key: keyOf(s),
        summary: str(s.form[FIELD.summary]) ?? "",
        partiesInformed: list(s.form[FIELD.partiesInformed]),
      },
      { idempotencyKey: s.idempotencyKey },
    ),
  );
}
