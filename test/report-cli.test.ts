// `muster report` in-process on a scratch SQLite database: two incidents with
// known times, each format, and plain answers to bad input.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import { createIncidentService } from "../src/incidents/service.js";
import { openStore } from "../src/store/open-store.js";
import { TEST_POLICY } from "./helpers/stores.js";

const dir = mkdtempSync(join(tmpdir(), "muster-report-"));
const env = { DATABASE_URL: `file:${join(dir, "report.db")}` };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(argv, env, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const admin = { userId: "UADMIN", isAdmin: true };
const T0 = Date.parse("2026-05-04T09:00:00Z");

beforeAll(async () => {
  const opened = await openStore(env.DATABASE_URL);
  let now = T0;
  const svc = createIncidentService({ store: opened.store, policy: TEST_POLICY, clock: () => new Date(now) });
  // Mitigated at 30 min (200 customers × 30 min of impact), resolved at 90 min.
  const a = await svc.declare(admin, {
    title: "API errors",
    severity: "high",
    impacts: ["outage"],
    components: ["api"],
    customersAffected: 200,
  });
  now = T0 + 30 * 60_000;
  await svc.mitigate(admin, { key: a.key });
  now = T0 + 90 * 60_000;
  await svc.resolve(admin, { key: a.key, summary: "rolled back", partiesInformed: ["customers"] });
  now = T0 + 2 * 86_400_000;
  await svc.declare(admin, {
    title: "Slow UI",
    severity: "low",
    impacts: ["degraded_performance"],
    components: ["web"],
  });
  await opened.store.close();
});

describe("muster report", () => {
  it("prints JSON with the period's figures", async () => {
    const r = await cli("report", "--since", "2026-05-01", "--until", "2026-06-01", "--format", "json");
    expect(r).toMatchObject({ code: 0, err: "" });
    const j = JSON.parse(r.out);
    expect(j.incidents).toBe(2);
    expect(j.bySeverity).toMatchObject({ high: 1, low: 1 });
    expect(j.durations.toMitigate).toEqual({ n: 1, medianS: 1800, p90S: 1800 });
    expect(j.durations.toResolve).toEqual({ n: 1, medianS: 5400, p90S: 5400 });
    expect(j.blastRadius.customerMinutes).toBe(6000);
    expect(j.components).toEqual([
      { component: "api", incidents: 1 },
      { component: "web", incidents: 1 },
    ]);
  });

  it("filters, and prints Markdown and CSV", async () => {
    const md = await cli("report", "--since", "2026-05-01", "--until", "2026-06-01", "--severity", "high");
    expect(md.code).toBe(0);
    expect(md.out).toMatch(/^# Incident report 2026-05-01 – 2026-06-01/);
    expect(md.out).toMatch(/\| Time to mitigate \| 30 min \| 30 min \| 1 \|/);
    expect(md.out).toMatch(/\| Time to resolve \| 1 h 30 min \| 1 h 30 min \| 1 \|/);
    expect(md.out).toContain("Customer-minutes affected: 6,000");
    const csv = await cli(
      "report",
      "--since",
      "2026-05-01",
      "--until",
      "2026-06-01",
      "--component",
      "web",
      "--format",
      "csv",
    );
    const lines = csv.out.trim().split("\n");
    expect(lines[0]).toBe("metric,dimension,value");
    expect(lines).toContain("incidents,,1");
    expect(lines).toContain("incidents_by_severity,low,1");
    expect(lines).toContain("incidents_by_component,web,1");
    expect(lines).toContain("filter_component,,web");
  });

  it("answers bad input in plain words", async () => {
    expect(await cli("report", "--since", "yesterday")).toMatchObject({
      code: 1,
      err: expect.stringMatching(/not a date/),
    });
    expect(await cli("report", "--since", "2026-06-01", "--until", "2026-05-01")).toMatchObject({
      code: 1,
      err: expect.stringMatching(/must start before it ends/),
    });
    expect(await cli("report", "--format", "xml")).toMatchObject({
      code: 2,
      err: expect.stringMatching(/markdown, json or csv/),
    });
    expect(await cli("report", "--severity", "huge")).toMatchObject({
      code: 2,
      err: expect.stringMatching(/Unknown severity/),
    });
  });
});
