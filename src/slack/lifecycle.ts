// Post-mortem and follow-up actions shared by subcommands and buttons:
// importing the post-mortem doc, and the follow-up list.
import { AppError } from "../errors.js";
import type { Actor, Incident } from "../incidents/model.js";
import { POSTMORTEM_PARTS, partsFromDoc } from "../incidents/postmortem-rules.js";
import { REF } from "../jobs/refs.js";
import type { SlackDeps } from "./deps.js";
import type { Message } from "./views/blocks.js";
import { followUpsMessage } from "./views/postmortem.js";

/**
 * "Import from doc": reads the post-mortem doc (documents.get) and fills each
 * part that is still empty in muster from the text under its heading. Parts
 * written in both places keep muster's words and are named, so nobody loses
 * an edit and nobody types the same post-mortem twice.
 */
export async function importPostmortem(deps: SlackDeps, actor: Actor, incident: Incident): Promise<string> {
  const ref = await deps.refs.get(incident.id, REF.postmortemDoc);
  if (!ref?.externalId || !deps.docs)
    throw new AppError("validation", `${incident.key} has no post-mortem doc to import from yet.`);
  const sections = await deps.docs.sections(ref.externalId).catch((e: unknown) => {
    // The doc was deleted, access was lost, or Google is down: say so in words, keep the cause for the log.
    throw new AppError(
      "not_found",
      `muster could not read the ${incident.key} post-mortem doc from Google; try again in a minute, or run \`/incident repair\` if it was deleted.`,
      { cause: e },
    );
  });
  const fromDoc = partsFromDoc(sections);
  const pm = await deps.store.findPostmortem(incident.id);
  const fill: Record<string, string> = {};
  const kept: string[] = [];
  for (const p of POSTMORTEM_PARTS) {
    const text = fromDoc[p.key];
    if (!text) continue;
    const ours = pm?.[p.key]?.trim() ?? "";
    if (!ours) fill[p.key] = text;
    else if (ours !== text) kept.push(p.label.toLowerCase());
  }
  const filled = POSTMORTEM_PARTS.filter((p) => fill[p.key]).map((p) => p.label.toLowerCase());
  if (!filled.length) {
    return kept.length
      ? `Nothing new to import: ${kept.join(", ")} ${kept.length === 1 ? "is" : "are"} written in both places; muster kept the words saved in Slack.`
      : "The doc has nothing under its headings that the post-mortem lacks.";
  }
  await deps.service.updatePostmortem(actor, { key: incident.key, ...fill, source: "doc" });
  deps.wake();
  return `Imported from the doc: ${filled.join(", ")}.${kept.length ? ` Kept the Slack words for ${kept.join(", ")}.` : ""}`;
}

/**
 * The follow-up list. Asks for a read-back of their GitHub issues too: an
 * issue closed on GitHub is recorded as done within seconds (and hourly anyway).
 */
export async function followUpList(deps: SlackDeps, incident: Incident): Promise<Message> {
  const record = await deps.store.loadIncidentById(incident.id);
  if (!record) throw new AppError("not_found", `There is no incident ${incident.key}.`);
  const refs = await deps.refs.all(incident.id);
  const urls = new Map<string, string>();
  for (const f of record.followUps) {
    const url = refs.get(REF.followUpIssue(f.id))?.url;
    if (url) urls.set(f.id, url);
  }
  if (record.followUps.some((f) => f.status === "open" && urls.has(f.id))) {
    await deps.jobs.enqueue([{ incidentId: incident.id, kind: "github.sync_follow_ups", payload: {} }], new Date());
    deps.wake();
  }
  return followUpsMessage(incident, record.followUps, urls);
}
