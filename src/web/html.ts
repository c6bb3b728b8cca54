// HTML by tagged template, escaped once, here. Every value put into `html`…``
// is escaped unless it is already Html (made by `html` itself or by `raw` for
// markup muster writes, never for data). A page cannot forget to escape: a
// string from the database can only become Html by passing through `html`.
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);

function render(v: HtmlValue): string {
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join("");
  if (v === null || v === undefined || v === false) return "";
  return escapeHtml(String(v));
}

/** A fragment: literal parts as written, every interpolated value escaped (arrays joined, null/false dropped). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? "";
  for (const [i, v] of values.entries()) out += render(v) + (strings[i + 1] ?? "");
  return new Html(out);
}

/** Markup muster itself wrote (an SVG path, a constant stylesheet). Never for text from a person or the database. */
export const raw = (markup: string): Html => new Html(markup);

const BASE_CSS = `
:root{color-scheme:light dark;--fg:#1d1f23;--muted:#5d6470;--bg:#fff;--line:#e3e6ea;--ok:#2f9e5b;--minor:#e0a100;--major:#e8590c;--crit:#c92a2a;--none:#cfd4da}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--muted:#9aa1ab;--bg:#15171a;--line:#2a2e34;--none:#3a3f46}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:52rem;margin:0 auto;padding:1.5rem 1rem 4rem}a{color:inherit}h1{font-size:1.6rem;margin:.2rem 0 1rem}
h2{font-size:1.15rem;margin:2rem 0 .6rem}.muted{color:var(--muted)}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
`;

/** A whole page: no script, one small stylesheet, readable on a phone. */
export function page(o: { title: string; css?: string; body: Html; head?: Html }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title}</title>
<style>${raw(BASE_CSS + (o.css ?? ""))}</style>
${o.head ?? ""}
</head>
<body><main>
${o.body}
</main></body>
</html>
`.value;
}

/** A response carrying a page. */
export const htmlResponse = (status: number, body: string, headers: Record<string, string> = {}) => ({
  status,
  headers: { "content-type": "text/html; charset=utf-8", ...headers },
  body,
});
