// The two checklists of the policy's "Incident recovery", as data and rules:
//
// - the BCP/DR recovery checklist, owed when data or processes were disrupted
//   (a data loss or corruption is recorded, or someone flagged the incident
//   "data or processes disrupted"): five items ticked in order of the work,
//   the last one a sign-off; closing waits for it unless an admin waives it;
// - the resolution-communication checklist, made at resolve from the parties
//   the incident suggests (its channels, leadership if escalated, named
//   customers, the status page when customer-facing): each is told, not
//   applicable (with a reason), or still to tell (muster reminds).
//
// Both are folded from the timeline: every tick is an event (who, when), so
// the append-only record is the checklist's own history, and nothing else
// can disagree with it.
import { AppError } from "../errors.js";
import type { Incident, TimelineEvent } from "./model.js";
import type { Action } from "./permissions.js";

export const CHECKLISTS = ["recovery", "comms"] as const;
export type ChecklistName = (typeof CHECKLISTS)[number];

export const ITEM_STATES = ["open", "done", "not_applicable"] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** Who hears of a party: people inside the company, customers, or everyone (the status page). */
export type PartyKind = "internal" | "customer" | "public";

export interface ChecklistItem {
  key: string;
  label: string;
  state: ItemState;
  /** Who ticked it and when (null while open). */
  by: string | null;
  at: Date | null;
  /** Why it is not applicable. */
  reason: string | null;
  /** Comms items only. */
  kind?: PartyKind;
}

// ---------------------------------------------------------------------------------------------
// The recovery checklist

/**
 * The BCP/DR policy's recovery, in the order the work is done. `may`: the
 * action whose audience may tick it (permissions.ts): anyone with a role
 * ticks the work; the sign-off is the Incident Commander's (or an admin's).
 */
export const RECOVERY_ITEMS = [
  { key: "backup_identified", label: "Last good backup identified", may: "tickRecovery" },
  { key: "restore_performed", label: "Restore performed", may: "tickRecovery" },
  { key: "restore_verified", label: "Restore verified", may: "tickRecovery" },
  { key: "customers_checked", label: "Affected customers' data checked", may: "tickRecovery" },
  { key: "sign_off", label: "Sign-off", may: "signOffRecovery" },
] as const satisfies readonly { key: string; label: string; may: Action }[];
export type RecoveryItemKey = (typeof RECOVERY_ITEMS)[number]["key"];
export const SIGN_OFF: RecoveryItemKey = "sign_off";

/** Whether the incident owes the recovery checklist, judged on the incident as it stands. */
export const recoveryRequired = (i: Pick<Incident, "impacts" | "disrupted">): boolean =>
  i.impacts.includes("data_loss") || i.disrupted;

/** Why, in words for people. */
export function recoveryReason(i: Pick<Incident, "impacts" | "disrupted">): string {
  if (i.impacts.includes("data_loss")) return "it records a loss or corruption of data";
  if (i.disrupted) return "data or processes were flagged as disrupted";
  return "data or processes were disrupted";
}

export interface Waiver {
  by: string;
  at: Date;
  reason: string;
}

export interface RecoveryChecklist {
  items: ChecklistItem[];
  waiver: Waiver | null;
}

/** The recovery checklist as the timeline has it: the latest tick of each item, and an admin's waiver. */
export function recoveryChecklist(timeline: readonly TimelineEvent[]): RecoveryChecklist {
  const items: ChecklistItem[] = RECOVERY_ITEMS.map((x) => ({
    key: x.key,
    label: x.label,
    state: "open",
    by: null,
    at: null,
    reason: null,
  }));
  let waiver: Waiver | null = null;
  for (const e of timeline) {
    if (e.kind === "recovery_waived") waiver = { by: e.actorId, at: e.at, reason: String(e.data.reason ?? "") };
    if (e.kind !== "checklist_ticked" || e.data.list !== "recovery") continue;
    const item = items.find((x) => x.key === e.data.item);
    if (item) tick(item, e);
  }
  return { items, waiver };
}

