// Statuspage's public API (v2) shapes, built from the public model only:
// /api/v2/summary.json, status.json, components.json, incidents.json and
// incidents/unresolved.json, so widgets and monitors written for Statuspage
// read muster unchanged. Fields Statuspage has and muster does not (tweets,
// maintenance, component groups) carry Statuspage's empty values.
import { createHash } from "node:crypto";
import type { ComponentView, PublicIncident, StatusView } from "./model.js";

export interface PageInfo {
  name: string;
  /** The public base URL, without a trailing slash. */
  url: string;
}

/** Stable ids derived from public words: a component has no row of its own. */
const idOf = (kind: string, s: string) => createHash("sha256").update(`${kind}:${s}`).digest("hex").slice(0, 12);

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function page(p: PageInfo, view: StatusView) {
  return {
    id: idOf("page", p.name),
    name: p.name,
    url: p.url,
    time_zone: "Etc/UTC",
    updated_at: view.updatedAt.toISOString(),
  };
}

function component(p: PageInfo, c: ComponentView, position: number, since: Date) {
  // A component has no row of its own: it exists on the page since the window's start.
  return {
    id: idOf("component", c.name),
    name: c.name,
    status: c.status,
    created_at: since.toISOString(),
    updated_at: since.toISOString(),
    position,
    description: null,
    showcase: true,
    start_date: null,
    group_id: null,
    page_id: idOf("page", p.name),
    group: false,
    only_show_if_degraded: false,
  };
}

function incident(p: PageInfo, i: PublicIncident) {
  const pageId = idOf("page", p.name);
  const affected = i.components.map((name) => ({
    code: idOf("component", name),
    name,
    old_status: "operational",
    new_status: i.componentStatus,
  }));
  return {
    id: i.id,
    name: i.name,
    status: i.status,
    created_at: i.createdAt.toISOString(),
    updated_at: i.updatedAt.toISOString(),
    monitoring_at: iso(i.monitoringAt),
    resolved_at: iso(i.resolvedAt),
    impact: i.impact,
    shortlink: `${p.url}/status/incidents/${i.id}`,
    started_at: i.startedAt.toISOString(),
    page_id: pageId,
    // Newest first, as Statuspage lists them.
    incident_updates: [...i.updates].reverse().map((u) => ({
      id: u.id,
      status: u.status,
      body: u.body,
      incident_id: i.id,
      created_at: u.at.toISOString(),
      updated_at: u.at.toISOString(),
      display_at: u.at.toISOString(),
      affected_components: affected,
      deliver_notifications: false,
      custom_tweet: null,
      tweet_id: null,
    })),
    components: i.components.map((name, n) => ({
      id: idOf("component", name),
      name,
      status: i.componentStatus,
      created_at: i.createdAt.toISOString(),
      updated_at: i.updatedAt.toISOString(),
      position: n + 1,
      description: null,
      showcase: true,
      start_date: null,
      group_id: null,
      page_id: pageId,
      group: false,
      only_show_if_degraded: false,
    })),
  };
}

const status = (v: StatusView) => ({ indicator: v.indicator, description: v.description });
const components = (p: PageInfo, v: StatusView) => v.components.map((c, n) => component(p, c, n + 1, v.windowStart));
const byNewest = (xs: PublicIncident[]) => [...xs].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());

export const statuspage = {
  summary: (p: PageInfo, v: StatusView) => ({
    page: page(p, v),
    components: components(p, v),
    incidents: byNewest(v.open).map((i) => incident(p, i)),
    scheduled_maintenances: [],
    status: status(v),
  }),
  status: (p: PageInfo, v: StatusView) => ({ page: page(p, v), status: status(v) }),
  components: (p: PageInfo, v: StatusView) => ({ page: page(p, v), components: components(p, v) }),
  /** The 50 most recent, as Statuspage's incidents.json. */
  incidents: (p: PageInfo, v: StatusView, all: PublicIncident[]) => ({
    page: page(p, v),
    incidents: byNewest(all)
      .slice(0, 50)
      .map((i) => incident(p, i)),
  }),
  unresolved: (p: PageInfo, v: StatusView) => ({
    page: page(p, v),
    incidents: byNewest(v.open).map((i) => incident(p, i)),
  }),
};
