// The public status page's routes. Every payload is built from the public
// model (model.ts), which is built from the public store's allow-listed
// selection: nothing else is in reach here.
import type { PublicStore } from "../store/public-store.js";
import { htmlResponse } from "../web/html.js";
import { cacheable } from "../web/http.js";
import type { RouteTable, WebRequest } from "../web/server.js";
import { atomFeed, rssFeed } from "./feed.js";
import { type ScopeBand, statusView, toPublicIncident, WINDOW_DAYS } from "./model.js";
import { incidentPage, notFoundPage, statusPage } from "./pages.js";
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
  async function load() {
    const now = deps.clock();
    const since = new Date(now.getTime() - WINDOW_DAYS * 24 * 60 * 60_000);
    const incidents = (await deps.store.published(since)).map((r) => toPublicIncident(r, deps.scopeBands));
    const view = statusView(incidents, { components: deps.components, now });
    return { now, since, incidents, view };
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
  api("incidents.json", (l) => statuspage.incidents(deps.page, l.view, l.incidents));
  api("incidents/unresolved.json", (l) => statuspage.unresolved(deps.page, l.view));
  const feed = (path: string, contentType: string, render: typeof atomFeed) =>
    routes.add({
      method: "GET",
      path,
      handle: async (r) => {
        const { incidents, view } = await load();
        return cacheable(r.req, { body: render(deps.page, incidents, view.updatedAt), contentType });
      },
    });
  feed("/history.atom", "application/atom+xml; charset=utf-8", atomFeed);
  feed("/history.rss", "application/rss+xml; charset=utf-8", rssFeed);
}
