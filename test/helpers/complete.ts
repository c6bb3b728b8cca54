// What "an incident is complete" means to the benchmarks and the reliability
// suite: everything the outbox makes for a declared incident exists.
import type { GitHubEmulator } from "../emulators/github.js";
import type { GoogleEmulator } from "../emulators/google.js";
import type { SlackEmulator } from "../emulators/slack.js";

export interface Services {
  slack: SlackEmulator;
  github: GitHubEmulator;
  google: GoogleEmulator;
}

/** What incident n still lacks, or null when channel, announcement, issue, doc and bookmarks all exist. */
export function missing(s: Services, n: number, o: { templated?: boolean } = { templated: true }): string | null {
  const channel = [...s.slack.channels.values()].find((c) => c.name === `inc-${n}` || c.name.startsWith(`inc-${n}-`));
  if (!channel) return "channel";
  if (channel.bookmarks.length < 2) return "bookmarks";
  if (channel.pins.size < 1) return "pinned control message";
  const announce = s.slack.channelByName("incident-response")!;
  if (!s.slack.messages(announce.id).some((m) => m.text.includes(`INC-${n}:`))) return "announcement";
  if (!s.github.issues("tailscale/corp").some((i) => i.title.startsWith(`[INC-${n}]`))) return "issue";
  const doc = s.google
    .files()
    .find((f) => f.name.startsWith(`[INC-${n}]`) && f.appProperties.musterKind === "google_doc");
  if (!doc) return "doc";
  if (!doc.permissions.some((p) => p.role === "writer")) return "doc sharing";
  if (o.templated !== false && s.google.documentText(doc.id).includes("{{key}}")) return "doc filled";
  return null;
}
