// Modals. Pure: (state) => view. Input block ids are the command's field
// names (ids.ts FIELD), so the domain's field errors land on the right input.
import type { RoleDefinition } from "../../incidents/context.js";
import {
  COMMANDER,
  IMPACTS,
  type Incident,
  REPORT_SOURCES,
  SEVERITIES,
  VENDOR_ANSWERS,
} from "../../incidents/model.js";
import { SEVERITY_DEFINITIONS } from "../../incidents/severity.js";
import { FIELD, VIEW } from "../ids.js";
import { safe } from "../text.js";
import {
  type Block,
  checkboxes,
  context,
  input,
  modal,
  option,
  radios,
  section,
  staticSelect,
  textInput,
  userSelect,
} from "./blocks.js";

export const IMPACT_LABELS: Record<(typeof IMPACTS)[number], string> = {
  outage: "Production outage",
  degraded_performance: "Degraded performance",
  data_loss: "Customer or critical data loss",
  security_breach: "Suspected security breach",
  customer_facing: "Customers can see it",
};
export const SOURCE_LABELS: Record<(typeof REPORT_SOURCES)[number], string> = {
  on_call: "On-call engineer",
  monitoring: "Monitoring alert",
  employee: "An employee",
  customer: "A customer",
  third_party: "A third party",
};
const VENDOR_ANSWER_LABELS: Record<(typeof VENDOR_ANSWERS)[number], string> = {
  pending: "Asked, no answer yet",
  not_affected: "Not affected",
  compromised: "Compromised",
};

/** What a modal carries between opening and submission. */
export interface ModalMetadata {
  key?: string;
  /** The channel the person was in, for the confirmation. */
  origin?: string;
  /** For the message shortcut. */
  source?: { authorId?: string; postedAt?: string; permalink?: string };
}

export interface PickableIncident {
  key: string;
  title: string;
  private: boolean;
}

/** When the modal was not opened from an incident channel: ask which incident. */
function incidentPicker(incident: PickableIncident | null, open: PickableIncident[]): Block[] {
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

const severityOptions = () =>
  SEVERITIES.map((s) => option(SEVERITY_DEFINITIONS[s].label, s, SEVERITY_DEFINITIONS[s].definition));
const severityHelp = () =>
  context(SEVERITIES.map((s) => `*${SEVERITY_DEFINITIONS[s].label}*: ${SEVERITY_DEFINITIONS[s].definition}`));
const impactOptions = () => IMPACTS.map((k) => option(IMPACT_LABELS[k], k));

export function declareModal(o: { title?: string; declarerId: string; origin?: string }) {
  return modal({
    callbackId: VIEW.declare,
    title: "Declare an incident",
    submit: "Declare",
    metadata: { origin: o.origin },
    blocks: [
      input(
        FIELD.title,
        "Title",
        textInput({ initial: o.title, max: 150, placeholder: "Payments API returning 500s" }),
      ),
      input(FIELD.summary, "What is happening?", textInput({ multiline: true, max: 3000 }), { optional: true }),
      input(FIELD.severity, "Severity", radios(severityOptions()), {
        optional: true,
        hint: "Leave empty if you don't know yet; the IC can classify it later.",
      }),
      input(FIELD.impacts, "Impact", checkboxes(impactOptions()), { optional: true }),
      input(FIELD.components, "Affected components", textInput({ max: 1000, placeholder: "api, billing" }), {
        optional: true,
        hint: "Separate with commas.",
      }),
      input(FIELD.commander, "Incident Commander", userSelect(o.declarerId), { hint: "Defaults to you." }),
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
          "on_call",
        ),
        { optional: true },
      ),
    ],
  });
}

export function severityModal(o: { incident: Incident | null; open: PickableIncident[] }) {
  const i = o.incident;
  return modal({
    callbackId: VIEW.severity,
    title: "Change severity",
    submit: "Save",
    metadata: { key: i?.key },
    blocks: [
      ...incidentPicker(i, o.open),
      input(FIELD.severity, "Severity", radios(severityOptions(), i?.severity === "unclassified" ? null : i?.severity)),
      severityHelp(),
      input(
        FIELD.components,
        "Scope: affected components",
        textInput({ initial: i?.scope.components.join(", "), max: 1000 }),
        {
          optional: true,
        },
      ),
      input(FIELD.regions, "Scope: affected regions", textInput({ initial: i?.scope.regions.join(", "), max: 1000 }), {
        optional: true,
      }),
      input(
        FIELD.assetRisk,
        "Risk to affected assets",
        textInput({ initial: i?.assetRisk, multiline: true, max: 3000 }),
        {
          optional: true,
        },
      ),
      input(FIELD.reason, "Why this severity?", textInput({ multiline: true, max: 3000 })),
    ],
  });
}

