// /insights: the aggregates with charts and the drill-down to each incident,
// for people signed in with Slack (or a headless client with the shared
// token). Registered into the one route table (web/modules.ts).
import { AppError } from "../../errors.js";
import { normalizeKey } from "../../incidents/context.js";
import type { Severity } from "../../incidents/model.js";
import type { IncidentStore } from "../../incidents/ports.js";
import { type MeasurePolicy, measureIncident } from "../../insights/measure.js";
import { type InsightsStore, maySee, periodOf, REPORT_SEVERITIES } from "../../insights/report.js";
import { htmlResponse } from "../html.js";
import type { RouteTable, WebRequest, WebResponse } from "../server.js";
import { type InsightsAuth, SignInProblem, type Viewer } from "./auth.js";
import { dashboardPage, incidentPage, refusalPage } from "./pages.js";

export interface InsightsDeps {
  auth: InsightsAuth;
  insights: InsightsStore;
  store: Pick<IncidentStore, "loadIncident">;
  policy: MeasurePolicy;
  clock: () => Date;
}

const PAGE_SIZE = 50;
const DAY = 86_400_000;
const MINUTE = 60_000;
// Numbers about confidential incidents: never cached by a browser or a proxy.
const PRIVATE = { "cache-control": "private, no-store" };

const refuse = (deps: InsightsDeps, status: number, message: string): WebResponse =>
  htmlResponse(status, refusalPage({ status, message, signIn: deps.auth.canSignIn() }), {
    ...PRIVATE,
    ...(status === 401 ? { "www-authenticate": 'Bearer realm="muster insights"' } : {}),
  });

export function registerInsightsRoutes(routes: RouteTable, deps: InsightsDeps): void {
  const signedIn = (r: WebRequest): Viewer | WebResponse =>
    deps.auth.viewer(r.req) ??
    refuse(
      deps,
      401,
      deps.auth.canSignIn()
        ? "Insights are internal: sign in with Slack to see them."
        : "Insights are internal. Sign in with Slack is not set up here; a headless client needs the shared token.",
    );

  routes.add({
    method: "GET",
    path: "/insights",
    async handle(r) {
      const viewer = signedIn(r);
      if ("status" in viewer) return viewer;
      const now = deps.clock();
      const sp = r.url.searchParams;
      let period: { since: Date; until: Date };
      try {
        // Default: the year up to the end of today (until is exclusive).
        const tomorrow = new Date(Math.floor(now.getTime() / DAY) * DAY + DAY).toISOString().slice(0, 10);
        period = periodOf({ since: sp.get("since") || undefined, until: sp.get("until") || tomorrow }, now, {
          defaultDays: 365,
          names: ["From", "Before"],
        });
      } catch (e) {
        if (e instanceof AppError) return refuseQuery(e.message);
        throw e;
      }
      const severity = sp.getAll("severity").filter((s): s is Severity => REPORT_SEVERITIES.includes(s as Severity));
      const component = (sp.get("component") ?? "").trim().slice(0, 80);
      const pageNo = Math.min(10_000, Math.max(1, Number.parseInt(sp.get("page") ?? "1", 10) || 1));
      const filter = { ...period, ...(severity.length ? { severity } : {}), ...(component ? { component } : {}) };
      // The figures as of the minute: repeated views within it are the store's cached report
      // (ongoing impact is counted until `now`, so an exact time would never repeat).
      const report = await deps.insights.report(filter, new Date(Math.floor(now.getTime() / MINUTE) * MINUTE));
      const list = await deps.insights.incidents(filter, viewer, {
        limit: PAGE_SIZE,
        offset: (pageNo - 1) * PAGE_SIZE,
      });
      return htmlResponse(
        200,
        dashboardPage({
          viewer,
          report,
          list,
          query: {
            since: period.since.toISOString().slice(0, 10),
            until: period.until.toISOString().slice(0, 10),
            severity,
            component,
          },
          page: { number: pageNo, size: PAGE_SIZE },
        }),
        PRIVATE,
      );
    },
  });

  const refuseQuery = (message: string) =>
    htmlResponse(400, refusalPage({ status: 400, message, signIn: false }), PRIVATE);

  routes.add({
    method: "GET",
    path: "/insights/incidents/:key",
    async handle(r) {
      const viewer = signedIn(r);
      if ("status" in viewer) return viewer;
      const key = normalizeKey(r.params.key ?? "");
      const record = key ? await deps.store.loadIncident(key) : null;
      // A private incident the viewer may not see answers like one that does not exist.
      if (
        !record ||
        !maySee(
          viewer,
          record.incident,
          record.roles.map((x) => x.userId),
        )
      )
        return htmlResponse(
          404,
          refusalPage({ status: 404, message: "There is no such incident.", signIn: false }),
          PRIVATE,
        );
      const metrics = measureIncident(
        {
          incident: record.incident,
          events: record.timeline,
          postmortem: record.postmortem,
          followUps: {
            total: record.followUps.length,
            done: record.followUps.filter((f) => f.status === "done").length,
          },
        },
        deps.policy,
      );
      return htmlResponse(200, incidentPage({ viewer, record, metrics, now: deps.clock() }), PRIVATE);
    },
  });

  routes.add({
    method: "GET",
    path: "/insights/login",
    async handle(r) {
      if (!deps.auth.canSignIn())
        return refuse(deps, 503, "Sign in with Slack is not set up on this muster (SLACK_CLIENT_ID and friends).");
      const { location, setCookie } = await deps.auth.start(r.url.searchParams.get("back") ?? "/insights");
      return { status: 302, headers: { location, "set-cookie": setCookie, ...PRIVATE } };
    },
  });

  routes.add({
    method: "GET",
    path: "/insights/auth/callback",
    async handle(r) {
      if (!deps.auth.canSignIn()) return refuse(deps, 503, "Sign in with Slack is not set up on this muster.");
      try {
        const done = await deps.auth.finish(r.req, r.url);
        // Two cookies: written here, as WebResponse headers hold one value per name.
        r.res.writeHead(302, { location: done.location, "set-cookie": done.setCookies, ...PRIVATE });
        r.res.end();
        return undefined;
      } catch (e) {
        if (e instanceof SignInProblem) return refuse(deps, e.status, e.message);
        throw e;
      }
    },
  });

  routes.add({
    method: "POST",
    path: "/insights/logout",
    handle: () => ({
      status: 303,
      headers: { location: "/insights", "set-cookie": deps.auth.signOutCookie(), ...PRIVATE },
    }),
  });
}