/** Whether closing may go ahead as far as recovery is concerned: not owed, every item done, or waived. */
export function recoverySatisfied(
  incident: Pick<Incident, "impacts" | "disrupted">,
  checklist: RecoveryChecklist,
): boolean {
  return !recoveryRequired(incident) || checklist.waiver !== null || openItems(checklist.items).length === 0;
}

// ---------------------------------------------------------------------------------------------
// The resolution-communication checklist

export interface Party {
  key: string;
  label: string;
  kind: PartyKind;
  /** What people type for it in the free-text list besides its label (slugs: "status-page"). */
  names?: readonly string[];
}

export const INCIDENT_CHANNEL_PARTY: Party = {
  key: "incident_channel",
  label: "The incident channel",
  kind: "internal",
};
export const ANNOUNCEMENT_PARTY: Party = {
  key: "announcement",
  label: "The announcement channel",
  kind: "internal",
  names: ["announcement-channel"],
};

/** The announcement channel as configured: named where INCIDENT_CHANNEL is a name (an id would mean nothing to a person). */
export function announcementParty(channel: string | undefined): Party {
  const name = channel?.replace(/^#/, "");
  return name && !/^[CG][A-Z0-9]{6,}$/.test(name)
    ? {
        ...ANNOUNCEMENT_PARTY,
        label: `The announcement channel (#${name})`,
        names: [slug(name), ...(ANNOUNCEMENT_PARTY.names ?? [])],
      }
    : ANNOUNCEMENT_PARTY;
}
export const LEADERSHIP_PARTY: Party = {
  key: "leadership",
  label: "Leadership (it was escalated)",
  kind: "internal",
  names: ["leadership"],
};
export const STATUS_PAGE_PARTY: Party = {
  key: "status_page",
  label: "The public status page",
  kind: "public",
  names: ["status-page", "statuspage", "public-status-page"],
};
export const AFFECTED_CUSTOMERS_PARTY: Party = {
  key: "affected_customers",
  label: "The affected customers",
  kind: "customer",
};

/** muster itself posts the resolution in these: the form offers them as told. */
export const POSTED_BY_MUSTER: readonly string[] = [INCIDENT_CHANNEL_PARTY.key, ANNOUNCEMENT_PARTY.key];

/** At most this many named customers or tenants (each is a line in the form and the checklist message). */
export const MAX_NAMED_CUSTOMERS = 15;

/** A stable key for a name ("Acme Corp" → "acme-corp"). */
export const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60) || "x";

export const isCustomerFacing = (i: Pick<Incident, "impacts">) => i.impacts.includes("customer_facing");

/**
 * The parties the incident suggests telling: its own channel and the
 * announcement channel, leadership when it was escalated, each named
 * customer (or "the affected customers" when a customer-facing incident
 * names none), and the public status page when it is customer-facing.
 */
