// Everything served over HTTP besides Slack's own endpoint, as one list: each
// module registers its routes into the one route table (server.ts), with what
// it needs taken from the process's composition. Add a module here.
import type { Core } from "../compose.js";
import type { Worker } from "../jobs/worker.js";
import type { Metrics } from "./metrics.js";
import { registerOpsRoutes } from "./ops.js";
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
  (routes, ctx) =>
    registerOpsRoutes(routes, { ops: ctx.core.ops, worker: () => ctx.worker.state(), metrics: ctx.metrics }),
];

export function registerWebModules(routes: RouteTable, ctx: WebContext): void {
  for (const register of WEB_MODULES) register(routes, ctx);
}
