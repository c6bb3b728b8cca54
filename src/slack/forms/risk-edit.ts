// Changes a risk in the register: status, owner, review date, rating, title.
// Opened from `/incident risks` or the review reminder; each change is kept.
import { AppError } from "../../errors.js";
import { RISK_LEVELS, RISK_STATUSES } from "../../incidents/model.js";
import { mayAct } from "../../incidents/permissions.js";
import { actorOf, canSee } from "../deps.js";
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { safe } from "../text.js";
import { datePicker, input, modal, option, section, staticSelect, textInput, userSelect } from "../views/blocks.js";
import { RISK_STATUS_LABELS } from "../views/dr.js";
import type { SlackForm } from "./form.js";

const LEVELS = RISK_LEVELS.map((l) => option(l[0]!.toUpperCase() + l.slice(1), l));
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

export const riskEditForm: SlackForm = {
  callbackId: VIEW.riskEdit,
  incident: "none",
  build: async (deps, r) => {
    const risk = r.context?.riskId ? await deps.store.findRisk(r.context.riskId) : null;
    if (!risk) throw new AppError("not_found", "That risk is not in the register.");
    const summary = await deps.store.incidentSummary({ id: risk.incidentId });
    const actor = actorOf(deps, r.userId);
    if (risk.ownerId !== r.userId && !mayAct("updateRisk", actor, summary?.roles ?? []))
      throw new AppError(
        "forbidden",
        `Only the risk's owner, someone with a role in ${risk.incidentKey} or an admin can change it.`,
      );
    // A private incident's words stay with its responders; its risk's owner may be someone else.
    const hidden =
      risk.incidentPrivate &&
      risk.ownerId !== r.userId &&
      (!summary || !canSee(deps, summary.incident, summary.roles, r.userId));
    return modal({
      callbackId: VIEW.riskEdit,
      title: "Change a risk",
      submit: "Save",
      metadata: { ...(r.origin ? { origin: r.origin } : {}), context: { riskId: risk.id } },
      blocks: [
        section(`From *${risk.incidentKey}*${hidden ? "" : `: ${safe(risk.description, 1500)}`}`),
        input(FIELD.title, "Title", textInput({ initial: risk.title || null, max: 150 })),
        input(
          FIELD.riskStatus,
          "Status",
          staticSelect(
            RISK_STATUSES.map((s) => option(RISK_STATUS_LABELS[s], s)),
            risk.status,
          ),
        ),
        input(FIELD.owner, "Owner", userSelect(risk.ownerId), { optional: true }),
        input(FIELD.reviewAt, "Review by", datePicker(day(risk.reviewAt)), {
          optional: true,
          hint: "Its owner is reminded on this day.",
        }),
        input(FIELD.likelihood, "Likelihood", staticSelect(LEVELS, risk.likelihood), { optional: true }),
        input(FIELD.impact, "Impact", staticSelect(LEVELS, risk.impact), { optional: true }),
      ],
    });
  },
  submit: (deps, s) => {
    const v = (f: string) => str(s.form[f]) ?? null;
    const reviewDay = v(FIELD.reviewAt);
    return deps.service.updateRisk(
      s.actor,
      {
        riskId: s.meta.context?.riskId ?? "",
        ...(v(FIELD.title) ? { title: v(FIELD.title)! } : {}),
        status: (v(FIELD.riskStatus) ?? "open") as "open",
        ownerId: v(FIELD.owner),
        reviewAt: reviewDay ? new Date(`${reviewDay}T09:00:00Z`) : null,
        likelihood: v(FIELD.likelihood) as "low" | null,
        impact: v(FIELD.impact) as "low" | null,
      },
      { idempotencyKey: s.idempotencyKey },
    );
  },
  confirm: (_deps, _s, result) => {
    const changed = (result.changed as string[] | undefined) ?? [];
    const text = `:white_check_mark: Risk updated (${changed.join(", ")}); the change is in its history.`;
    return { text, blocks: [section(text)] };
  },
};
