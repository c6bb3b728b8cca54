// /insights pages: pure functions from the report (and one incident's
// record) to HTML. Everything from the database passes through html`` once.
import { formatDuration, percent } from "../../cli/render-report.js";
import type { IncidentRecord } from "../../incidents/ports.js";
import type { IncidentMetrics } from "../../insights/measure.js";
import {
  DURATION_LABELS,
  DURATIONS,
  type IncidentLine,
  type InsightsReport,
  REPORT_SEVERITIES,
} from "../../insights/report.js";
import { type Html, html, page } from "../html.js";
import type { Viewer } from "./auth.js";
import {
  blastRadiusChart,
  CHART_CSS,
  durationTrendChart,
  incidentsPerWeekChart,
  onTimePostmortemsChart,
  SEVERITY_COLOURS,
  topComponentsChart,
} from "./charts.js";

const CSS = `${CHART_CSS}
main{max-width:64rem}
header.top{display:flex;justify-content:space-between;align-items:baseline;gap:1rem;flex-wrap:wrap}
form.filters{display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:end;margin:0 0 1rem}
form.filters label{display:flex;flex-direction:column;font-size:.85rem}
form.filters fieldset{border:0;padding:0;margin:0;display:flex;gap:.5rem;font-size:.85rem}
input,button{font:inherit}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.6rem;margin:1rem 0}
.tile{border:1px solid var(--line);border-radius:6px;padding:.5rem .7rem}
.tile b{display:block;font-size:1.4rem}
.sev{display:inline-block;width:.6rem;height:.6rem;border-radius:50%;margin-right:.3rem}
.num{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}
td.data{font-family:ui-monospace,monospace;font-size:.8rem;word-break:break-word}
`;

const isoDay = (d: Date | string) => (typeof d === "string" ? d : d.toISOString()).slice(0, 10);
const when = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace("T", " ")} UTC` : "—");

function signedInAs(viewer: Viewer): Html {
  return viewer.via === "token"
    ? html`<span class="muted">Headless access (shared token)</span>`
    : html`<form method="post" action="/insights/logout" class="muted">Signed in as ${viewer.name}${viewer.isAdmin ? " (admin)" : ""} <button>Sign out</button></form>`;
}

export function dashboardPage(o: {
  viewer: Viewer;
  report: InsightsReport;
  list: { lines: IncidentLine[]; total: number; hidden: number };
  query: { since: string; until: string; severity: string[]; component: string };
  page: { number: number; size: number };
}): string {
  const r = o.report;
  const q = o.query;
  const tiles: [string, string][] = [
    ["Incidents", r.incidents.toLocaleString("en-US")],
    ["Median time to mitigate", formatDuration(r.durations.toMitigate.medianS)],
    ["Median time to resolve", formatDuration(r.durations.toResolve.medianS)],
    ["Customer-minutes", Math.round(r.blastRadius.customerMinutes).toLocaleString("en-US")],
    ["Post-mortems on time", percent(r.postmortems.onTimeRate)],
    ["Follow-ups done", percent(r.followUps.completionRate)],
  ];
  const link = (n: number) => {
    const p = new URLSearchParams({
      since: q.since,
      until: q.until,
      ...(q.component ? { component: q.component } : {}),
    });
    for (const s of q.severity) p.append("severity", s);
    p.set("page", String(n));
    return `/insights?${p.toString()}`;
  };
  const pages = Math.max(1, Math.ceil(o.list.total / o.page.size));
  const body = html`
<header class="top"><h1>Incident insights</h1>${signedInAs(o.viewer)}</header>
<form class="filters" method="get" action="/insights">
  <label>From <input type="date" name="since" value="${q.since}" required></label>
  <label>Before <input type="date" name="until" value="${q.until}" required></label>
  <fieldset><legend class="muted">Severity</legend>${REPORT_SEVERITIES.map(
    (s) =>
      html`<label><input type="checkbox" name="severity" value="${s}"${q.severity.includes(s) ? html` checked` : ""}> ${s}</label>`,
  )}</fieldset>
  <label>Component <input type="text" name="component" value="${q.component}" maxlength="80"></label>
  <button>Show</button>
