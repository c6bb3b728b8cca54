// POST /hooks/alerts: monitoring opens triage messages. Prometheus
// Alertmanager's webhook (version 4) or the generic JSON (README, "Alert
// ingestion"). Authenticated by a bearer token (Alertmanager's
// `http_config.authorization`) or an HMAC-SHA256 signature over the body with
// a timestamp (replays older than 5 minutes are refused); both compared in
// constant time. Registered only when ALERT_TOKEN or ALERT_HMAC_SECRET is set.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Logger } from "pino";
import { AppError } from "../errors.js";
import { parseAlerts } from "../intake/alerts.js";
import type { IntakeService } from "../intake/service.js";
import type { Metrics } from "./metrics.js";
import type { RouteTable, WebRequest, WebResponse } from "./server.js";

export const ALERTS_PATH = "/hooks/alerts";
export const SIGNATURE_HEADER = "x-muster-signature";
export const TIMESTAMP_HEADER = "x-muster-timestamp";
const MAX_SKEW_MS = 5 * 60_000;
const BODY_LIMIT = 1024 * 1024;

export interface AlertHookDeps {
  intake: Pick<IntakeService, "receiveAlerts">;
  wake: () => void;
  metrics: Pick<Metrics, "alert">;
  token: string | null;
  hmacSecret: string | null;
  logger: Logger;
  clock: () => Date;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): WebResponse => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  body: `${JSON.stringify(body)}\n`,
});

/** Equal in constant time; comparing digests makes the lengths equal too. */
function same(a: string, b: string): boolean {
  const da = createHash("sha256").update(a).digest();
  const db = createHash("sha256").update(b).digest();
  return timingSafeEqual(da, db);
}

/** The signature a sender computes: hex HMAC-SHA256 of `<timestamp>.<raw body>`. */
export function alertSignature(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex")}`;
}

export function registerAlertHook(routes: RouteTable, deps: AlertHookDeps): void {
  if (!deps.token && !deps.hmacSecret) return;

  function authenticated(r: WebRequest, body: Buffer): boolean {
    const auth = r.req.headers.authorization ?? "";
    if (deps.token && auth.toLowerCase().startsWith("bearer ")) return same(auth.slice(7).trim(), deps.token);
    const signature = r.req.headers[SIGNATURE_HEADER];
    const timestamp = r.req.headers[TIMESTAMP_HEADER];
    if (deps.hmacSecret && typeof signature === "string" && typeof timestamp === "string") {
      const at = Number(timestamp) * 1000;
      if (!Number.isFinite(at) || Math.abs(deps.clock().getTime() - at) > MAX_SKEW_MS) return false;
      return same(signature, alertSignature(deps.hmacSecret, timestamp, body));
    }
    return false;
  }

  routes.add({
    method: "POST",
    path: ALERTS_PATH,
    handle: async (r) => {
      const body = await r.body(BODY_LIMIT);
      if (!authenticated(r, body)) {
        deps.metrics.alert("unauthorized");
        return json(
          401,
          { ok: false, error: "Not authenticated: send the configured bearer token or an HMAC signature." },
          { "www-authenticate": 'Bearer realm="muster alerts"' },
        );
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        deps.metrics.alert("invalid");
        return json(400, { ok: false, error: "The body is not JSON." });
      }
      try {
        const outcomes = await deps.intake.receiveAlerts(parseAlerts(parsed));
        deps.wake();
        for (const o of outcomes) {
          deps.metrics.alert(o.outcome === "new" ? "accepted" : o.outcome === "updated" ? "deduplicated" : "ignored");
          // A new report a rule declared; a repeat names the incident it already had.
          if (o.outcome === "new" && o.declared) deps.metrics.alert("auto_declared");
        }
        deps.logger.info(
          { alerts: outcomes.length, new: outcomes.filter((o) => o.outcome === "new").length },
          "alerts received",
        );
        return json(200, { ok: true, reports: outcomes });
      } catch (e) {
        if (e instanceof AppError && e.code === "validation") {
          deps.metrics.alert("invalid");
          return json(400, { ok: false, error: e.message });
        }
        throw e;
      }
    },
  });
}
