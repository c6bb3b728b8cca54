// The public status pages, server-rendered (no script): /status with the
// current state, 90-day bars per component and the history by day, and one
// page per incident with its duration, components, scope, kind of impact,
// public updates and the post-mortem's public summary.
import { type Html, html, page } from "../web/html.js";
import {
  type ComponentStatus,
  type ComponentView,
  durationMs,
  formatDuration,
  isOpen,
  KIND_WORDS,
  PUBLIC_STATUS_WORDS,
  type PublicIncident,
  STATUS_WORDS,
  type StatusView,
  WINDOW_DAYS,
} from "./model.js";

const CSS = `
.banner{padding:1rem 1.2rem;border-radius:.5rem;color:#fff;font-weight:600;font-size:1.15rem;margin:0 0 1.5rem}
.b-none{background:var(--ok)}.b-minor{background:var(--minor)}.b-major{background:var(--major)}.b-critical{background:var(--crit)}
.component{border:1px solid var(--line);border-radius:.5rem;padding:.8rem 1rem;margin:.6rem 0}
.component header{display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap}
.s-operational{color:var(--ok)}.s-degraded_performance{color:var(--minor)}.s-partial_outage{color:var(--major)}.s-major_outage{color:var(--crit)}
svg.bars{display:block;width:100%;height:34px;margin:.5rem 0 .2rem}
svg.bars rect{fill:var(--ok)}svg.bars rect.d-degraded_performance{fill:var(--minor)}
svg.bars rect.d-partial_outage{fill:var(--major)}svg.bars rect.d-major_outage{fill:var(--crit)}
.axis{display:flex;justify-content:space-between;font-size:.8rem;color:var(--muted)}
.incident{margin:.4rem 0 1rem}.incident a{font-weight:600}
.update{border-left:3px solid var(--line);padding:.2rem 0 .2rem .8rem;margin:.8rem 0}
.update p{margin:.2rem 0;white-space:pre-wrap}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}
dt{color:var(--muted)}dd{margin:0}footer{margin-top:3rem;font-size:.9rem;color:var(--muted)}
@media (max-width:480px){svg.bars{height:28px}.banner{font-size:1rem}}
`;

const when = (d: Date) => `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
const dayWords = (date: string) =>
  new Date(`${date}T00:00:00Z`).toLocaleDateString("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });

function bars(c: ComponentView): Html {
  const w = 8;
  const gap = 2;
  const width = c.days.length * (w + gap) - gap;
  // One rect per day; a day with incidents links to the first of them. <title> is the hover text and the accessible name.
  const rects = c.days.map((d, n) => {
    const label = `${d.date}: ${d.status === "operational" ? "no incidents" : `${STATUS_WORDS[d.status]}, ${formatDuration(d.minutes * 60_000)}`}`;
    const rect = html`<rect x="${n * (w + gap)}" y="0" width="${w}" height="34" rx="1.5" class="d-${d.status}"><title>${label}</title></rect>`;
    const first = d.incidents[0];
    return first ? html`<a href="/status/incidents/${encodeURIComponent(first.id)}">${rect}</a>` : rect;
  });
  return html`<svg class="bars" viewBox="0 0 ${width} 34" preserveAspectRatio="none" role="img" aria-label="${c.name}: the last ${c.days.length} days">${rects}</svg>`;
}

const statusText = (s: ComponentStatus) => html`<span class="s-${s}">${STATUS_WORDS[s]}</span>`;

function incidentLine(i: PublicIncident, now: Date): Html {
  return html`<div class="incident"><a href="/status/incidents/${encodeURIComponent(i.id)}">${i.name}</a>
<div class="muted">${PUBLIC_STATUS_WORDS[i.status]} · ${when(i.startedAt)} · ${formatDuration(durationMs(i, now))}${i.components.length ? ` · ${i.components.join(", ")}` : ""}</div></div>`;
}

function footer(): Html {
  return html`<footer>Feeds: <a href="/history.atom">Atom</a> · <a href="/history.rss">RSS</a> · API: <a href="/api/v2/summary.json">summary.json</a> (Statuspage-compatible)</footer>`;
}

export function statusPage(o: { name: string; view: StatusView; now: Date }): string {
  const { view, now } = o;
  const body = html`<h1>${o.name}</h1>
