// What the IC publishes to the public status page: a title and component
// names entered for the public (never copied from the internal title), set
// from the declare and status-update forms. Everything public is built from
// this, the incident's times and impact kinds, the customer-facing text of its
// updates and the post-mortem's public summary (src/status/).
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { AppError } from "../errors.js";
import type { CommandContext } from "./context.js";
import * as input from "./input.js";
import type { Incident, RoleAssignment } from "./model.js";
import { authorize } from "./permissions.js";

export interface Publication {
  incidentId: string;
  /** Opaque: the incident key would reveal internal numbering and private incidents. */
  publicId: string;
  title: string;
  components: string[];
  publishedBy: string;
  publishedAt: Date;
  updatedAt: Date;
}

/** What the status page may show; read from the company's settings. */
export interface StatusPagePolicy {
  /** The public component names, in page order; empty: any names the IC enters. */
  components: string[];
}

/** The declare and update forms' publishing fields, flat so a problem lands on its field. */
export const publicationFields = {
  publish: z.boolean().default(false),
  publicTitle: input.text("the public title", input.LIMITS.title).optional(),
  publicComponents: input.nameList("public components").default([]),
};
export type PublicationFields = { publish: boolean; publicTitle?: string | undefined; publicComponents: string[] };

// Statuspage's ids look like this: 12 characters of [0-9a-z].
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
export function newPublicId(): string {
  return [...randomBytes(12)].map((b) => ALPHABET[b % ALPHABET.length]).join("");
}

/** Matches entered names to the configured ones (any case), in the configured spelling. */
function componentsFor(entered: string[], policy: StatusPagePolicy | undefined): string[] {
  const allowed = policy?.components ?? [];
  if (!allowed.length) return entered;
  return entered.map((name) => {
    const known = allowed.find((a) => a.toLowerCase() === name.toLowerCase());
    if (!known) {
      throw new AppError("validation", `"${name}" is not a status page component; use: ${allowed.join(", ")}.`, {
        field: "publicComponents",
      });
    }
    return known;
  });
}

/**
 * Publishes the incident (or changes what is published) inside the command's
 * transaction. Returns what to record on the timeline, or null when the form
 * did not ask to publish.
 */
export async function applyPublication(
  ctx: CommandContext,
  incident: Incident,
  roles: readonly RoleAssignment[],
  fields: PublicationFields,
  o: { atDeclaration?: boolean } = {},
): Promise<{ title: string; components: string[]; first: boolean } | null> {
  if (!fields.publish) return null;
  // Whoever declares makes the first call; afterwards the IC decides what is public (or an admin).
  if (!o.atDeclaration) authorize("publish", ctx.actor, roles, incident.key);
  if (incident.private) {
    throw new AppError(
      "validation",
      "A private incident never goes on the public status page. Untick “Publish to status page”.",
      { field: "publish" },
    );
  }
  const existing = await ctx.tx.findPublication(incident.id);
  const title = fields.publicTitle || existing?.title;
  if (!title) {
    throw new AppError(
      "validation",
      "Give the public title: what customers should read, in words fit for the public (not the internal title).",
      { field: "publicTitle" },
    );
  }
  const components = fields.publicComponents.length
    ? componentsFor(fields.publicComponents, ctx.policy.statusPage)
    : (existing?.components ?? []);
  await ctx.tx.savePublication({
    incidentId: incident.id,
    publicId: existing?.publicId ?? newPublicId(),
    title,
    components,
    publishedBy: existing?.publishedBy ?? ctx.actor.userId,
    publishedAt: existing?.publishedAt ?? ctx.now,
    updatedAt: ctx.now,
  });
  return { title, components, first: !existing };
}

/** The plain answer when there is nothing public to withdraw. */
export function notPublished(key: string): AppError {
  return new AppError("validation", `${key} is not on the status page.`);
}

/** A new customer-facing update changes the published incident: its public "updated" time moves (feeds, ETags). */
export async function touchPublication(ctx: CommandContext, incident: Incident): Promise<void> {
  const existing = await ctx.tx.findPublication(incident.id);
  if (existing) await ctx.tx.savePublication({ ...existing, updatedAt: ctx.now });
}
