import { describe, expect, it } from "vitest";
import { html, page, raw } from "../../src/web/html.js";

describe("html templates", () => {
  it("escapes every interpolated value once, and nothing muster wrote", () => {
    const title = `<script>alert("x")</script> & 'q'`;
    const inner = html`<b>${title}</b>`;
    expect(html`<p title="${title}">${inner}</p>`.value).toBe(
      `<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"><b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</b></p>`,
    );
  });
  it("joins lists, drops null, undefined and false, keeps 0", () => {
    expect(html`<ul>${["a", "<b>"].map((x) => html`<li>${x}</li>`)}</ul>${null}${undefined}${false}${0}`.value).toBe(
      "<ul><li>a</li><li>&lt;b&gt;</li></ul>0",
    );
  });
  it("makes a page that needs no script and escapes its title", () => {
    const p = page({ title: "A & B", body: raw("<p>x</p>") });
    expect(p).toContain("<title>A &amp; B</title>");
    expect(p).toContain('<meta name="viewport"');
    expect(p).not.toContain("<script");
  });
});
