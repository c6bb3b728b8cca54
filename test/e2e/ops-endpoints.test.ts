// The operations endpoints on muster's one HTTP port: /healthz, /readyz with
// real checks (database, migrations, worker) and /metrics in Prometheus'
// format, fed by real Slack requests and real outbox jobs.
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { readiness } from "../../src/web/ops.js";
import { type Stack, startStack } from "../helpers/stack.js";

const stacks: Stack[] = [];
afterEach(async () => {
  while (stacks.length) await stacks.pop()!.stop();
});

async function stack(o: Parameters<typeof startStack>[0] = {}) {
  const s = await startStack(o);
  stacks.push(s);
  return s;
}

const get = (s: Stack, path: string, init: RequestInit = {}) =>
  fetch(`http://127.0.0.1:${s.muster.port}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });

/** The value of one sample line, e.g. metric('muster_open_incidents{severity="high"}'). */
function sample(text: string, series: string): number | null {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : null;
}

describe("/healthz and /readyz", () => {
  it("answers ok and ready when the database, its migrations and the worker are fine", async () => {
    const s = await stack();
    const health = await get(s, "/healthz");
    expect(health.status).toBe(200);
    expect(await health.text()).toBe("ok\n");
    const ready = await get(s, "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.headers.get("cache-control")).toBe("no-store");
    expect(await ready.text()).toBe("ready\ndatabase: ok\nmigrations: ok\nworker: ok\n");
    const head = await get(s, "/readyz", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("is not ready while the worker is not running, and says so", async () => {
    const s = await stack({ runWorker: false });
    const ready = await get(s, "/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.text()).toContain("worker: not running");
    expect((await get(s, "/healthz")).status).toBe(200);
  });

  it("is not ready when the database lacks a migration this muster ships", async () => {
    const s = await stack();
    const file = s.databaseUrl.slice("file:".length);
    const raw = new Database(file);
    const last = raw
      .prepare(`SELECT migration_name AS name FROM "_prisma_migrations" ORDER BY migration_name DESC LIMIT 1`)
      .get() as { name: string };
    raw.prepare(`DELETE FROM "_prisma_migrations" WHERE migration_name = ?`).run(last.name);
    raw.close();
    const ready = await get(s, "/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.text()).toContain(`migrations: 1 not applied (${last.name})`);
  });

  it("reports an unreachable or silent database as the reason", async () => {
    const worker = () => ({ running: true, leased: 0, lastClaimAt: new Date(), claimFailures: 0, limit: 16 });
    const down = await readiness({
      ops: {
        ping: () => Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { name: "DriverAdapterError" })),
        pendingMigrations: () => Promise.resolve([]),
      },
      worker,
      metrics: null as never,
    });
    expect(down).toEqual([
      { name: "database", problem: "unreachable (DriverAdapterError)" },
      { name: "migrations", problem: "not checked: the database is unreachable" },
      { name: "worker", problem: null },
    ]);
    const silent = await readiness({
      ops: { ping: () => new Promise(() => {}), pendingMigrations: () => Promise.resolve([]) },
      worker: () => ({ ...worker(), claimFailures: 3 }),
      metrics: null as never,
      timeoutMs: 50,
    });
    expect(silent[0]).toEqual({ name: "database", problem: "unreachable (no answer within 50 ms)" });
    expect(silent[2]).toEqual({ name: "worker", problem: "cannot claim jobs (3 failures in a row)" });
  });

  it("answers unknown paths 404 and known paths with the wrong method 405", async () => {
    const s = await stack();
    expect((await get(s, "/nope")).status).toBe(404);
    const wrong = await get(s, "/healthz", { method: "POST" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, HEAD");
    expect((await get(s, "/slack/events")).status).toBe(405);
  });
});

describe("/metrics", () => {
  it("counts requests, Slack acknowledgements by kind, open incidents, the outbox, job failures and the worker", async () => {
    const s = await stack();
    s.github.faults.failNext({ method: "POST", path: /\/issues$/ }, { status: 500 });
    const announce = s.slack.channelByName("incident-response")!;
    await s.client.command({ userId: "UALICE", channelId: announce.id, text: "declare Checkout down" });
    await s.client.submitView({
      userId: "UALICE",
      callbackId: "incident_declare",
      values: { title: "Checkout down", severity: { option: "high" }, commanderId: { user: "UALICE" } },
    });
    await s.settle();
    // The failed GitHub job's retry comes due within the test backoff's 500 ms; let it run too.
    await new Promise((r) => setTimeout(r, 700));
    await s.settle();

    const res = await get(s, "/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await res.text();
    expect(sample(text, 'muster_slack_ack_seconds_count{kind="slash_command"}')).toBe(1);
    expect(sample(text, 'muster_slack_ack_seconds_count{kind="view_submission"}')).toBe(1);
    expect(sample(text, 'muster_http_requests_total{method="POST",route="/slack/events",status="200"}')).toBe(2);
    expect(sample(text, 'muster_open_incidents{severity="high"}')).toBe(1);
    expect(sample(text, 'muster_open_incidents{severity="critical"}')).toBe(0);
    // The failed GitHub job's retry may have come due since: depth and age are read, not assumed.
    expect(sample(text, 'muster_outbox_jobs{state="due"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'muster_outbox_jobs{state="dead"}')).toBe(0);
    expect(sample(text, "muster_outbox_oldest_due_age_seconds")).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^muster_job_failures_total\{adapter="github",error="[A-Za-z0-9_]+",outcome="retry"\} 1$/m);
    expect(sample(text, "muster_worker_running")).toBe(1);
    expect(sample(text, "muster_worker_leased_jobs")).toBe(0);
    expect(sample(text, "muster_worker_claim_failures")).toBe(0);
    expect(sample(text, "muster_worker_last_claim_age_seconds")).toBeGreaterThanOrEqual(0);
    // The scrape itself is counted on the next one.
    const again = await (await get(s, "/metrics")).text();
    expect(sample(again, 'muster_http_requests_total{method="GET",route="/metrics",status="200"}')).toBe(1);
    // No incident text in any label or value.
    expect(again).not.toContain("Checkout");
  });

  it("shows outbox depth and age when jobs wait", async () => {
    const s = await stack({ runWorker: false });
    const announce = s.slack.channelByName("incident-response")!;
    await s.client.command({ userId: "UALICE", channelId: announce.id, text: "declare Queue waits" });
    await s.client.submitView({
      userId: "UALICE",
      callbackId: "incident_declare",
      values: { title: "Queue waits", commanderId: { user: "UALICE" } },
    });
    await new Promise((r) => setTimeout(r, 30));
    const text = await (await get(s, "/metrics")).text();
    expect(sample(text, 'muster_outbox_jobs{state="due"}')).toBeGreaterThan(0);
    expect(sample(text, "muster_outbox_oldest_due_age_seconds")).toBeGreaterThan(0);
    expect(sample(text, "muster_worker_running")).toBe(0);
    expect(sample(text, 'muster_open_incidents{severity="unclassified"}')).toBe(1);
  });

  it("counts /report submissions and alert-hook arrivals by outcome", async () => {
    const alertToken = "ops-alert-token-0123456789";
    const s = await stack({
      env: {
        REPORT_MIN_FILL_SECONDS: "0",
        REPORT_LIMIT_PER_ADDRESS: "1",
        ALERT_TOKEN: alertToken,
        ALERT_DECLARE_RULES: JSON.stringify([{ alert: "SiteDown", commander: "UALICE" }]),
      },
    });
    const before = await (await get(s, "/metrics")).text();
    for (const outcome of ["accepted", "rate_limited", "spam_rejected", "invalid"])
      expect(sample(before, `muster_reports_total{outcome="${outcome}"}`), outcome).toBe(0);
    for (const outcome of ["accepted", "deduplicated", "ignored", "auto_declared", "unauthorized", "invalid"])
      expect(sample(before, `muster_alerts_total{outcome="${outcome}"}`), outcome).toBe(0);

    const token = /name="token" value="([^"]+)"/.exec(await (await get(s, "/report")).text())![1]!;
    const report = (fields: Record<string, string>, type = "application/x-www-form-urlencoded") =>
      get(s, "/report", {
        method: "POST",
        headers: { "content-type": type },
        body: new URLSearchParams(fields).toString(),
        redirect: "manual",
      }).then((r) => r.status);
    const fine = { token, description: "The console shows a blank page", contact: "ops@example.org" };
    expect(await report(fine)).toBe(303);
    expect(await report(fine)).toBe(429);
    expect(await report({ ...fine, website: "http://spam.example" })).toBe(400);
    expect(await report({ ...fine, token: "123.forged" })).toBe(400);
    expect(await report({ ...fine, contact: "not-an-address" })).toBe(400);
    expect(await report(fine, "text/plain")).toBe(415);

    const alert = (body: string, token = alertToken) =>
      get(s, "/hooks/alerts", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body,
      }).then((r) => r.status);
    expect(await alert(JSON.stringify({ name: "HighLatency" }), "wrong-token-0123456789")).toBe(401);
    expect(await alert("{not json")).toBe(400);
    expect(await alert(JSON.stringify({ status: "firing" }))).toBe(400);
    expect(await alert(JSON.stringify({ name: "HighLatency" }))).toBe(200);
    expect(await alert(JSON.stringify({ name: "HighLatency" }))).toBe(200);
    expect(await alert(JSON.stringify({ name: "Unknown", status: "resolved" }))).toBe(200);
    expect(await alert(JSON.stringify({ name: "SiteDown" }))).toBe(200);
    await s.settle();

    const text = await (await get(s, "/metrics")).text();
    expect(sample(text, 'muster_reports_total{outcome="accepted"}')).toBe(1);
    expect(sample(text, 'muster_reports_total{outcome="rate_limited"}')).toBe(1);
    expect(sample(text, 'muster_reports_total{outcome="spam_rejected"}')).toBe(2);
    expect(sample(text, 'muster_reports_total{outcome="invalid"}')).toBe(2);
    expect(sample(text, 'muster_alerts_total{outcome="unauthorized"}')).toBe(1);
    expect(sample(text, 'muster_alerts_total{outcome="invalid"}')).toBe(2);
    expect(sample(text, 'muster_alerts_total{outcome="accepted"}')).toBe(2);
    expect(sample(text, 'muster_alerts_total{outcome="deduplicated"}')).toBe(1);
    expect(sample(text, 'muster_alerts_total{outcome="ignored"}')).toBe(1);
    expect(sample(text, 'muster_alerts_total{outcome="auto_declared"}')).toBe(1);
    // No report or alert text in any label.
    expect(text).not.toContain("blank page");
    expect(text).not.toContain("HighLatency");
  });

  it("times Slack's acknowledgements in Socket Mode too", async () => {
    const s = await stack({ socketMode: true });
    const announce = s.slack.channelByName("incident-response")!;
    await s.client.command({ userId: "UALICE", channelId: announce.id, text: "help" });
    const text = await (await get(s, "/metrics")).text();
    expect(sample(text, 'muster_slack_ack_seconds_count{kind="slash_command"}')).toBe(1);
    expect((await get(s, "/readyz")).status).toBe(200);
  });
});