</form>
<p class="muted">Incidents declared from ${isoDay(r.since)} up to (not including) ${isoDay(r.until)} (not counting those found not to be incidents). Durations run from when the impact started; medians and p90 are nearest-rank.</p>
<section class="tiles">${tiles.map(([k, v]) => html`<div class="tile"><span class="muted">${k}</span><b>${v}</b></div>`)}</section>

<h2>Incidents per week by severity</h2>
${incidentsPerWeekChart(r.weeks)}
<h2>Time to mitigate and to resolve</h2>
${durationTrendChart(r.weeks)}
<h2>Blast radius</h2>
${blastRadiusChart(r.weeks)}
<p class="muted">${r.blastRadius.withCustomers.toLocaleString("en-US")} incidents recorded how many customers were affected (largest: ${r.blastRadius.maxCustomers?.toLocaleString("en-US") ?? "—"}); ${r.blastRadius.multiComponent.toLocaleString("en-US")} touched several components, ${r.blastRadius.multiRegion.toLocaleString("en-US")} several regions. Unavailability ${r.byImpactKind.unavailability}, degraded performance ${r.byImpactKind.degradedPerformance}, data ${r.byImpactKind.data}.</p>
<h2>Top components</h2>
${topComponentsChart(r.components)}
<h2>On-time post-mortems</h2>
${onTimePostmortemsChart(r.postmortems)}
<p class="muted">${r.postmortems.completed} of ${r.postmortems.required - r.postmortems.waived} owed post-mortems complete (${percent(r.postmortems.completionRate)}), ${r.postmortems.waived} waived. ${r.handoffs.total} hand-offs (${r.handoffs.perIncident?.toFixed(2) ?? "—"} per incident); ${r.reopened} reopened; ${r.severityChanges} severity changes.</p>

<h2>Durations</h2>
<div class="scroll"><table><thead><tr><th></th><th class="num">Median</th><th class="num">p90</th><th class="num">Incidents</th></tr></thead><tbody>
${DURATIONS.map((k) => html`<tr><td>${DURATION_LABELS[k]}</td><td class="num">${formatDuration(r.durations[k].medianS)}</td><td class="num">${formatDuration(r.durations[k].p90S)}</td><td class="num">${r.durations[k].n}</td></tr>`)}
</tbody></table></div>

<h2>Incidents</h2>
<p class="muted">${o.list.total.toLocaleString("en-US")} you can open${o.list.hidden ? html`; ${o.list.hidden} private incidents are shown only to their responders and admins` : ""}.</p>
<div class="scroll"><table><thead><tr><th>Incident</th><th>Severity</th><th>Status</th><th>Declared</th><th class="num">To mitigate</th><th class="num">To resolve</th><th class="num">Customers</th></tr></thead><tbody>
${o.list.lines.map(
  (l) =>
    html`<tr><td><a href="/insights/incidents/${l.key}">${l.key}</a> ${l.title}${l.private ? html` <span class="muted">(private)</span>` : ""}</td><td><span class="sev" style="background:${SEVERITY_COLOURS[l.severity]}"></span>${l.severity}</td><td>${l.status}${l.reopens ? " (reopened)" : ""}</td><td>${isoDay(l.declaredAt)}</td><td class="num">${formatDuration(l.toMitigateS)}</td><td class="num">${formatDuration(l.toResolveS)}</td><td class="num">${l.customers ?? "—"}</td></tr>`,
)}
</tbody></table></div>
<p>${o.page.number > 1 ? html`<a href="${link(o.page.number - 1)}">← newer</a> ` : ""}<span class="muted">page ${o.page.number} of ${pages}</span>${o.page.number < pages ? html` <a href="${link(o.page.number + 1)}">older →</a>` : ""}</p>`;
  return page({ title: "Incident insights — muster", css: CSS, body });
}

/** Event data in one line: a few known fields in words, the rest as compact JSON. */
function describe(data: Record<string, unknown>): string {
  const s = JSON.stringify(data);
  return s === "{}" ? "" : s.length > 600 ? `${s.slice(0, 600)}…` : s;
}

export function incidentPage(o: {
  viewer: Viewer;
  record: IncidentRecord;
  metrics: IncidentMetrics;
  now: Date;
}): string {
  const { incident, timeline } = o.record;
  const m = o.metrics;
  const t = incident.times;
  const durations: [string, number | null][] = [
    ["Time to detect", m.toDetectS],
    ["Time to declare", m.toDeclareS],
    ["Time to mitigate (first mitigation)", m.toMitigateS],
    ["Time to resolve", m.toResolveS],
    ["Time to first status update (from declaring)", m.toFirstUpdateS],
  ];
  const kinds = [
    m.impactKinds.unavailability ? "unavailability" : null,
    m.impactKinds.degradedPerformance ? "degraded performance (latency)" : null,
    m.impactKinds.data ? "data" : null,
  ].filter(Boolean);
  const body = html`
