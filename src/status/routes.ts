// The public status page's routes. Every payload is built from the public
// model (model.ts), which is built from the public store's allow-listed
// selection: nothing else is in reach here.
import type { PublicStore, PublishedIncidentRow } from "../store/public-store.js";
import { htmlResponse } from "../web/html.js";
import { cacheable } from "../web/http.js";
import type { RouteTable, WebRequest } from "../web/server.js";
import { atomFeed, rssFeed } from "./feed.js";
import { type PublicIncident, type ScopeBand, statusView, toPublicIncident, WINDOW_DAYS } from "./model.js";
import { historyPage, incidentPage, notFoundPage, statusPage } from "./pages.js";
import { type PageInfo, statuspage } from "./statuspage.js";

export interface StatusRoutesDeps {
  store: PublicStore;
  page: PageInfo;
  components: readonly string[];
  scopeBands: readonly ScopeBand[];
  clock: () => Date;
}

const JSON_TYPE = "application/json; charset=utf-8";

export function registerStatusRoutes(routes: RouteTable, deps: StatusRoutesDeps): void {
  const toPublic = (rows: PublishedIncidentRow[]) => rows.map((r) => toPublicIncident(r, deps.scopeBands));
  /** The window's incidents without their updates (bars and history need times only), and the open ones with. */
  async function load() {
    const now = deps.clock();
    const since = new Date(now.getTime() - WINDOW_DAYS * 24 * 60 * 60_000);
    const incidents = toPublic(await deps.store.published(since));
    const light = statusView(incidents, { components: deps.components, now });
    const open = toPublic(await deps.store.withUpdates(light.open.map((i) => i.id)));
    const view = { ...light, open: light.open.map((i) => open.find((o) => o.id === i.id) ?? i) };
    return { now, since, incidents, view };
  }
  /** The 50 newest in the window, with their updates (incidents.json and the feeds). */
  async function newest(incidents: PublicIncident[]) {
    const ids = [...incidents]
      .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
      .slice(0, 50)
      .map((i) => i.id);
    return toPublic(await deps.store.withUpdates(ids));
  }
  const json = (r: WebRequest, body: unknown) =>
    cacheable(r.req, { body: JSON.stringify(body), contentType: JSON_TYPE });
  const api = (path: string, build: (l: Awaited<ReturnType<typeof load>>) => unknown) =>
    routes.add({ method: "GET", path: `/api/v2/${path}`, handle: async (r) => json(r, build(await load())) });

  routes.add({
    method: "GET",
    path: "/status",
    handle: async (r) => {
      const { view, now } = await load();
      return cacheable(r.req, {
        body: statusPage({ name: deps.page.name, view, now }),
        contentType: "text/html; charset=utf-8",
      });
    },
  });
  routes.add({
    method: "GET",
    path: "/status/history",
    handle: async (r) => {
      const { view, now } = await load();
      return cacheable(r.req, {
        body: historyPage({ name: deps.page.name, view, now }),
        contentType: "text/html; charset=utf-8",
      });
    },
  });
  routes.add({
    method: "GET",
    path: "/status/incidents/:id",
    handle: async (r) => {
      const row = await deps.store.byPublicId(r.params.id ?? "");
      if (!row) return htmlResponse(404, notFoundPage(deps.page.name));
      const incident = toPublicIncident(row, deps.scopeBands);
      return cacheable(r.req, {
        body: incidentPage({ name: deps.page.name, incident, now: deps.clock() }),
        contentType: "text/html; charset=utf-8",
      });
    },
  });
  api("summary.json", (l) => statuspage.summary(deps.page, l.view));
  api("status.json", (l) => statuspage.status(deps.page, l.view));
  api("components.json", (l) => statuspage.components(deps.page, l.view));
  routes.add({
    method: "GET",
    path: "/api/v2/incidents.json",
    handle: async (r) => {
      const l = await load();
      return json(r, statuspage.incidents(deps.page, l.view, await newest(l.incidents)));
    },
  });
  api("incidents/unresolved.json", (l) => statuspage.unresolved(deps.page, l.view));
  const feed = (path: string, contentType: string, render: typeof atomFeed) =>
    routes.add({
      method: "GET",
      path,
      handle: async (r) => {
        const { incidents, view } = await load();
        return cacheable(r.req, { body: render(deps.page, await newest(incidents), view.updatedAt), contentType });
      },
    });
  feed("/history.atom", "application/atom+xml; charset=utf-8", atomFeed);
  feed("/history.rss", "application/rss+xml; charset=utf-8", rssFeed);
}