export function proposedParties(
  incident: Pick<Incident, "impacts" | "scope">,
  o: { escalated: boolean; announcementChannel?: string | undefined },
): Party[] {
  const out: Party[] = [INCIDENT_CHANNEL_PARTY, announcementParty(o.announcementChannel)];
  if (o.escalated) out.push(LEADERSHIP_PARTY);
  const seen = new Set<string>();
  for (const name of incident.scope.customers.slice(0, MAX_NAMED_CUSTOMERS)) {
    const key = `customer:${slug(name)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ key, label: name, kind: "customer" });
  }
  if (isCustomerFacing(incident)) {
    if (seen.size === 0) out.push(AFFECTED_CUSTOMERS_PARTY);
    out.push(STATUS_PAGE_PARTY);
  }
  return out;
}

/** What the person said about one party at resolve. */
export interface PartyChoice {
  state: ItemState;
  reason?: string | undefined;
}

const NONE_AFFECTED = /^(none|none affected|nobody|no one|n\/a)$/i;
/** A free-text list meaning "none affected", as people typed it before the checklist. */
export const saysNoneAffected = (names: readonly string[]) => names.length === 1 && NONE_AFFECTED.test(names[0]!);

/** The words people type for a proposed party ("status page" for the status page). */
function matches(party: Party, name: string): boolean {
  const s = slug(name.replace(/^#/, ""));
  return party.names?.includes(s) || s === slug(party.label) || party.key === `customer:${s}`;
}

/** Block ids of the resolve form, which are also the fields the rules name in their errors. */
export const partyField = (key: string) => `party.${key}`;
export const partyReasonField = (key: string) => `partyReason.${key}`;
export const NONE_AFFECTED_FIELD = "noneAffected";

/**
 * The checklist made at resolve, checked against the rules:
 * - "none affected" is refused for a customer-facing incident (somebody
 *   outside was affected, by definition);
 * - "not applicable" needs a reason;
 * - for a customer-facing incident, the customers and the status page can't
 *   all be "not applicable": that is "none affected" by another name;
 * - a proposed party nobody spoke of is still to tell (muster reminds);
 * - each name typed under "others told" is a party told (one the incident
 *   proposed already, such as "status page", is ticked instead of repeated).
 */
export function resolutionChecklist(
  incident: Pick<Incident, "key" | "impacts" | "scope">,
  o: {
    parties: readonly Party[];
    choices: ReadonlyMap<string, PartyChoice>;
    othersTold: readonly string[];
    noneAffected: boolean;
    by: string;
    at: Date;
  },
): ChecklistItem[] {
  const noneAffected = o.noneAffected || saysNoneAffected(o.othersTold);
  if (noneAffected && isCustomerFacing(incident)) {
    throw new AppError(
      "validation",
      `${incident.key} is customer-facing, so it can't be resolved with “none affected”: customers were. Say which parties were told, or leave them to tell later (muster reminds).`,
      { field: NONE_AFFECTED_FIELD },
    );
  }
  const others = noneAffected ? [] : [...o.othersTold];
  const items: ChecklistItem[] = o.parties.map((p) => {
    const typed = others.findIndex((n) => matches(p, n));
    if (typed >= 0) others.splice(typed, 1);
    const choice: PartyChoice = o.choices.get(p.key) ?? (typed >= 0 ? { state: "done" } : { state: "open" });
    const state: ItemState =
      noneAffected && choice.state !== "done" ? "not_applicable" : typed >= 0 ? "done" : choice.state;
    const reason = state === "not_applicable" ? choice.reason?.trim() || (noneAffected ? "None affected" : "") : "";
    if (state === "not_applicable" && !reason) {
      throw new AppError("validation", `Say why ${p.label} need not be told.`, { field: partyReasonField(p.key) });
    }
    return {
      key: p.key,
      label: p.label,
      kind: p.kind,
      state,
      by: state === "open" ? null : o.by,
      at: state === "open" ? null : o.at,
      reason: reason || null,
    };
  });
  const keys = new Set(items.map((x) => x.key));
  for (const name of others) {
    const key = `other:${slug(name)}`;
    if (keys.has(key)) continue;
    keys.add(key);
    items.push({ key, label: name, kind: "internal", state: "done", by: o.by, at: o.at, reason: null });
  }
  const outside = items.filter((x) => x.kind !== "internal");
  if (isCustomerFacing(incident) && outside.length && outside.every((x) => x.state === "not_applicable")) {
    const first = outside.find((x) => x.key === STATUS_PAGE_PARTY.key) ?? outside[0]!;
    throw new AppError(
      "validation",
      `${incident.key} is customer-facing: the customers or the public status page must hear it is resolved. Mark one told, or leave it to tell later.`,
      { field: partyField(first.key) },
    );
  }
  return items;
}

/** The comms checklist in a resolve event's data (JSON): dates as ISO strings. */
export const itemsToData = (items: readonly ChecklistItem[]) =>
  items.map((x) => ({ ...x, at: x.at?.toISOString() ?? null }));

