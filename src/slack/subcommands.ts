// Every /incident subcommand, once: its name and aliases, whether it acts on
// an incident, its help line, and what it does (a form to open, or a
// handler). The router, `/incident help` and App Home all read this table.
import { AppError } from "../errors.js";
import { commsChecklist, recoveryChecklist } from "../incidents/checklists.js";
import { companyPolicyOf } from "../incidents/company-policy.js";
import type { Actor, Incident } from "../incidents/model.js";
import type { RegisterRisk } from "../incidents/ports.js";
import { linksOf } from "../jobs/refs.js";
import { canSee, type SlackDeps } from "./deps.js";
import type { FormName } from "./forms/index.js";
import { followUpList, importPostmortem } from "./lifecycle.js";
import type { Message } from "./views/blocks.js";
import { commsMessage, recoveryMessage } from "./views/checklists.js";
import { dutyStatusMessage, riskListMessage } from "./views/dr.js";
import { type HelpLine, listMessage, statusMessage } from "./views/messages.js";

/** What a handler gets: the incident (when the subcommand acts on one) and ways to answer. */
export interface SubcommandCall {
  deps: SlackDeps;
  actor: Actor;
  userId: string;
  channelId: string;
  /** The channel's incident, or the one named by key; null when there is none. */
  incident: Incident | null;
  /** The incident, or a plain-words error asking the person to name one. */
  need(): Incident;
  /** The words after the subcommand (and after the key, when one was given). */
  rest: string[];
  /** Shows the person a message (ephemeral, where they typed). */
  say(msg: Message): Promise<void>;
  /** Something changed: wakes the outbox and confirms in a sentence. */
  done(text: string): Promise<void>;
  /** Opens a form for the incident (the trigger is this command's). */
  openForm(name: FormName): Promise<void>;
}

export interface Subcommand {
  name: string;
  aliases?: string[];
  /** How help shows its arguments, e.g. "note <text>". */
  usage?: string;
  help: string;
  /**
   * "none": never looks an incident up; "optional": the channel's or the
   * named one if any (forms then ask which); "required": refused without one.
   */
  incident: "none" | "optional" | "required";
  /** A usage mistake answered in the acknowledgement itself, before any I/O. */
  usageError?: (rest: string[]) => string | null;
  /** Opens this form, or runs this handler. */
  run: { form: FormName } | ((c: SubcommandCall) => Promise<void>);
}

const form = (name: FormName) => ({ form: name });

