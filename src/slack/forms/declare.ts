// Declaring an incident: /incident declare, the "Declare incident" shortcut
// and App Home's Declare button.

import { AppError } from "../../errors.js";
import { declareIncidentInput } from "../../incidents/commands/declare-incident.js";
import { type CompanyPolicy, companyPolicyOf } from "../../incidents/company-policy.js";
import { parseInput } from "../../incidents/input.js";
import { REPORT_SOURCES } from "../../incidents/model.js";
import type { DeclareDraft } from "../../intake/model.js";
import type { SlackDeps } from "../deps.js";
import { list, str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import {
  checkboxes,
  context,
  input,
  modal,
  option,
  radios,
  staticSelect,
  textInput,
  userSelect,
} from "../views/blocks.js";
import { declaredConfirmation } from "../views/messages.js";
import type { SlackForm } from "./form.js";
import { disruptedOption, impactOptions, SOURCE_LABELS, severityDefinitions, severityOptions } from "./labels.js";
import { publishBlocks, readPublishFields } from "./publish-fields.js";

/**
 * The declare modal, pure: what the person sees depends only on these. A
 * `draft` comes from a report's triage message (the outage form, an alert):
 * it pre-fills the form, and the submission marks the report declared.
 */
export function declareModal(o: {
  title?: string;
  declarerId: string;
  origin?: string;
  policy: CompanyPolicy;
  draft?: DeclareDraft;
  /** The status page's configured components, offered in the hint. */
  statusComponents?: readonly string[];
}) {
  const { policy, draft } = o;
  return modal({
    callbackId: VIEW.declare,
    title: "Declare an incident",
    submit: "Declare",
    metadata: { origin: o.origin, ...(draft ? { context: { report: draft.reportId } } : {}) },
    blocks: [
      ...(draft
        ? [
            context([
              draft.reportSource === "monitoring"
                ? "From a monitoring alert: check the words before declaring."
                : "From an outage report by a third party: its words are as sent; check them before declaring.",
            ]),
          ]
        : []),
      input(
        FIELD.title,
        "Title",
        textInput({ initial: draft?.title ?? o.title, max: 150, placeholder: "Payments API returning 500s" }),
      ),
      input(FIELD.summary, "What is happening?", textInput({ initial: draft?.summary, multiline: true, max: 3000 }), {
        optional: true,
      }),
      input(FIELD.severity, "Severity", radios(severityOptions(policy), draft?.severity), {
        optional: true,
        hint: "Leave empty if you don't know yet; the IC can classify it later.",
      }),
      severityDefinitions(policy),
      input(FIELD.impacts, "Impact", checkboxes(impactOptions()), { optional: true }),
      input(FIELD.disrupted, "BCP/DR", checkboxes([disruptedOption()]), {
        optional: true,
        hint: "Tick if data or processes were disrupted: the recovery checklist applies.",
      }),
      input(
        FIELD.components,
        "Affected components",
        textInput({ initial: draft?.components.join(", "), max: 1000, placeholder: "api, billing" }),
        {
          optional: true,
          hint: "Separate with commas.",
        },
      ),
      input(FIELD.commander, "Incident Commander", userSelect(o.declarerId), { hint: "Defaults to you." }),
      ...publishBlocks(o.statusComponents ?? []),
      input(
        FIELD.private,
        "Confidentiality",
        checkboxes([option("Private incident", "private", "Private channel; hidden from the public announcement")]),
        { optional: true, hint: "A suspected security breach is always private." },
      ),
      input(
        FIELD.reportSource,
        "How was it reported?",
        staticSelect(
          REPORT_SOURCES.map((s) => option(SOURCE_LABELS[s], s)),
          draft?.reportSource ?? "on_call",
        ),
        { optional: true },
      ),
    ],
  });
}

export const declareForm: SlackForm = {
  callbackId: VIEW.declare,
  incident: "none",
  permission: "declare",
  async build(deps, r) {
    const draft = r.context?.report ? await reportDraft(deps, r.context.report) : undefined;
    return declareModal({
      title: r.text,
      declarerId: r.userId,
      ...(r.origin ? { origin: r.origin } : {}),
      policy: companyPolicyOf(deps.service.policy),
      statusComponents: deps.service.policy.statusPage?.components ?? [],
      ...(draft ? { draft } : {}),
    });
  },
  async submit(deps, s) {
    const reportId = s.meta.context?.report;
    const draft = reportId ? await deps.intake.draft(reportId) : null;
    const severity = str(s.form[FIELD.severity]);
    const ticked = list(s.form[FIELD.private]).includes("private");
    // Checked against the command's own schema: a wrong choice is an error on its field.
    const command = parseInput(declareIncidentInput, {
      title: str(s.form[FIELD.title]) ?? "",
      summary: str(s.form[FIELD.summary]) ?? "",
      ...(severity ? { severity } : {}),
      impacts: list(s.form[FIELD.impacts]),
      components: list(s.form[FIELD.components]),
      disrupted: list(s.form[FIELD.disrupted]).includes("disrupted"),
      commanderId: str(s.form[FIELD.commander]) ?? s.actor.userId,
      // Unticked means "the default": a suspected breach is private anyway.
      ...(ticked ? { private: true } : {}),
      reportSource: str(s.form[FIELD.reportSource]) ?? "on_call",
      ...(draft ? { reportedBy: draft.reportedBy } : {}),
      ...readPublishFields(s.form),
    });
    const result = await deps.service.declare(s.actor, command, { idempotencyKey: s.idempotencyKey });
    // The triage message now says who declared it, and loses its button.
    if (draft) await deps.intake.markDeclared(draft.reportId, result.key, s.actor.userId);
    return result;
  },
  async confirm(deps, _s, result) {
    const summary = await deps.store.incidentSummary({ id: result.incidentId });
    return summary ? declaredConfirmation(summary.incident) : null;
  },
};

/** The report a triage message's Declare button is about; refused when it is gone or already declared. */
async function reportDraft(deps: SlackDeps, reportId: string): Promise<DeclareDraft> {
  const report = await deps.intake.findReport(reportId);
  if (!report) throw new AppError("not_found", "That report no longer exists.");
  if (report.incidentKey)
    throw new AppError("validation", `That report was already declared as ${report.incidentKey}.`);
  const draft = await deps.intake.draft(reportId);
  if (!draft) throw new AppError("not_found", "That report no longer exists.");
  return draft;
}
