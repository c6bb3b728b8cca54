// The public status page end to end: an IC publishes from the declare and
// update forms in Slack; /status, the incident pages, the Statuspage API and
// the feeds show only what was published, in real headless Chromium too.
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { PUBLIC_PATHS } from "../helpers/public-pages.js";
import { type Stack, startStack } from "../helpers/stack.js";

// Everything internal, personal or private that the scenario below writes.
const INTERNAL_TITLE = "Shard db-7 failover wedged the control plane for Initech";
const INTERNAL_SUMMARY = "Runbook step 4 skipped; Initech escalated through their TAM";
const INTERNAL_UPDATE = "Restarted coordinator on host ctl-7.corp.internal after the bad deploy";
const PRIVATE_TITLE = "Credential leak suspected in build logs";
const UNPUBLISHED_TITLE = "Flaky staging dashboards nobody outside sees";
const RESPONDER = { id: "UMARGUERITE", name: "marguerite.okonkwo", email: "m@example.com", tz: "Europe/Paris" };
const SECRETS = [
  INTERNAL_TITLE,
  "Initech",
  INTERNAL_SUMMARY,
  INTERNAL_UPDATE,
  "ctl-7",
  PRIVATE_TITLE,
  "Credential leak",
  UNPUBLISHED_TITLE,
  RESPONDER.id,
  RESPONDER.name,
  "marguerite",
  "UALICE",
  "INC-",
];

const PUBLIC_TITLE = "Increased latency for some tailnets";
const PUBLIC_UPDATE = "We are investigating slower connections for some customers.";
const PUBLIC_FIX = "A fix is in place and we are monitoring.";

let stack: Stack;
let base: string;
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(10_000) });

async function declare(o: Record<string, unknown>, by = RESPONDER.id) {
  const announce = stack.slack.channelByName("incident-response")!;
  await stack.client.command({ userId: by, channelId: announce.id, text: "declare" });
  return stack.client.submitView({
    userId: by,
    callbackId: "incident_declare",
    values: { commanderId: { user: by }, ...(o as Record<string, string>) },
  });
}
const channelOf = (n: number) => [...stack.slack.channels.values()].find((c) => c.name.startsWith(`inc-${n}-`))!;

beforeAll(async () => {
  stack = await startStack({
    slack: { users: [RESPONDER, { id: "UALICE", name: "alice", email: "alice@example.com", tz: "UTC" }] },
    env: {
      STATUS_PAGE_NAME: "Example Status",
      STATUS_PAGE_COMPONENTS: "Coordination server, Admin console, DERP relays",
      STATUS_PAGE_SCOPE_BANDS: "10:a small number of tailnets;1000:some tailnets;:many tailnets",
      PUBLIC_URL: "https://status.example.com",
    },
  });
  base = `http://127.0.0.1:${stack.muster.port}`;
  // INC-1: published at declaration, with internal words everywhere else.
  const r = await declare({
    title: INTERNAL_TITLE,
    summary: INTERNAL_SUMMARY,
    severity: { option: "high" },
    impacts: { options: ["degraded_performance"] },
    publish: { options: ["publish"] },
    publicTitle: PUBLIC_TITLE,
    publicComponents: "coordination server",
  });
  expect(r.body).toBe("");
  await stack.settle();
  const ch = channelOf(1);
  // Customers affected: the scope comes out in words from the bands.
  await stack.client.command({ userId: RESPONDER.id, channelId: ch.id, text: "impact" });
  await stack.client.submitView({
    userId: RESPONDER.id,
    callbackId: "incident_impact",
    values: { customersAffected: "7", impacts: { options: ["degraded_performance"] } },
  });
  await stack.client.command({ userId: RESPONDER.id, channelId: ch.id, text: "update" });
  await stack.client.submitView({
    userId: RESPONDER.id,
    callbackId: "incident_update",
    values: { internalText: INTERNAL_UPDATE, publicText: PUBLIC_UPDATE },
  });
  await stack.client.command({ userId: RESPONDER.id, channelId: ch.id, text: "update" });
  await stack.client.submitView({
    userId: RESPONDER.id,
    callbackId: "incident_update",
    values: { internalText: `${INTERNAL_UPDATE} (internal only)` },
  });
  await stack.client.command({ userId: RESPONDER.id, channelId: ch.id, text: "mitigate" });
  await stack.client.command({ userId: RESPONDER.id, channelId: ch.id, text: "update" });
  await stack.client.submitView({
    userId: RESPONDER.id,
    callbackId: "incident_update",
    values: { internalText: "Watching graphs", publicText: PUBLIC_FIX },
  });
  await stack.client.command({ userId: RESPONDER.id, channelId: ch.id, text: "resolve" });
  await stack.client.submitView({
    userId: RESPONDER.id,
    callbackId: "incident_resolve",
    values: { summary: INTERNAL_SUMMARY, partiesInformed: "support" },
  });
  // INC-2: private, never published (ticking publish is refused).
  const refused = await declare({
    title: PRIVATE_TITLE,
    private: { options: ["private"] },
    publish: { options: ["publish"] },
    publicTitle: "Something public",
  });
  expect((refused.json as { response_action?: string }).response_action).toBe("errors");
  expect(JSON.stringify(refused.json)).toContain("private incident never goes on the public status page");
  await declare({ title: PRIVATE_TITLE, private: { options: ["private"] } });
  // INC-3: public in Slack, not published.
  await declare({ title: UNPUBLISHED_TITLE, impacts: { options: ["outage"] }, severity: { option: "critical" } });
  await stack.settle();
}, 90_000);
afterAll(async () => {
  await stack?.stop();
});

