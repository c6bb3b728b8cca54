// The IC (or an admin) takes a published incident off the public status
// page, saying why. Refused when asked for by anyone else, or for an incident
// that is not published, before a word is written. The modal shows what will
// be withdrawn: the public title is public text already.
import { notPublished } from "../../incidents/publication.js";
import { str } from "../form.js";
import { FIELD, VIEW } from "../ids.js";
import { safe } from "../text.js";
import { input, modal, section, textInput } from "../views/blocks.js";
import { confirmation } from "../views/messages.js";
import { keyOf, metadataFor, type SlackForm } from "./form.js";

export const unpublishForm: SlackForm = {
  callbackId: VIEW.unpublish,
  incident: "named",
  permission: "unpublish",
  build: async (deps, r) => {
    const publication = await deps.store.findPublication(r.incident.id);
    if (!publication) throw notPublished(r.incident.key);
    return modal({
      callbackId: VIEW.unpublish,
      title: "Unpublish",
      submit: "Take it down",
      metadata: metadataFor(r),
      blocks: [
        section(
          `*${r.incident.key}* is on the public status page as “${safe(publication.title, 200)}”${publication.components.length ? ` (${safe(publication.components.join(", "), 300)})` : ""}. Taking it down removes its title, components, customer-facing updates and link from every page, feed and API. Publishing it again later gives it a new link (and shows its customer-facing updates again).`,
        ),
        input(FIELD.reason, "Why does it come off the status page?", textInput({ multiline: true, max: 3000 }), {
          hint: "Kept on the internal timeline, never shown publicly.",
        }),
      ],
    });
  },
  submit: (deps, s) =>
    deps.service.unpublish(
      s.actor,
      { key: keyOf(s), reason: str(s.form[FIELD.reason]) ?? "" },
      { idempotencyKey: s.idempotencyKey },
    ),
  confirm: (_deps, _s, r) => confirmation(`${r.key} is off the public status page.`),
};
