// The post-mortem: the policy's six parts, the new risks, whether a version
// went to external affected parties, and the public summary. Pre-filled from
// what muster knows; saved as a draft, or saved and marked complete.
import { createHash } from "node:crypto";
import { AppError } from "../../errors.js";
import type { UpdatePostmortemInput } from "../../incidents/commands/postmortem.js";
import { companyPolicyOf } from "../../incidents/company-policy.js";
import { POSTMORTEM_SECTIONS, type Postmortem, type PostmortemSection } from "../../incidents/model.js";
import { authorize, commanderOf } from "../../incidents/permissions.js";
import type { IncidentRecord } from "../../incidents/ports.js";
import { POSTMORTEM_PARTS, postmortemReason, postmortemRequired } from "../../incidents/postmortem-rules.js";
import { linksOf } from "../../jobs/refs.js";
import { actorOf } from "../deps.js";
import { list, str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { link, mention, safe } from "../text.js";
import { type Block, checkboxes, context, input, modal, option, radios, section, textInput } from "../views/blocks.js";
import { postmortemLine, suggestedPostmortem } from "../views/postmortem.js";
import { keyOf, type SlackForm } from "./form.js";

const HINTS: Partial<Record<PostmortemSection, string>> = {
  followUps:
    "Follow-ups are records (`/incident followup`): one with an owner is enough. With none, say here why none is needed.",
  newRisks:
    "List each new risk on its own line starting with “-”: completing the post-mortem adds each to the risk register (once). Or add them with `/incident risk`; with none, say why.",
};

export const postmortemForm: SlackForm = {
  callbackId: VIEW.postmortem,
  incident: "named",
  async build(deps, r) {
    const incident = r.incident!;
    const record = await deps.store.loadIncidentById(incident.id);
    if (!record) throw new AppError("not_found", `There is no incident ${incident.key}.`);
    const links = await linksOf(deps, incident.id);
    const pm = record.postmortem;
    // Its owner may write it without a role (checked again on submit); anyone
    // else needs one, and is told so now rather than after writing it.
    if (pm?.ownerId !== r.userId) authorize("updatePostmortem", actorOf(deps, r.userId), record.roles, incident.key);
    const suggested = suggestedPostmortem(record);
    const rule = companyPolicyOf(deps.service.policy).postmortem;
    const owner = pm?.ownerId ?? commanderOf(record.roles);
    const value = (k: PostmortemSection) => (pm?.[k] ? pm[k] : (suggested[k] ?? ""));
    const blocks: Block[] = [
      section(
        `*${incident.key}*${incident.private ? " (private)" : `: ${safe(incident.title, 200)}`}\n${postmortemLine(pm, owner)}`,
      ),
      context([
        postmortemRequired(incident, rule)
          ? `Required because ${postmortemReason(incident, rule)}.`
          : "Not required by the policy; written anyway.",
        links.postmortemDocUrl
          ? `Writing in the ${link(links.postmortemDocUrl, "post-mortem doc")}? Use *Import from doc* (\`/incident postmortem import\`).`
          : "The post-mortem doc is being made.",
      ]),
    ];
    for (const p of POSTMORTEM_PARTS) {
      if (p.key === "followUps") blocks.push(section(`*Recorded follow-ups*\n${recordsLine(record, "followUps")}`));
      if (p.key === "newRisks") blocks.push(section(`*Risk register entries*\n${recordsLine(record, "risks")}`));
      blocks.push(
        input(p.key, p.label, textInput({ multiline: true, max: 3000, initial: value(p.key) }), {
          optional: true,
          ...(HINTS[p.key] ? { hint: HINTS[p.key] } : {}),
        }),
      );
    }
    blocks.push(
      input(
        FIELD.publicSummary,
        "Public summary",
        textInput({ multiline: true, max: 3000, initial: pm?.publicSummary || suggested.publicSummary }),
        { optional: true, hint: "Public-safe words for the status page: what customers saw, for how long." },
      ),
      input(
        FIELD.externalVersionShared,
        "Shared externally",
        checkboxes(
          [option("A version was shared with external affected parties", "shared")],
          pm?.externalVersionShared ? ["shared"] : [],
        ),
        { optional: true },
      ),
      input(
        FIELD.externalSharedWhere,
        "Shared where",
        textInput({ max: 500, initial: pm?.externalSharedWhere ?? "" }),
        { optional: true, hint: "Which customers or pages got it." },
      ),
      input(
        FIELD.complete,
        "When saving",
        radios([option("Save as a draft", "draft"), option("Save and mark complete", "complete")], "draft"),
        { hint: "Complete: the IC or the owner; every part must be written." },
      ),
    );
    return modal({
      callbackId: VIEW.postmortem,
      title: "Post-mortem",
      submit: "Save",
      metadata: { key: incident.key, ...(r.origin ? { origin: r.origin } : {}) },
      blocks,
    });
  },
  async submit(deps, s) {
    const key = keyOf(s);
    const summary = await deps.store.incidentSummary({ key });
    if (!summary) throw new AppError("not_found", `There is no incident ${key}.`);
    const pm = await deps.store.findPostmortem(summary.incident.id);
    const typed: UpdatePostmortemInput = {
      key,
      ...Object.fromEntries(POSTMORTEM_SECTIONS.map((k) => [k, str(s.form[k]) ?? ""])),
      publicSummary: str(s.form[FIELD.publicSummary]) ?? "",
      externalVersionShared: list(s.form[FIELD.externalVersionShared]).includes("shared"),
      externalSharedWhere: str(s.form[FIELD.externalSharedWhere]) ?? "",
    };
    const complete = str(s.form[FIELD.complete]) === "complete";
    // A refused completion leaves the form open and the draft saved; the next try of the same
    // view carries other words, so the save's key names them (a retry of the same words is one save).
    const words = createHash("sha256").update(JSON.stringify(typed)).digest("hex").slice(0, 16);
    let result = changedFrom(pm, typed)
      ? await deps.service.updatePostmortem(s.actor, typed, { idempotencyKey: `${s.idempotencyKey}:save:${words}` })
      : null;
    if (complete)
      result = await deps.service.completePostmortem(
        s.actor,
        { key },
        { idempotencyKey: `${s.idempotencyKey}:complete` },
      );
    if (!result) throw new AppError("validation", "Nothing in the post-mortem changed.", { field: FIELD.details });
    return result;
  },
  confirm: (_deps, s) => {
    const complete = str(s.form[FIELD.complete]) === "complete";
    const text = complete
      ? `:white_check_mark: The ${keyOf(s)} post-mortem is complete; the incident can be closed.`
      : `:memo: The ${keyOf(s)} post-mortem draft is saved.`;
    return { text, blocks: [section(text)] };
  },
};

function changedFrom(pm: Postmortem | null, typed: UpdatePostmortemInput): boolean {
  if (!pm) return true;
  const keys = [...POSTMORTEM_SECTIONS, "publicSummary", "externalSharedWhere", "externalVersionShared"] as const;
  return keys.some((k) => typed[k] !== undefined && typed[k] !== pm[k]);
}

function recordsLine(record: IncidentRecord, what: "followUps" | "risks"): string {
  if (what === "followUps") {
    if (!record.followUps.length) return "_None recorded._";
    return record.followUps
      .slice(0, 20)
      .map((f) => `• ${safe(f.title, 150)} (${mention(f.ownerId)}${f.status === "done" ? ", done" : ""})`)
      .join("\n");
  }
  if (!record.risks.length) return "_None recorded._";
  return record.risks
    .slice(0, 20)
    .map((r) => `• ${safe(r.description, 150)}${r.ownerId ? ` (${mention(r.ownerId)})` : ""}`)
    .join("\n");
}
