import { describe, expect, it } from "vitest";
import { docSections } from "../../src/adapters/google/read-doc.js";

const para = (text: string, style = "NORMAL_TEXT") => ({
  paragraph: { paragraphStyle: { namedStyleType: style }, elements: [{ textRun: { content: `${text}\n` } }] },
});
const cell = (text: string) => ({ content: [para(text)] });

describe("reading a doc back by headings", () => {
  it("takes the paragraphs and table rows between one heading and the next", () => {
    const sections = docSections([
      para("Post-mortem: INC-1", "TITLE"),
      para("Root causes", "HEADING_1"),
      para("An expired certificate."),
      para("Nobody was paged."),
      para("Timeline", "HEADING_1"),
      {
        table: { tableRows: [{ tableCells: [cell("14:05"), cell("Declared")] }, { tableCells: [cell(""), cell("")] }] },
      },
      para("Notes", "HEADING_2"),
    ]);
    expect(sections).toEqual([
      { heading: "Root causes", text: "An expired certificate.\nNobody was paged." },
      { heading: "Timeline", text: "14:05 | Declared" },
      { heading: "Notes", text: "" },
    ]);
  });
});