function itemsFromData(v: unknown): ChecklistItem[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((raw) => {
    const x = (raw ?? {}) as Record<string, unknown>;
    if (typeof x.key !== "string" || typeof x.label !== "string") return [];
    const state = ITEM_STATES.find((s) => s === x.state) ?? "open";
    const at = typeof x.at === "string" ? new Date(x.at) : null;
    const kind = (["internal", "customer", "public"] as const).find((k) => k === x.kind) ?? "internal";
    return [
      {
        key: x.key,
        label: x.label,
        kind,
        state,
        by: typeof x.by === "string" ? x.by : null,
        at: at && !Number.isNaN(at.getTime()) ? at : null,
        reason: typeof x.reason === "string" ? x.reason : null,
      },
    ];
  });
}

export interface CommsChecklist {
  /** Not resolved yet (or resolved before muster knew the checklist): nothing to tick. */
  items: ChecklistItem[];
  /** When it was resolved (the checklist's start), if it was. */
  resolvedAt: Date | null;
  /**
   * Resolved before the checklist: the free-text list of parties told, as
   * typed then; shown as it was, with nothing to tick or remind.
   */
  legacy: string[] | null;
}

/** The resolution-communication checklist of the latest resolve, with the ticks since. */
export function commsChecklist(timeline: readonly TimelineEvent[]): CommsChecklist {
  let resolve: TimelineEvent | null = null;
  for (const e of timeline) if (e.kind === "status_changed" && e.data.to === "resolved") resolve = e;
  if (!resolve) return { items: [], resolvedAt: null, legacy: null };
  if (!Array.isArray(resolve.data.comms)) {
    const told = Array.isArray(resolve.data.partiesInformed) ? resolve.data.partiesInformed.map(String) : [];
    return { items: [], resolvedAt: resolve.at, legacy: told };
  }
  const items = itemsFromData(resolve.data.comms);
  for (const e of timeline) {
    if (e.id <= resolve.id || e.kind !== "checklist_ticked" || e.data.list !== "comms") continue;
    const item = items.find((x) => x.key === e.data.item);
    if (item) tick(item, e);
  }
  return { items, resolvedAt: resolve.at, legacy: null };
}

export const openItems = (items: readonly ChecklistItem[]) => items.filter((x) => x.state === "open");

/** "restore verified, sign-off": the items still open, in words. */
export const itemWords = (items: readonly ChecklistItem[]) => items.map((x) => x.label.toLowerCase()).join(", ");

function tick(item: ChecklistItem, e: TimelineEvent) {
  const state = ITEM_STATES.find((s) => s === e.data.state) ?? "done";
  item.state = state;
  item.by = state === "open" ? null : e.actorId;
  item.at = state === "open" ? null : e.at;
  item.reason = typeof e.data.reason === "string" && e.data.reason ? e.data.reason : null;
}

export const CHECKLIST_TITLES: Record<ChecklistName, string> = {
  recovery: "BCP/DR recovery checklist",
  comms: "Resolution communication checklist",
};

/** A checklist's event in words, for the channel, the GitHub issue and the command line (plain text: escape where shown). */
export function checklistEventWords(e: Pick<TimelineEvent, "kind" | "data">): string | null {
  const d = e.data;
  const s = (k: string) => (typeof d[k] === "string" ? (d[k] as string) : "");
  switch (e.kind) {
    case "recovery_checklist_opened":
      return `The BCP/DR recovery checklist applies: ${s("reason") || "data or processes were disrupted"}.`;
    case "checklist_ticked":
      if (d.list === "comms")
        return d.state === "not_applicable"
          ? `Resolution checklist: ${s("label")} need not be told: ${s("reason")}`
          : `Resolution checklist: ${s("label")} told it is resolved.`;
      return `Recovery checklist: ${s("label")}, done.`;
    case "recovery_waived":
      return `Recovery checklist waived by an admin: ${s("reason")}`;
    default:
      return null;
  }
}