export const SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: "declare",
    aliases: ["new"],
    usage: "declare [title]",
    help: "Declare an incident (opens a form)",
    incident: "none",
    run: form("declare"),
  },
  {
    name: "severity",
    aliases: ["sev"],
    help: "Classify or change the severity",
    incident: "optional",
    run: form("severity"),
  },
  { name: "role", help: "Assign a role (communications lead, scribe, …)", incident: "optional", run: form("role") },
  {
    name: "unrole",
    aliases: ["remove-role"],
    help: "Remove a role from whoever holds it",
    incident: "optional",
    run: form("unrole"),
  },
  {
    name: "handoff",
    aliases: ["handover"],
    help: "Hand the Incident Commander role to someone else",
    incident: "optional",
    run: form("handoff"),
  },
  { name: "update", help: "Post a status update", incident: "optional", run: form("update") },
  {
    name: "unpublish",
    aliases: ["withdraw"],
    help: "Take the incident off the public status page, with the reason (IC or admin)",
    incident: "required",
    run: form("unpublish"),
  },
  { name: "escalate", help: "Escalate to leadership", incident: "optional", run: form("escalate") },
  { name: "vendor", help: "Record a vendor check", incident: "optional", run: form("vendor") },
  {
    name: "followup",
    aliases: ["follow-up"],
    help: "Add a follow-up action",
    incident: "optional",
    run: form("followup"),
  },
  {
    name: "impact",
    aliases: ["scope"],
    help: "Correct the impact: impacts, customers affected, components, regions, risk to assets",
    incident: "optional",
    run: form("impact"),
  },
  {
    name: "times",
    help: "Correct when impact started, was detected, mitigated and resolved",
    incident: "optional",
    run: form("times"),
  },
  { name: "risk", help: "Add a newly identified risk", incident: "optional", run: form("risk") },
  {
    name: "risks",
    help: "The open risks in the register, each with a button to change its status, owner or review date",
    incident: "none",
    async run(c) {
      const risks = await c.deps.store.riskRegister({ status: ["open", "accepted"], limit: 200 });
      const roles = await c.deps.store.activeRoles([
        ...new Set(risks.filter((r) => r.incidentPrivate).map((r) => r.incidentId)),
      ]);
      const visible = (r: RegisterRisk) =>
        !r.incidentPrivate ||
        r.ownerId === c.userId ||
        c.actor.isAdmin ||
        (roles.get(r.incidentId) ?? []).some((x) => x.userId === c.userId);
      await c.say(riskListMessage(risks, visible));
    },
  },
  {
    name: "dr",
    usage: "dr [status | log]",
    help: "The yearly BCP/DR duties: when each was last done and is next due; log one as done (owner or admin)",
    incident: "none",
    usageError: (rest) =>
      rest[0] && !["status", "log"].includes(rest[0].toLowerCase())
        ? "Use `/incident dr status` or `/incident dr log`."
        : null,
    async run(c) {
      if (c.rest[0]?.toLowerCase() === "log") return c.openForm("dutyLog");
      await c.say(dutyStatusMessage(await c.deps.duties.status()));
    },
  },
  {
    name: "note",
    usage: "note <text>",
    help: "Add a note to the timeline",
    incident: "required",
    usageError: (rest) =>
      rest.length === 0 ? "Write the note after the command: `/incident note Rolled back api to v41`." : null,
    async run(c) {
      const r = await c.deps.service.addNote(c.actor, { key: c.need().key, text: c.rest.join(" ") });
      await c.done(`Added to the ${r.key} timeline.`);
    },
  },
  {
    name: "mitigate",
    help: "Mark the incident mitigated",
    incident: "required",
    async run(c) {
      const r = await c.deps.service.mitigate(c.actor, { key: c.need().key });
      await c.done(`${r.key} marked mitigated.`);
    },
  },
  {
    name: "resolve",
    help: "Resolve (asks for the summary and which affected parties were told)",
    incident: "optional",
    run: form("resolve"),
  },
  {
    name: "recovery",
    usage: "recovery [waive]",
    help: "The BCP/DR recovery checklist (data loss or disrupted): tick each item; admins may waive it with a reason",
    incident: "required",
    usageError: (rest) =>
      rest[0] && rest[0].toLowerCase() !== "waive" ? "Use `/incident recovery` or `/incident recovery waive`." : null,
    async run(c) {
      if (c.rest[0]?.toLowerCase() === "waive") return c.openForm("recoveryWaive");
      await c.say(await checklistFor(c, "recovery"));
    },
  },
  {
    name: "comms",
    aliases: ["told"],
    help: "The resolution checklist: who must hear it is resolved; tick each told, or not applicable with a reason",
    incident: "required",
    run: async (c) => c.say(await checklistFor(c, "comms")),
  },
  {
    name: "dismiss",
    aliases: ["not-an-incident"],
    help: "Mark a report as not an incident, with the reason",
    incident: "optional",
    run: form("dismiss"),
  },
  {
    name: "close",
    help: "Close (needs the recovery checklist done and the post-mortem when they are required)",
    incident: "required",
    async run(c) {
      const r = await c.deps.service.close(c.actor, { key: c.need().key });
      await c.done(`${r.key} closed.`);
    },
  },
  {
    name: "reopen",
    usage: "reopen [reason]",
    help: "Reopen a resolved or closed incident",
    incident: "required",
    async run(c) {
      const r = await c.deps.service.reopen(c.actor, {
        key: c.need().key,
        reason: c.rest.join(" ") || "Reopened from Slack",
      });
      await c.done(`${r.key} reopened.`);
    },
  },
  {
    name: "status",
    help: "Show the incident's state",
    incident: "optional",
    async run(c) {
      if (!c.incident) return c.say(await listFor(c.deps, c.userId));
      // Private incidents were already refused to those outside them (listeners/command.ts).
      const summary = await c.deps.store.incidentSummary({ id: c.incident.id });
      if (!summary) throw new AppError("not_found", `There is no incident ${c.incident.key}.`);
      const links = await linksOf(c.deps, c.incident.id);
      const postmortem = await c.deps.store.findPostmortem(c.incident.id);
      await c.say(
        statusMessage(
          summary.incident,
          summary.roles,
          c.deps.roles,
          links.channelId,
          postmortem,
          companyPolicyOf(c.deps.service.policy),
        ),
      );
    },
  },
  {
    name: "list",
    aliases: ["ls"],
    help: "List open incidents",
    incident: "none",
    run: async (c) => c.say(await listFor(c.deps, c.userId)),
  },
  {
    name: "postmortem",
    aliases: ["post-mortem", "pm"],
    usage: "postmortem [owner @someone | import | complete | waive <reason>]",
    help: "Write the post-mortem (a form); hand it to an owner, import the doc, mark it complete, or (admins) waive it",
    incident: "required",
    usageError: (rest) =>
      rest[0]?.toLowerCase() === "owner" && !userIdIn(rest[1])
        ? "Name the new owner: `/incident postmortem owner @someone`."
        : rest[0]?.toLowerCase() === "waive" && rest.length < 2
          ? "Say why no post-mortem is needed: `/incident postmortem waive Duplicate of INC-41`."
          : null,
    async run(c) {
      const key = c.need().key;
      switch (c.rest[0]?.toLowerCase()) {
        case "owner": {
          const ownerId = userIdIn(c.rest[1])!;
          await c.deps.service.assignPostmortemOwner(c.actor, { key, ownerId });
          return c.done(`<@${ownerId}> now owns the ${key} post-mortem; they have been told what is owed.`);
        }
        case "import":
          return c.done(await importPostmortem(c.deps, c.actor, c.need()));
        case "complete":
          await c.deps.service.completePostmortem(c.actor, { key });
          return c.done(`The ${key} post-mortem is complete; the incident can be closed.`);
        case "waive":
          await c.deps.service.waivePostmortem(c.actor, { key, reason: c.rest.slice(1).join(" ") });
          return c.done(`The ${key} post-mortem is waived; the waiver shows wherever ${key} is shown.`);
        default:
          return c.openForm("postmortem");
      }
    },
  },
  {
    name: "followups",
    aliases: ["follow-ups"],
    help: "List the follow-up actions, with Done buttons",
    incident: "required",
    run: async (c) => c.say(await followUpList(c.deps, c.need())),
  },
  {
    name: "hours",
    aliases: ["working-hours"],
    help: "Your working hours: when muster asks you, as IC, to hand off at the end of your day",
    incident: "none",
    run: form("workingHours"),
  },
  {
    name: "repair",
    help: "Recreate whatever is missing: channel bookmarks, issue, doc",
    incident: "required",
    async run(c) {
      const r = await c.deps.service.repair(c.actor, { key: c.need().key });
      await c.done(`Checking ${r.key}'s channel, bookmarks, issue and doc; anything missing will be recreated.`);
    },
  },
];

