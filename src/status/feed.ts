// The status history as Atom (/history.atom) and RSS 2.0 (/history.rss): one
// entry per published incident, newest first, its public updates as content.
// XML escaping is the same entity escaping as HTML's (web/html.ts).
import { html } from "../web/html.js";
import { PUBLIC_STATUS_WORDS, type PublicIncident } from "./model.js";
import type { PageInfo } from "./statuspage.js";

const linkOf = (p: PageInfo, i: PublicIncident) => `${p.url}/status/incidents/${encodeURIComponent(i.id)}`;

/** The updates as plain text, newest first, with the post-mortem's summary on top. */
function contentOf(i: PublicIncident): string {
  const lines = [...i.updates]
    .reverse()
    .map((u) => `${PUBLIC_STATUS_WORDS[u.status]} (${u.at.toISOString()}): ${u.body}`);
  return [...(i.postmortem ? [`Post-mortem: ${i.postmortem}`] : []), ...lines].join("\n\n") || "No public updates yet.";
}

const newest = (xs: PublicIncident[]) => [...xs].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());

export function atomFeed(p: PageInfo, incidents: PublicIncident[], updatedAt: Date): string {
  return html`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>${p.name} history</title>
<id>${p.url}/history.atom</id>
<link rel="self" href="${p.url}/history.atom"/>
<link rel="alternate" href="${p.url}/status"/>
<updated>${updatedAt.toISOString()}</updated>
${newest(incidents).map(
  (i) => html`<entry>
<id>${linkOf(p, i)}</id>
<title>${i.name}</title>
<link rel="alternate" href="${linkOf(p, i)}"/>
<published>${i.createdAt.toISOString()}</published>
<updated>${i.updatedAt.toISOString()}</updated>
<author><name>${p.name}</name></author>
<content type="text">${contentOf(i)}</content>
</entry>
`,
)}</feed>
`.value;
}

export function rssFeed(p: PageInfo, incidents: PublicIncident[], updatedAt: Date): string {
  return html`<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>${p.name} history</title>
<link>${p.url}/status</link>
<description>${p.name}: incident history</description>
<lastBuildDate>${updatedAt.toUTCString()}</lastBuildDate>
${newest(incidents).map(
  (i) => html`<item>
<title>${i.name}</title>
<link>${linkOf(p, i)}</link>
<guid isPermaLink="true">${linkOf(p, i)}</guid>
<pubDate>${i.createdAt.toUTCString()}</pubDate>
<description>${contentOf(i)}</description>
</item>
`,
)}</channel>
</rss>
`.value;
}