<header class="top"><p><a href="/insights">← Insights</a></p>${signedInAs(o.viewer)}</header>
<h1>${incident.key}: ${incident.title}</h1>
<p><span class="sev" style="background:${SEVERITY_COLOURS[incident.severity]}"></span>${incident.severity} · ${incident.status}${incident.private ? " · private" : ""}${m.reopens ? ` · reopened ${m.reopens}×` : ""}</p>
<h2>Times</h2>
<table><tbody>
<tr><td>Impact started</td><td>${when(t.impactStartedAt)}</td></tr>
<tr><td>Detected</td><td>${when(t.detectedAt)}</td></tr>
<tr><td>Declared</td><td>${when(t.declaredAt)}</td></tr>
<tr><td>Mitigated</td><td>${when(t.mitigatedAt)}</td></tr>
<tr><td>Resolved</td><td>${when(t.resolvedAt)}</td></tr>
<tr><td>Closed</td><td>${when(t.closedAt)}</td></tr>
${durations.map(([k, v]) => html`<tr><td>${k}</td><td>${formatDuration(v)}</td></tr>`)}
</tbody></table>
<h2>Impact</h2>
<ul>
${m.impact.intervals.map((iv) => html`<li>${when(iv.start)} → ${iv.end ? when(iv.end) : "ongoing"}</li>`)}
</ul>
<p>Kind: ${kinds.length ? kinds.join(", ") : "not recorded"}. Customers affected: ${m.blastRadius.customers ?? "not known"}. Components: ${m.blastRadius.components.join(", ") || "—"}. Regions: ${m.blastRadius.regions.join(", ") || "—"}.</p>
<h2>Severity</h2>
<p>Declared ${m.severity.initial}, now ${m.severity.current}.</p>
${m.severity.changes.length ? html`<ul>${m.severity.changes.map((c) => html`<li>${when(c.at)}: ${c.from} → ${c.to}</li>`)}</ul>` : ""}
<h2>Follow-through</h2>
<p>Post-mortem: ${m.postmortem.required ? `owed, ${m.postmortem.status}` : `not owed (${m.postmortem.status})`}${m.postmortem.dueAt ? `, due ${when(m.postmortem.dueAt)}` : ""}${m.postmortem.completedOnTime === null ? "" : m.postmortem.completedOnTime ? ", completed on time" : ", completed late"}. Follow-ups: ${m.followUps.done} of ${m.followUps.total} done. Hand-offs: ${m.handoffs}.</p>
<h2>Timeline (${timeline.length} events)</h2>
<div class="scroll"><table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Details</th></tr></thead><tbody>
${timeline.map((e) => html`<tr><td>${when(e.at)}</td><td>${e.actorId}</td><td>${e.kind}${e.visibility === "public" ? " (public)" : ""}</td><td class="data">${describe(e.data)}</td></tr>`)}
</tbody></table></div>`;
  return page({ title: `${incident.key} — muster insights`, css: CSS, body });
}

export function refusalPage(o: { status: number; message: string; signIn: boolean }): string {
  const body = html`<h1>${o.status === 401 ? "Sign in to see incident insights" : "Incident insights"}</h1>
<p>${o.message}</p>
${o.signIn ? html`<p><a href="/insights/login">Sign in with Slack</a></p>` : html`<p class="muted">Ask whoever runs muster for access.</p>`}`;
  return page({ title: "Sign in — muster insights", css: CSS, body });
}
