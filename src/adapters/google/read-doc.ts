// Reading a Google Doc back as sections: the text of the paragraphs (and
// table rows) between one heading and the next, as `documents.get` gives it.
import type { docs_v1 } from "@googleapis/docs";
import { googleFailure } from "./jobs.js";

type Element = docs_v1.Schema$StructuralElement;

const paragraphText = (p: docs_v1.Schema$Paragraph | undefined) =>
  (p?.elements ?? []).map((e) => e.textRun?.content ?? "").join("");

/** A table as lines, its cells joined with " | ". */
function tableText(t: docs_v1.Schema$Table): string {
  return (t.tableRows ?? [])
    .map((row) =>
      (row.tableCells ?? [])
        .map((cell) =>
          (cell.content ?? [])
            .map((c) => paragraphText(c.paragraph))
            .join("")
            .trim(),
        )
        .join(" | "),
    )
    .filter((line) => line.replace(/[|\s]/g, "") !== "")
    .join("\n");
}

export function docSections(content: readonly Element[]): { heading: string; text: string }[] {
  const out: { heading: string; text: string }[] = [];
  let current: { heading: string; lines: string[] } | null = null;
  for (const el of content) {
    const style = el.paragraph?.paragraphStyle?.namedStyleType ?? "";
    if (el.paragraph && /^HEADING_[1-6]$/.test(style)) {
      if (current) out.push({ heading: current.heading, text: current.lines.join("").trim() });
      current = { heading: paragraphText(el.paragraph).trim(), lines: [] };
      continue;
    }
    if (!current) continue;
    if (el.paragraph) current.lines.push(paragraphText(el.paragraph));
    else if (el.table) current.lines.push(`${tableText(el.table)}\n`);
  }
  if (current) out.push({ heading: current.heading, text: current.lines.join("").trim() });
  return out;
}

export function googleDocReader(docs: docs_v1.Docs) {
  return {
    async sections(docId: string) {
      try {
        const r = await docs.documents.get({ documentId: docId });
        return docSections(r.data.body?.content ?? []);
      } catch (e) {
        throw googleFailure(e, "read the post-mortem doc");
      }
    },
  };
}
