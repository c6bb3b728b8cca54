// The shape every form module has: it builds its modal, reads what was
// submitted and maps it to one domain command. The registry (index.ts) is
// what the openers (subcommands, buttons) and the submission router read.
import type { CommandResult } from "../../incidents/context.js";
import type { Incident, RoleAssignment } from "../../incidents/model.js";
import type { Action } from "../../incidents/permissions.js";
import type { SlackDeps } from "../deps.js";
import { str } from "../form.js";
import { FIELD } from "../ids.js";
import type { Submission } from "../listeners/submit.js";
import { safe } from "../text.js";
import { type Block, input, type Message, type ModalView, option, section, staticSelect } from "../views/blocks.js";

/** An incident someone may pick in a form opened outside its channel. */
export interface PickableIncident {
  key: string;
  title: string;
  private: boolean;
}

/** What a form is opened with. */
export interface OpenRequest {
  /** The incident it acts on, when known (its channel, a key, a button). */
  incident: Incident | null;
  /** That incident's current role holders ([] without an incident). */
  roles: RoleAssignment[];
  /** Open incidents to pick from, when the incident is not known. */
  open: PickableIncident[];
  userId: string;
  /** The words typed after the subcommand (a title, a note). */
  text: string;
  /** The channel the person was in, for the confirmation. */
  origin?: string;
  source?: { authorId?: string; postedAt?: string; permalink?: string };
  /** What a button opened the form about (e.g. a vendor check and the answer picked). */
  context?: Record<string, string>;
}

interface FormBase {
  /** The modal's callback_id (ids.ts VIEW). */
  callbackId: string;
  /**
   * The domain action the submission runs. When the incident is known it is
   * checked on opening: nobody writes a form only to be refused.
   */
  permission?: Action;
  submit(deps: SlackDeps, s: Submission): Promise<CommandResult>;
  /** What the person is told afterwards; nothing when the incident channel shows it anyway. */
  confirm?(deps: SlackDeps, s: Submission, result: CommandResult): Promise<Message | null> | Message | null;
}

/**
 * One form. `incident` says what it needs: "named" is opened only for a
 * known incident (its channel, a key, a button) and builds from it; "pick"
 * asks which incident when it is not known; "none" is not about an existing
 * incident (declare).
 */
export type SlackForm =
  | (FormBase & { incident: "named"; build(deps: SlackDeps, r: OpenRequest & { incident: Incident }): Built })
  | (FormBase & { incident: "pick" | "none"; build(deps: SlackDeps, r: OpenRequest): Built });

/** A form may read what it shows (a post-mortem pre-fills from the record); views.open waits for it. */
type Built = ModalView | Promise<ModalView>;

/** The incident a submission is about: the one it was opened for, or the one picked. */
export const keyOf = (s: Submission) => s.meta.key ?? str(s.form[FIELD.incident]) ?? "";

/** The incident's name at the top of a form, or a picker when it was opened outside its channel. */
export function incidentPicker(incident: PickableIncident | null, open: PickableIncident[]): Block[] {
  if (incident)
    return [section(`*${incident.key}*${incident.private ? " (private)" : `: ${safe(incident.title, 200)}`}`)];
  if (!open.length) return [section("There are no open incidents.")];
  return [
    input(
      FIELD.incident,
      "Incident",
      staticSelect(open.map((i) => option(i.private ? `${i.key} (private)` : `${i.key} ${i.title}`, i.key))),
    ),
  ];
}

/** Form values that are only set when given: `{ notes: "…" }` or `{}`. */
export const ifGiven = <K extends string>(k: K, v: string | undefined): { [P in K]?: string } =>
  (v ? { [k]: v } : {}) as { [P in K]?: string };

/** What every form carries to its submission: the incident it was opened for, and where the person was. */
export const metadataFor = (r: OpenRequest) => ({
  ...(r.incident ? { key: r.incident.key } : {}),
  ...(r.origin ? { origin: r.origin } : {}),
});
