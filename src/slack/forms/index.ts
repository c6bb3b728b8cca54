// The one registry of forms: the subcommand table and the control message's
// buttons open them by name; the submission router finds them by callback_id.
import { AppError } from "../../errors.js";
import type { Incident, RoleAssignment } from "../../incidents/model.js";
import { authorize } from "../../incidents/permissions.js";
import { actorOf, pickable, type SlackDeps } from "../deps.js";
import { toUserError } from "../errors.js";
import { handleSubmission, tellUser } from "../listeners/submit.js";
import type { SlackRouter } from "../router.js";
import type { ModalView } from "../views/blocks.js";
import { commsNotApplicableForm } from "./comms-not-applicable.js";
import { declareForm } from "./declare.js";
import { dismissForm } from "./dismiss.js";
import { dutyLogForm } from "./dr-log.js";
import { escalateForm } from "./escalate.js";
import { followUpForm } from "./followup.js";
import type { OpenRequest, SlackForm } from "./form.js";
import { handoffForm } from "./handoff.js";
import { impactForm } from "./impact.js";
import { noteForm } from "./note.js";
import { postmortemForm } from "./postmortem.js";
import { recoveryWaiveForm } from "./recovery-waive.js";
import { resolveForm } from "./resolve.js";
import { riskForm } from "./risk.js";
import { riskEditForm } from "./risk-edit.js";
import { roleForm } from "./role.js";
import { severityForm } from "./severity.js";
import { timesForm } from "./times.js";
import { unpublishForm } from "./unpublish.js";
import { unroleForm } from "./unrole.js";
import { updateForm } from "./update.js";
import { vendorForm } from "./vendor.js";
import { vendorAnswerForm } from "./vendor-answer.js";
import { waivePostmortemForm } from "./waive-postmortem.js";
import { workingHoursForm } from "./working-hours.js";

export const FORMS = {
  declare: declareForm,
  severity: severityForm,
  role: roleForm,
  handoff: handoffForm,
  update: updateForm,
  escalate: escalateForm,
  vendor: vendorForm,
  followup: followUpForm,
  risk: riskForm,
  resolve: resolveForm,
  note: noteForm,
  times: timesForm,
  impact: impactForm,
  unrole: unroleForm,
  dismiss: dismissForm,
  postmortem: postmortemForm,
  vendorAnswer: vendorAnswerForm,
  waivePostmortem: waivePostmortemForm,
  dutyLog: dutyLogForm,
  riskEdit: riskEditForm,
  workingHours: workingHoursForm,
  recoveryWaive: recoveryWaiveForm,
  commsNotApplicable: commsNotApplicableForm,
  unpublish: unpublishForm,
} satisfies Record<string, SlackForm>;

export type FormName = keyof typeof FORMS;

export interface OpenFormRequest {
  name: FormName;
  incident: Incident | null;
  /** The incident's current role holders, when the opener already has them. */
  roles?: RoleAssignment[];
  userId: string;
  triggerId: string;
  text?: string;
  origin?: string;
  source?: OpenRequest["source"];
  context?: OpenRequest["context"];
  /** Tells the person why the form did not open, where they are. */
  reply: (text: string) => Promise<unknown>;
}

/**
 * Builds a form's modal for a person; throws an AppError when they may not
 * open it (an IC-only form for someone else), before they write anything.
 */
export async function buildForm(deps: SlackDeps, o: Omit<OpenFormRequest, "triggerId" | "reply">): Promise<ModalView> {
  const form: SlackForm = FORMS[o.name];
  const incident = form.incident === "none" ? null : o.incident;
  const roles = !incident ? [] : (o.roles ?? (await deps.store.incidentSummary({ id: incident.id }))?.roles ?? []);
  if (incident && form.permission) authorize(form.permission, actorOf(deps, o.userId), roles, incident.key);
  const request: OpenRequest = {
    incident,
    roles,
    open: [],
    userId: o.userId,
    text: o.text ?? "",
    ...(o.origin ? { origin: o.origin } : {}),
    ...(o.source ? { source: o.source } : {}),
    ...(o.context ? { context: o.context } : {}),
  };
  if (form.incident === "named") {
    if (!incident) {
      throw new AppError(
        "validation",
        `Run \`/incident ${o.name}\` in the incident's channel, or name it: \`/incident ${o.name} INC-42\`.`,
      );
    }
    return form.build(deps, { ...request, incident });
  }
  if (!incident && form.incident === "pick") request.open = await pickable(deps);
  return form.build(deps, request);
}

/**
 * Opens a form from a trigger. The trigger lives 3 s, so nothing but the
 * reads the form needs comes before `views.open`; refusals are told to the
 * person where they are.
 */
export async function openForm(deps: SlackDeps, o: OpenFormRequest): Promise<void> {
  try {
    await deps.views.open(o.triggerId, await buildForm(deps, o));
  } catch (e) {
    const code = (e as { data?: { error?: string } }).data?.error;
    if (code === "expired_trigger_id" || code === "exchanged_trigger_id") {
      await o.reply("Slack took too long to open the form. Please try again.");
      return;
    }
    await o.reply(`:warning: ${toUserError(e, deps.logger, { form: o.name }).text}`);
  }
}

/** Every form's submission, routed by callback_id to its module. */
export function registerFormSubmissions(router: SlackRouter, deps: SlackDeps) {
  for (const form of Object.values(FORMS) as SlackForm[]) {
    router.view(form.callbackId, async (args) => {
      await handleSubmission(
        args,
        deps,
        (s) => form.submit(deps, s),
        form.confirm
          ? async (s, result) => {
              const msg = await form.confirm?.(deps, s, result);
              if (msg) await tellUser(args, deps, s.actor.userId, s.meta.origin, `confirm:${s.view.id}`, msg);
            }
          : undefined,
      );
    });
  }
}