async function publicId(): Promise<string> {
  const body = (await (await get("/api/v2/incidents.json")).json()) as { incidents: { id: string }[] };
  expect(body.incidents).toHaveLength(1);
  return body.incidents[0]!.id;
}

describe("the public status page", () => {
  it("never shows a private incident, an internal update, the internal title or summary, or a responder's name", async () => {
    const id = await publicId();
    for (const path of [...PUBLIC_PATHS, `/status/incidents/${id}`]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      const body = await res.text();
      for (const s of SECRETS) expect(body.includes(s), `${path} shows "${s}"`).toBe(false);
    }
    expect(await (await get("/status/history")).text()).toContain(PUBLIC_TITLE);
    expect(await (await get("/status")).text()).toContain("No incidents reported.");
    const detail = await (await get(`/status/incidents/${id}`)).text();
    expect(detail).toContain(PUBLIC_TITLE);
    expect(detail).toContain(PUBLIC_UPDATE);
    expect(detail).toContain(PUBLIC_FIX);
    expect(detail).toContain("a small number of tailnets");
    expect(detail).toContain("Increased latency");
    expect(detail).toContain("Coordination server"); // the configured spelling
  });

  it("answers an unknown incident with a 404 page", async () => {
    const res = await get("/status/incidents/nosuchthing1");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("no such incident");
  });

  it("serves Statuspage's summary.json shape", async () => {
    const iso = z.string().datetime({ offset: true });
    const indicator = z.enum(["none", "minor", "major", "critical"]);
    const incidentStatus = z.enum(["investigating", "identified", "monitoring", "resolved", "postmortem"]);
    const componentStatus = z.enum([
      "operational",
      "degraded_performance",
      "partial_outage",
      "major_outage",
      "under_maintenance",
    ]);
    // Statuspage's public API v2 (https://metastatuspage.com/api/v2/): page, components, incidents, status.
    const page = z.object({
      id: z.string(),
      name: z.string(),
      url: z.string().url(),
      time_zone: z.string(),
      updated_at: iso,
    });
    const component = z.object({
      id: z.string(),
      name: z.string(),
      status: componentStatus,
      created_at: iso,
      updated_at: iso,
      position: z.number().int(),
      description: z.string().nullable(),
      showcase: z.boolean(),
      start_date: z.string().nullable(),
      group_id: z.string().nullable(),
      page_id: z.string(),
      group: z.boolean(),
      only_show_if_degraded: z.boolean(),
    });
    const update = z.object({
      id: z.string(),
      status: incidentStatus,
      body: z.string(),
      incident_id: z.string(),
      created_at: iso,
      updated_at: iso,
      display_at: iso,
      affected_components: z
        .array(
          z.object({ code: z.string(), name: z.string(), old_status: componentStatus, new_status: componentStatus }),
        )
        .nullable(),
      deliver_notifications: z.boolean(),
      custom_tweet: z.string().nullable(),
      tweet_id: z.string().nullable(),
    });
    const incident = z.object({
      id: z.string(),
      name: z.string(),
      status: incidentStatus,
      created_at: iso,
      updated_at: iso.nullable(),
      monitoring_at: iso.nullable(),
      resolved_at: iso.nullable(),
      impact: indicator,
      shortlink: z.string().url(),
      started_at: iso,
      page_id: z.string(),
      incident_updates: z.array(update),
      components: z.array(component),
    });
    const summary = z.object({
      page,
      components: z.array(component),
      incidents: z.array(incident),
      scheduled_maintenances: z.array(z.unknown()),
      status: z.object({ indicator, description: z.string() }),
    });
    const res = await get("/api/v2/summary.json");
    expect(res.headers.get("content-type")).toContain("application/json");
    const parsed = summary.strict().parse(await res.json());
    expect(parsed.page.name).toBe("Example Status");
    expect(parsed.page.url).toBe("https://status.example.com");
    expect(parsed.components.map((c) => c.name)).toEqual(["Coordination server", "Admin console", "DERP relays"]);
    expect(parsed.components.every((c) => c.status === "operational")).toBe(true);
    expect(parsed.status).toEqual({ indicator: "none", description: "All Systems Operational" });
    expect(parsed.incidents).toEqual([]); // resolved: not in the summary's open incidents

    const all = z
      .object({ page, incidents: z.array(incident) })
      .parse(await (await get("/api/v2/incidents.json")).json());
    const [inc] = all.incidents;
    expect(inc!.name).toBe(PUBLIC_TITLE);
    expect(inc!.status).toBe("resolved");
    expect(inc!.impact).toBe("major");
    expect(inc!.incident_updates.map((u) => [u.status, u.body])).toEqual([
      ["monitoring", PUBLIC_FIX],
      ["investigating", PUBLIC_UPDATE],
    ]);
    expect(inc!.shortlink).toBe(`https://status.example.com/status/incidents/${inc!.id}`);
  });

  it("answers If-None-Match with 304 and sends cache headers on feeds and JSON", async () => {
    for (const path of ["/api/v2/summary.json", "/history.atom", "/history.rss", "/status"]) {
      const first = await get(path);
      const etag = first.headers.get("etag");
      expect(etag, path).toMatch(/^"[\w-]+"$/);
      expect(first.headers.get("cache-control")).toBe("public, max-age=30");
      const again = await get(path, { "if-none-match": etag! });
      expect(again.status, path).toBe(304);
      expect(await again.text()).toBe("");
      expect((await get(path, { "if-none-match": '"other"' })).status).toBe(200);
    }
    const atom = await (await get("/history.atom")).text();
    expect(atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(atom).toContain(`<title>${PUBLIC_TITLE}</title>`);
  });

  it("opens /status in Chromium, shows the component bars, and clicks into the incident", async () => {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox"],
      timeout: 20_000,
    });
    try {
      const page = await browser.newPage({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
      page.setDefaultTimeout(10_000);
      await page.goto(`${base}/status`);
      expect(await page.locator("h1").textContent()).toBe("Example Status");
      expect(await page.locator(".banner").textContent()).toBe("All Systems Operational");
      const bars = page.locator("svg.bars");
      expect(await bars.count()).toBe(3);
      expect(await bars.first().locator("rect").count()).toBe(90);
      // Today's bar for the coordination server shows the latency incident.
      expect(await bars.first().locator("rect.d-degraded_performance").count()).toBeGreaterThanOrEqual(1);
      expect(await bars.nth(1).locator("rect.d-operational").count()).toBe(90);
      // Nothing overflows a phone's width.
      expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
      await page.screenshot({ path: "test-results/status-phone.png", fullPage: true });
      await page.getByRole("link", { name: PUBLIC_TITLE }).first().click();
      await page.waitForURL(/\/status\/incidents\//);
      const text = (await page.locator("main").textContent()) ?? "";
      expect(text).toContain(PUBLIC_UPDATE);
      expect(text).toContain(PUBLIC_FIX);
      expect(text).toMatch(/Duration\s*(less than a minute|\d+ minutes?)/);
      expect(text).toContain("a small number of tailnets");
      for (const s of SECRETS) expect(text.includes(s), s).toBe(false);
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.screenshot({ path: "test-results/status-incident.png", fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
