// Charts as server-side SVG: no script in the page, nothing to download, one
// request per page, and they print. A charting library would bring a client
// bundle for five simple shapes (stacked bars, lines, horizontal bars); these
// functions are small, pure and tested by their output. Every label passes
// through html`` (escaped); numbers are formatted here. Colours come from the
// page's CSS variables, so dark mode follows.
import type { Severity } from "../../incidents/model.js";
import type { InsightsReport, WeekRow } from "../../insights/report.js";
import { type Html, html, raw } from "../html.js";

export const SEVERITY_COLOURS: Record<Severity, string> = {
  critical: "var(--crit)",
  high: "var(--major)",
  medium: "var(--minor)",
  low: "#4c8bf5",
  unclassified: "var(--none)",
};
const STACK_ORDER: Severity[] = ["critical", "high", "medium", "low", "unclassified"];

const W = 720;
const H = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };

const f1 = (n: number) => (Math.round(n * 10) / 10).toString();

/** A round upper bound for an axis: 1, 2, 5 × 10^k. */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const compact = (n: number) =>
  n >= 1e9 ? `${f1(n / 1e9)}G` : n >= 1e6 ? `${f1(n / 1e6)}M` : n >= 1e3 ? `${f1(n / 1e3)}k` : String(Math.round(n));

const minutesLabel = (s: number) => (s >= 7200 ? `${f1(s / 3600)} h` : `${f1(s / 60)} min`);

function frame(title: string, body: Html, yMax: number, yLabel: (v: number) => string, xLabels: Html): Html {
  const ticks = [0, 0.5, 1].map((t) => {
    const y = PAD.top + (1 - t) * (H - PAD.top - PAD.bottom);
    return html`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${f1(y)}" y2="${f1(y)}" class="grid"/><text x="${PAD.left - 6}" y="${f1(y + 4)}" text-anchor="end">${yLabel(t * yMax)}</text>`;
  });
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}" xmlns="http://www.w3.org/2000/svg"><title>${title}</title>${ticks}${body}${xLabels}</svg>`;
}

/** Every `step`-th week's date under the x axis (a year of weeks does not fit otherwise). */
function weekLabels(weeks: readonly WeekRow[], x: (i: number) => number): Html {
  const step = Math.max(1, Math.ceil(weeks.length / 8));
  return html`${weeks.map((w, i) =>
    i % step === 0 ? html`<text x="${f1(x(i))}" y="${H - 8}" text-anchor="middle">${w.week.slice(5)}</text>` : "",
  )}`;
}

export function incidentsPerWeekChart(weeks: readonly WeekRow[]): Html {
  if (!weeks.length) return empty("Incidents per week by severity");
  const totals = weeks.map((w) => STACK_ORDER.reduce((a, s) => a + w.bySeverity[s], 0));
  const yMax = niceMax(Math.max(...totals));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const bw = plotW / weeks.length;
  const x = (i: number) => PAD.left + bw * (i + 0.5);
  const bars = weeks.map((w, i) => {
    let y = PAD.top + plotH;
    return STACK_ORDER.map((s) => {
      const n = w.bySeverity[s];
      if (!n) return "";
      const h = (n / yMax) * plotH;
      y -= h;
      return html`<rect x="${f1(PAD.left + bw * i + bw * 0.1)}" y="${f1(y)}" width="${f1(bw * 0.8)}" height="${f1(h)}" fill="${raw(SEVERITY_COLOURS[s])}"><title>${w.week}: ${n} ${s}</title></rect>`;
    });
  });
  return html`${frame("Incidents per week by severity", html`${bars}`, yMax, f1, weekLabels(weeks, x))}${legend(STACK_ORDER.map((s) => [s, SEVERITY_COLOURS[s]]))}`;
}

export function durationTrendChart(weeks: readonly WeekRow[]): Html {
  const values = weeks.flatMap((w) => [w.medianToMitigateS ?? 0, w.medianToResolveS ?? 0]);
  if (!weeks.length || Math.max(...values) === 0) return empty("Time to mitigate and to resolve, weekly median");
  // A round number of minutes (or hours) at the top, not of seconds.
  const top = Math.max(...values);
  const yMax = top >= 7200 ? niceMax(top / 3600) * 3600 : niceMax(top / 60) * 60;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (weeks.length === 1 ? plotW / 2 : (plotW * i) / (weeks.length - 1));
  const y = (v: number) => PAD.top + (1 - v / yMax) * plotH;
  const line = (key: "medianToMitigateS" | "medianToResolveS", colour: string, label: string) => {
    const pts = weeks
      .map((w, i) => (w[key] === null ? null : `${f1(x(i))},${f1(y(w[key] as number))}`))
      .filter((p): p is string => p !== null);
    const dots = weeks.map((w, i) =>
      w[key] === null
        ? ""
        : html`<circle cx="${f1(x(i))}" cy="${f1(y(w[key] as number))}" r="2.5" fill="${raw(colour)}"><title>${w.week}: ${label} ${minutesLabel(w[key] as number)}</title></circle>`,
    );
    return html`<polyline points="${pts.join(" ")}" fill="none" stroke="${raw(colour)}" stroke-width="2"/>${dots}`;
  };
  return html`${frame(
    "Time to mitigate and to resolve, weekly median",
    html`${line("medianToMitigateS", "var(--major)", "mitigate")}${line("medianToResolveS", "#4c8bf5", "resolve")}`,
    yMax,
    minutesLabel,
    weekLabels(weeks, x),
  )}${legend([
    ["median time to mitigate", "var(--major)"],
    ["median time to resolve", "#4c8bf5"],
  ])}`;
}

