// Text going into Slack: escaped so user text cannot ping or link, and cut
// to Slack's limits in one place.

export const SLACK_LIMITS = {
  sectionText: 3000,
  field: 2000,
  header: 150,
  buttonText: 75,
  buttonValue: 2000,
  optionText: 75,
  optionValue: 75,
  modalTitle: 24,
  privateMetadata: 3000,
  messageText: 40_000,
  topic: 250,
  bookmarkTitle: 256,
  contextElements: 10,
  messageBlocks: 50,
  viewBlocks: 100,
  selectOptions: 100,
} as const;

/** Escapes mrkdwn control characters: `<!channel>` in a title stays text. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Cuts to `max` UTF-16 units (Slack counts characters the way JavaScript
 * does), without splitting a surrogate pair or an escape like `&amp;`.
 */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  cut = cut.replace(/&[a-z]{0,4}$/, "");
  return `${cut}…`;
}

/** Escapes, then cuts: for user text inside mrkdwn. */
export const safe = (s: string, max: number = SLACK_LIMITS.sectionText) => truncate(esc(s), max);

/** Splits long text into pieces that each fit a section, at line breaks where possible. */
export function split(s: string, max: number = SLACK_LIMITS.sectionText): string[] {
  const parts: string[] = [];
  let rest = s;
  while (rest.length > max) {
    let at = rest.lastIndexOf("\n", max);
    if (at < max / 2) at = rest.lastIndexOf(" ", max);
    if (at < max / 2) at = max;
    const code = rest.charCodeAt(at - 1);
    if (code >= 0xd800 && code <= 0xdbff) at--;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, "");
  }
  if (rest) parts.push(rest);
  return parts;
}

export const mention = (userId: string | null | undefined) => (userId ? `<@${userId}>` : "nobody");
export const channelLink = (id: string) => `<#${id}>`;
export const link = (url: string, label: string) => `<${url.replace(/[<>|]/g, "")}|${esc(label).replace(/\|/g, "¦")}>`;
export const slackDate = (d: Date) =>
  `<!date^${Math.floor(d.getTime() / 1000)}^{date_short_pretty} {time}|${d.toISOString().replace(/\.\d+Z$/, "Z")}>`;
