// The "Publish to status page" fields, shared by the declare and update
// forms. Never pre-filled from the internal title: the public words are
// entered for the public.
import type { PublicationFields } from "../../incidents/publication.js";
import { type FormValue, list, str } from "../form.js";
import { FIELD } from "../ids.js";
import { checkboxes, input, option, textInput } from "../views/blocks.js";

export function publishBlocks(components: readonly string[]) {
  return [
    input(
      FIELD.publish,
      "Public status page",
      checkboxes([
        option(
          "Publish to status page",
          "publish",
          "Shows the public title, components, customer-facing updates and times on /status",
        ),
      ]),
      { optional: true, hint: "Private incidents are never published." },
    ),
    input(
      FIELD.publicTitle,
      "Public title",
      textInput({ max: 150, placeholder: "Increased latency for some customers" }),
      {
        optional: true,
        hint: "What customers read. Public-safe words, not the internal title.",
      },
    ),
    input(
      FIELD.publicComponents,
      "Public components",
      textInput({
        max: 1000,
        placeholder: components.length ? components.slice(0, 3).join(", ").slice(0, 150) : "API, Dashboard",
      }),
      {
        optional: true,
        hint: components.length ? `Separate with commas. One of: ${components.join(", ")}.` : "Separate with commas.",
      },
    ),
  ];
}

/** Reads the publishing fields of a submitted form. */
export function readPublishFields(form: Record<string, FormValue>): PublicationFields {
  const title = str(form[FIELD.publicTitle]);
  return {
    publish: list(form[FIELD.publish]).includes("publish"),
    ...(title ? { publicTitle: title } : {}),
    // Comma-separated: a name may hold spaces ("Admin console").
    publicComponents: list(form[FIELD.publicComponents]),
  };
}