export function blastRadiusChart(weeks: readonly WeekRow[]): Html {
  if (!weeks.length || weeks.every((w) => w.customerMinutes === 0)) return empty("Customer-minutes affected per week");
  const yMax = niceMax(Math.max(...weeks.map((w) => w.customerMinutes)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const bw = plotW / weeks.length;
  const x = (i: number) => PAD.left + bw * (i + 0.5);
  const bars = weeks.map((w, i) => {
    const h = (w.customerMinutes / yMax) * plotH;
    return html`<rect x="${f1(PAD.left + bw * i + bw * 0.1)}" y="${f1(PAD.top + plotH - h)}" width="${f1(bw * 0.8)}" height="${f1(h)}" fill="var(--crit)" opacity=".75"><title>${w.week}: ${Math.round(w.customerMinutes).toLocaleString("en-US")} customer-minutes</title></rect>`;
  });
  return frame("Customer-minutes affected per week", html`${bars}`, yMax, compact, weekLabels(weeks, x));
}

/** Horizontal bars, largest first: incidents per component. */
export function topComponentsChart(components: InsightsReport["components"], limit = 10): Html {
  const top = components.slice(0, limit);
  if (!top.length) return empty("Top components");
  const rowH = 24;
  const h = top.length * rowH + 8;
  const labelW = 150;
  const max = Math.max(...top.map((c) => c.incidents));
  const bars = top.map((c, i) => {
    const w = ((W - labelW - 60) * c.incidents) / max;
    const y = 4 + i * rowH;
    return html`<text x="${labelW - 8}" y="${y + 16}" text-anchor="end">${c.component.slice(0, 24)}</text><rect x="${labelW}" y="${y + 4}" width="${f1(Math.max(w, 1))}" height="${rowH - 8}" fill="#4c8bf5"/><text x="${f1(labelW + w + 6)}" y="${y + 16}">${c.incidents}</text>`;
  });
  return html`<svg class="chart" viewBox="0 0 ${W} ${h}" role="img" aria-label="Top components" xmlns="http://www.w3.org/2000/svg"><title>Top components</title>${bars}</svg>`;
}

/** One bar split into on time, late and not yet due, for post-mortems owed in the period. */
export function onTimePostmortemsChart(pm: InsightsReport["postmortems"]): Html {
  const late = pm.judged - pm.onTime;
  const pending = Math.max(0, pm.required - pm.waived - pm.judged);
  const total = pm.onTime + late + pending;
  if (!total) return empty("On-time post-mortems");
  const parts: [string, number, string][] = [
    ["on time", pm.onTime, "var(--ok)"],
    ["late or overdue", late, "var(--crit)"],
    ["not yet due", pending, "var(--none)"],
  ];
  const barW = W - 24;
  let x = 12;
  const rects = parts.map(([label, n, colour]) => {
    const w = (barW * n) / total;
    const r = html`<rect x="${f1(x)}" y="8" width="${f1(w)}" height="36" fill="${raw(colour)}"><title>${n} ${label}</title></rect>`;
    x += w;
    return r;
  });
  return html`<svg class="chart" viewBox="0 0 ${W} 52" role="img" aria-label="On-time post-mortems" xmlns="http://www.w3.org/2000/svg"><title>On-time post-mortems</title>${rects}</svg>${legend(parts.map(([l, n, c]) => [`${l}: ${n}`, c]))}`;
}

function legend(items: [string, string][]): Html {
  return html`<p class="legend">${items.map(([label, colour]) => html`<span><i style="background:${raw(colour)}"></i>${label}</span>`)}</p>`;
}

const empty = (title: string) => html`<p class="muted">${title}: nothing in this period.</p>`;

export const CHART_CSS = `
.chart{width:100%;height:auto;font:11px system-ui,sans-serif;fill:var(--fg)}
.chart .grid{stroke:var(--line);stroke-width:1}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1rem;font-size:.85rem;margin:.3rem 0 0}
.legend i{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:-1px}
`;
