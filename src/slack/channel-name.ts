import { SLACK_LIMITS } from "./text.js";

const MAX = 80;

/**
 * `inc-<n>-<slug>`: lower-case ASCII letters, digits and hyphens, ≤ 80
 * characters, for any title. Accents are folded (Café → cafe); a title with
 * nothing left (日本語, emoji only) gives `inc-<n>`, and so does a private incident.
 */
export function channelName(n: number, title: string, attempt = 0, isPrivate = false): string {
  const suffix = attempt > 0 ? `-${attempt + 1}` : "";
  const prefix = `inc-${n}`;
  // A private incident's channel carries no words of its title: names show in invitations, links and exports.
  if (isPrivate) return `${prefix}${suffix}`;
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const room = MAX - prefix.length - suffix.length - 1;
  const cut = slug.slice(0, room).replace(/-+$/, "");
  return cut ? `${prefix}-${cut}${suffix}` : `${prefix}${suffix}`;
}

/** Topic ≤ 250 characters. */
export function fitTopic(topic: string): string {
  return topic.length <= SLACK_LIMITS.topic ? topic : `${topic.slice(0, SLACK_LIMITS.topic - 1)}…`;
}