/** "help" is answered by the router itself, from this table. */
export const HELP: Pick<Subcommand, "name" | "help" | "usage" | "aliases"> = { name: "help", help: "This list" };

const BY_WORD = new Map<string, Subcommand>();
for (const s of SUBCOMMANDS) {
  for (const word of [s.name, ...(s.aliases ?? [])]) {
    // Two subcommands answering to one word is a programming mistake: fail at start.
    if (BY_WORD.has(word) || word === HELP.name) throw new Error(`two /incident subcommands answer to ${word}`);
    BY_WORD.set(word, s);
  }
}

/** `/incident help`, in the table's order. */
export const HELP_LINES: readonly HelpLine[] = [...SUBCOMMANDS, HELP].map((s) => ({
  usage: s.usage ?? s.name,
  help: s.help,
  aliases: s.aliases ?? [],
}));

/** The subcommand a word names (its name or an alias), if any. */
export const findSubcommand = (word: string): Subcommand | undefined => BY_WORD.get(word.toLowerCase());

/** A checklist shown to the person who asked, with its buttons. Private incidents: responders and admins only. */
async function checklistFor(c: SubcommandCall, list: "recovery" | "comms"): Promise<Message> {
  const record = await c.deps.store.loadIncidentById(c.need().id);
  if (!record) throw new AppError("not_found", `There is no incident ${c.need().key}.`);
  if (!canSee(c.deps, record.incident, record.roles, c.userId)) {
    throw new AppError("forbidden", `${record.incident.key} is private; ask its IC.`);
  }
  return list === "recovery"
    ? recoveryMessage(record.incident, recoveryChecklist(record.timeline))
    : commsMessage(record.incident, commsChecklist(record.timeline));
}

async function listFor(deps: SlackDeps, userId: string) {
  // One statement: the open incidents and their role holders, nothing more.
  const open = await deps.store.listIncidentSummaries({ status: ["investigating", "mitigated"], limit: 100 });
  return listMessage(
    open.map(({ incident, roles }) => ({ incident, roles, canSee: canSee(deps, incident, roles, userId) })),
    companyPolicyOf(deps.service.policy),
  );
}

/** A user named in a command: `<@U123|bob>` (Slack escapes mentions) or a bare `U123`. */
function userIdIn(word: string | undefined): string | null {
  const m = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^([UW][A-Z0-9]{2,})$/.exec(word ?? "");
  return m ? (m[1] ?? m[2] ?? null) : null;
}