export function roleModal(o: { incident: Incident | null; open: PickableIncident[]; roles: RoleDefinition[] }) {
  const assignable = o.roles.filter((r) => r.key !== COMMANDER);
  return modal({
    callbackId: VIEW.role,
    title: "Assign a role",
    submit: "Assign",
    metadata: { key: o.incident?.key },
    blocks: [
      ...incidentPicker(o.incident, o.open),
      input(FIELD.role, "Role", staticSelect(assignable.map((r) => option(r.name, r.key, r.description)))),
      input(FIELD.user, "Person", userSelect()),
      context(["They get a direct message saying what the role involves. The IC role moves by hand-off."]),
    ],
  });
}

export function handoffModal(o: { incident: Incident }) {
  return modal({
    callbackId: VIEW.handoff,
    title: "Hand off IC",
    submit: "Offer hand-off",
    metadata: { key: o.incident.key },
    blocks: [
      section(`Hand *${o.incident.key}* to another Incident Commander. They must accept before it moves.`),
      input(FIELD.successor, "Successor", userSelect()),
      input(
        FIELD.note,
        "Hand-off note",
        textInput({
          multiline: true,
          max: 3000,
          placeholder: "Current state · what has been tried · open threads · next checkpoint",
        }),
        { hint: "Current state, what has been tried, open threads, next checkpoint." },
      ),
    ],
  });
}

export function updateModal(o: { incident: Incident | null; open: PickableIncident[] }) {
  return modal({
    callbackId: VIEW.update,
    title: "Post a status update",
    submit: "Post",
    metadata: { key: o.incident?.key },
    blocks: [
      ...incidentPicker(o.incident, o.open),
      input(FIELD.internalText, "Internal update", textInput({ multiline: true, max: 3000 })),
      input(FIELD.publicText, "Customer-facing text", textInput({ multiline: true, max: 3000 }), {
        optional: true,
        hint: "Only if customers should hear about it. Kept separate from the internal update.",
      }),
    ],
  });
}

export function escalateModal(o: { incident: Incident | null; open: PickableIncident[] }) {
  return modal({
    callbackId: VIEW.escalate,
    title: "Escalate to leadership",
    submit: "Escalate",
    metadata: { key: o.incident?.key },
    blocks: [
      ...incidentPicker(o.incident, o.open),
      input(FIELD.reason, "Why does the response need leadership?", textInput({ multiline: true, max: 3000 })),
    ],
  });
}

export function vendorModal(o: { incident: Incident | null; open: PickableIncident[] }) {
  return modal({
    callbackId: VIEW.vendor,
    title: "Vendor check",
    submit: "Record",
    metadata: { key: o.incident?.key },
    blocks: [
      ...incidentPicker(o.incident, o.open),
      input(FIELD.vendor, "Vendor", textInput({ max: 200 })),
      input(
        FIELD.vendorAnswer,
        "Answer",
        staticSelect(
          VENDOR_ANSWERS.map((a) => option(VENDOR_ANSWER_LABELS[a], a)),
          "pending",
        ),
      ),
      input(FIELD.notes, "Notes", textInput({ multiline: true, max: 3000 }), { optional: true }),
    ],
  });
}

export function followUpModal(o: { incident: Incident | null; open: PickableIncident[]; userId: string }) {
  return modal({
    callbackId: VIEW.followUp,
    title: "Add a follow-up",
    submit: "Add",
    metadata: { key: o.incident?.key },
    blocks: [
      ...incidentPicker(o.incident, o.open),
      input(FIELD.title, "Action", textInput({ max: 200 })),
      input(FIELD.owner, "Owner", userSelect(o.userId)),
      input(FIELD.dueDate, "Due", { type: "datepicker" }, { optional: true }),
    ],
  });
}

export function riskModal(o: { incident: Incident | null; open: PickableIncident[] }) {
  return modal({
    callbackId: VIEW.risk,
    title: "Add a risk",
    submit: "Add",
    metadata: { key: o.incident?.key },
    blocks: [
      ...incidentPicker(o.incident, o.open),
      input(FIELD.description, "Risk", textInput({ multiline: true, max: 3000 })),
      input(FIELD.owner, "Owner", userSelect(), { optional: true }),
    ],
  });
}

export function resolveModal(o: { incident: Incident | null; open: PickableIncident[] }) {
  return modal({
    callbackId: VIEW.resolve,
    title: "Resolve incident",
    submit: "Resolve",
    metadata: { key: o.incident?.key },
    blocks: [
      ...incidentPicker(o.incident, o.open),
      input(FIELD.summary, "Resolution summary", textInput({ multiline: true, max: 3000 })),
      input(FIELD.partiesInformed, "Affected parties told it is resolved", textInput({ max: 1000 }), {
        hint: "Comma-separated, e.g. “support, Acme Corp, status page”; write “none affected” if nobody was.",
      }),
    ],
  });
}

export function noteModal(o: { open: PickableIncident[]; text: string; source: ModalMetadata["source"] }) {
  return modal({
    callbackId: VIEW.note,
    title: "Add to timeline",
    submit: "Add",
    metadata: { source: o.source },
    blocks: [
      ...incidentPicker(null, o.open),
      input(FIELD.text, "Text", textInput({ initial: o.text, multiline: true, max: 3000 })),
    ],
  });
}