<p class="banner b-${view.indicator}">${view.description}</p>
${
  view.open.length
    ? html`<h2>Ongoing</h2>${view.open.map((i) => {
        const latest = i.updates.at(-1);
        return html`${incidentLine(i, now)}${latest ? html`<div class="update"><strong>${PUBLIC_STATUS_WORDS[latest.status]}</strong> <span class="muted">${when(latest.at)}</span><p>${latest.body}</p></div>` : ""}`;
      })}`
    : ""
}
<h2>Components</h2>
${view.components.length ? "" : html`<p class="muted">No components to show yet.</p>`}
${view.components.map(
  (c) => html`<section class="component"><header><strong>${c.name}</strong>${statusText(c.status)}</header>
${bars(c)}<div class="axis"><span>${c.days.length} days ago</span><span>${c.uptime.toFixed(2)} % uptime</span><span>Today</span></div></section>`,
)}
<h2>Past incidents</h2>
${historyDays(view, now, RECENT_DAYS)}
<p><a href="/status/history">Incident history: the past ${WINDOW_DAYS} days →</a></p>
${footer()}`;
  return page({
    title: o.name,
    css: CSS,
    body,
    head: html`<link rel="alternate" type="application/atom+xml" title="${o.name}" href="/history.atom">`,
  });
}

/** The front page lists this many days; /status/history lists the whole window. */
const RECENT_DAYS = 15;

/** Every day of the last `days`, newest first, with its incidents or "No incidents reported." */
function historyDays(view: StatusView, now: Date, days: number): Html {
  const byDate = new Map(view.history.map((d) => [d.date, d.incidents]));
  const out: Html[] = [];
  for (let n = 0; n < days; n++) {
    const date = new Date(now.getTime() - n * 86_400_000).toISOString().slice(0, 10);
    const incidents = byDate.get(date) ?? [];
    out.push(
      html`<h3>${dayWords(date)}</h3>${incidents.length ? incidents.map((i) => incidentLine(i, now)) : html`<p class="muted">No incidents reported.</p>`}`,
    );
  }
  return html`${out}`;
}

export function historyPage(o: { name: string; view: StatusView; now: Date }): string {
  const { view, now } = o;
  const body = html`<p><a href="/status">← ${o.name}</a></p>
<h1>Incident history</h1>
<p class="muted">The past ${WINDOW_DAYS} days, newest first.</p>
${
  view.history.length
    ? view.history.map((d) => html`<h3>${dayWords(d.date)}</h3>${d.incidents.map((i) => incidentLine(i, now))}`)
    : html`<p class="muted">No incidents in the past ${WINDOW_DAYS} days.</p>`
}
${footer()}`;
  return page({ title: `Incident history · ${o.name}`, css: CSS, body });
}

export function incidentPage(o: { name: string; incident: PublicIncident; now: Date }): string {
  const { incident: i, now } = o;
  const ended = i.impactEndedAt;
  const body = html`<p><a href="/status">← ${o.name}</a></p>
<h1>${i.name}</h1>
<p class="banner b-${isOpen(i) ? i.impact : "none"}">${PUBLIC_STATUS_WORDS[i.status]}</p>
<dl>
<dt>Duration</dt><dd>${formatDuration(durationMs(i, now))}${ended ? "" : " so far"} <span class="muted">(${when(i.startedAt)} – ${ended ? when(ended) : "ongoing"})</span></dd>
<dt>Affected</dt><dd>${i.components.length ? i.components.join(", ") : "—"}</dd>
${i.scope ? html`<dt>Scope</dt><dd>${i.scope}</dd>` : ""}
<dt>Impact</dt><dd>${KIND_WORDS[i.kind]}</dd>
</dl>
<h2>Updates</h2>
${
  i.updates.length
    ? [...i.updates]
        .reverse()
        .map(
          (u) =>
            html`<div class="update"><strong>${PUBLIC_STATUS_WORDS[u.status]}</strong> <span class="muted">${when(u.at)}</span><p>${u.body}</p></div>`,
        )
    : html`<p class="muted">No public updates yet.</p>`
}
${i.postmortem ? html`<h2>Post-mortem</h2><div class="update"><p>${i.postmortem}</p></div>` : ""}
${footer()}`;
  return page({ title: `${i.name} · ${o.name}`, css: CSS, body });
}

export function notFoundPage(name: string): string {
  return page({
    title: `Not found · ${name}`,
    body: html`<h1>Not found</h1><p>There is no such incident on this status page.</p><p><a href="/status">${name}</a></p>`,
  });
}
