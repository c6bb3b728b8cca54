// Everything served over HTTP besides Slack's own endpoint, as one list: each
// module registers its routes into the one route table (server.ts), with what
// it needs taken from the process's composition. Add a module here.
import type { Core } from "../compose.js";
import type { Worker } from "../jobs/worker.js";
import { registerStatusRoutes } from "../status/routes.js";
import { registerAlertHook } from "./alerts-hook.js";
import { createInsightsAuth } from "./insights/auth.js";
import { registerInsightsRoutes } from "./insights/routes.js";
import type { Metrics } from "./metrics.js";
import { registerOpsRoutes } from "./ops.js";
import { registerReportRoutes, reportFormSecret } from "./report.js";
import type { RouteTable } from "./server.js";

export interface WebContext {
  core: Core;
  worker: Worker;
  metrics: Metrics;
  /** Tells the outbox worker that jobs were just queued. */
  wake: () => void;
}

export type WebModule = (routes: RouteTable, ctx: WebContext) => void;

export const WEB_MODULES: readonly WebModule[] = [
  // The public outage report form (reports from outside Slack).
  (routes, { core, wake, metrics }) =>
    registerReportRoutes(routes, {
      intake: core.intake,
      wake,
      metrics,
      secret: reportFormSecret(core.config),
      minFillMs: core.config.intake.minFillMs,
      trustProxy: core.config.intake.trustProxy,
      clock: core.clock,
    }),
  // Alert ingestion: only when a token or an HMAC secret is configured.
  (routes, { core, wake, metrics }) =>
    registerAlertHook(routes, {
      intake: core.intake,
      wake,
      metrics,
      token: core.config.intake.alertToken,
      hmacSecret: core.config.intake.alertHmacSecret,
      logger: core.logger,
      clock: core.clock,
    }),
  (routes, ctx) =>
    registerOpsRoutes(routes, { ops: ctx.core.ops, worker: () => ctx.worker.state(), metrics: ctx.metrics }),
  // The public status page and its Statuspage-compatible API and feeds.
  (routes, { core }) =>
    registerStatusRoutes(routes, {
      store: core.publicStore,
      page: { name: core.config.statusPage.name, url: core.config.statusPage.publicUrl },
      components: core.config.statusPage.components,
      scopeBands: core.config.statusPage.scopeBands,
      clock: core.clock,
    }),
  (routes, { core }) =>
    registerInsightsRoutes(routes, {
      auth: createInsightsAuth({ ...core.config.insights, admins: core.config.admins }, core.clock),
      insights: core.insights,
      store: core.store,
      policy: {
        postmortem: core.config.company.postmortem,
        deadlineDays: core.config.postmortemReminders.deadlineDays,
      },
      clock: core.clock,
    }),
];

export function registerWebModules(routes: RouteTable, ctx: WebContext): void {
  for (const register of WEB_MODULES) register(routes, ctx);
}
