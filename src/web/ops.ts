// Operations endpoints: /healthz (the process answers), /readyz (this process
// can do its work: database, schema, worker) and /metrics (Prometheus).
import type { WorkerState } from "../jobs/worker.js";
import type { OpsStore } from "../store/ops-store.js";
import type { Metrics } from "./metrics.js";
import type { RouteTable, WebResponse } from "./server.js";

export interface OpsDeps {
  ops: Pick<OpsStore, "ping" | "pendingMigrations">;
  worker: () => WorkerState;
  metrics: Metrics;
  /** How long the database may take to answer before the process counts as not ready. */
  timeoutMs?: number;
}

/** Claims failing this many times in a row: the worker is alive but cannot reach its jobs. */
const CLAIM_FAILURES_NOT_READY = 3;

const plain = (status: number, body: string): WebResponse => ({
  status,
  // Probes want the truth now, never a cached answer.
  headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  body,
});

function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

/** Each check: null when it holds, else the reason in words. */
export async function readiness(deps: OpsDeps): Promise<{ name: string; problem: string | null }[]> {
  const timeoutMs = deps.timeoutMs ?? 2_000;
  const database = await within(timeoutMs, deps.ops.ping()).then(
    () => null,
    (e: unknown) =>
      `unreachable (${(e as Error)?.message?.startsWith("no answer") ? (e as Error).message : ((e as Error)?.name ?? "error")})`,
  );
  let migrations: string | null = "not checked: the database is unreachable";
  if (database === null) {
    migrations = await within(timeoutMs, deps.ops.pendingMigrations()).then(
      (pending) => (pending.length ? `${pending.length} not applied (${pending.join(", ")})` : null),
      () => "could not read the applied migrations",
    );
  }
  const w = deps.worker();
  const worker = !w.running
    ? "not running"
    : w.claimFailures >= CLAIM_FAILURES_NOT_READY
      ? `cannot claim jobs (${w.claimFailures} failures in a row)`
      : null;
  return [
    { name: "database", problem: database },
    { name: "migrations", problem: migrations },
    { name: "worker", problem: worker },
  ];
}

export function registerOpsRoutes(routes: RouteTable, deps: OpsDeps): void {
  routes.add({ method: "GET", path: "/healthz", handle: () => plain(200, "ok\n") });
  routes.add({
    method: "GET",
    path: "/readyz",
    handle: async () => {
      const checks = await readiness(deps);
      const ready = checks.every((c) => c.problem === null);
      const lines = checks.map((c) => `${c.name}: ${c.problem ?? "ok"}`).join("\n");
      return plain(ready ? 200 : 503, `${ready ? "ready" : "not ready"}\n${lines}\n`);
    },
  });
  routes.add({
    method: "GET",
    path: "/metrics",
    handle: async () => ({
      status: 200,
      headers: { "content-type": deps.metrics.contentType, "cache-control": "no-store" },
      body: await deps.metrics.render(),
    }),
  });
}
