// The triage message: a report from outside Slack (the public outage form,
// a monitoring alert) in the incident channel, with a Declare button. Its
// text comes from outside muster, so every piece of it is escaped and shown
// verbatim: `<!channel>` stays text, a bare URL is not turned into a link.
import type { SectionBlock } from "@slack/types";
import type { TriageReport } from "../../intake/model.js";
import { ACTION } from "../ids.js";
import { mention, SLACK_LIMITS, safe, slackDate, truncate } from "../text.js";
import { actions, type Block, button, context, header, message } from "./blocks.js";

/** mrkdwn that Slack shows as written: no auto-linked URLs, channels or mentions. */
const verbatim = (text: string): SectionBlock => ({
  type: "section",
  text: { type: "mrkdwn", text: truncate(text, SLACK_LIMITS.sectionText) || " ", verbatim: true },
});
const verbatimFields = (items: string[]): SectionBlock => ({
  type: "section",
  fields: items
    .slice(0, 10)
    .map((t) => ({ type: "mrkdwn", text: truncate(t, SLACK_LIMITS.field) || " ", verbatim: true })),
});

const quoted = (s: string) =>
  safe(s, 2800)
    .split("\n")
    .map((l) => `> ${l}`)
    .join("\n");

function headline(r: TriageReport): string {
  if (r.source === "third_party") return "Outage reported by a third party";
  return `${r.status === "resolved" ? "Resolved" : "Alert firing"}: ${r.title}`;
}

export function triageMessage(r: TriageReport): ReturnType<typeof message> {
  const blocks: Block[] = [
    header(`${r.source === "third_party" ? "📣" : r.status === "resolved" ? "✅" : "🚨"} ${headline(r)}`),
  ];
  if (r.description) blocks.push(verbatim(quoted(r.description)));
  const facts: string[] = [];
  if (r.source === "third_party") {
    facts.push(`*Reported by*\n${safe(r.contact ?? "unknown", 300)} (outage report form)`);
  } else {
    facts.push(`*Source*\nMonitoring`);
    facts.push(`*Seen*\n${r.count === 1 ? "once" : `${r.count} times`}, last ${slackDate(r.lastSeenAt)}`);
  }
  if (r.component) facts.push(`*Component*\n${safe(r.component, 200)}`);
  if (r.severity) facts.push(`*Severity (from the alert)*\n${r.severity}`);
  facts.push(`*Received*\n${slackDate(r.receivedAt)}`);
  blocks.push(verbatimFields(facts));

  const instances = r.details.alerts ?? [];
  if (instances.length > 1 || (instances.length === 1 && instances[0]!.labels)) {
    const lines = instances.map(
      (a) =>
        `${a.status === "resolved" ? "✅" : "🔥"} ${safe(a.labels || "(no labels)", 300)}${a.summary ? ` — ${safe(a.summary, 300)}` : ""}`,
    );
    if (r.details.truncated) lines.push(`…and ${r.details.truncated} more`);
    blocks.push(verbatim(lines.join("\n")));
  }

  if (r.incidentKey) {
    const by = r.declaredBy === "muster" ? "muster (an alert rule)" : mention(r.declaredBy);
    blocks.push(verbatim(`:white_check_mark: Declared as *${safe(r.incidentKey, 40)}* by ${by}.`));
  } else {
    const buttons = [button("Declare incident", ACTION.declareFromReport, r.id, "primary")];
    if (r.link) buttons.push(button("Open in monitoring", ACTION.link, r.id, undefined, r.link));
    blocks.push(actions("triage", buttons));
    blocks.push(
      context([
        r.source === "third_party"
          ? "Not an incident yet. Check it; if it is one, declare it (the form is pre-filled). The reporter's words are shown as sent."
          : "Not an incident yet. If it is one, declare it (the form is pre-filled from the alert).",
      ]),
    );
  }
  const fallback = `${headline(r)}${r.incidentKey ? ` (declared as ${r.incidentKey})` : ""}`;
  return message(safe(fallback, 300), blocks);
}
