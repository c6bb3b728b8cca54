// Alert formats read into one shape, and the triage message built from a
// report: untrusted words escaped and shown verbatim, the Declare button only
// while the report is not declared.
import { describe, expect, it } from "vitest";
import { parseAlerts, severityOf } from "../../src/intake/alerts.js";
import type { TriageReport } from "../../src/intake/model.js";
import { draftOf } from "../../src/intake/service.js";
import { triageMessage } from "../../src/slack/views/triage.js";

const report = (over: Partial<TriageReport> = {}): TriageReport => ({
  id: "r1",
  source: "third_party",
  dedupKey: null,
  title: "It is down",
  description: "It is down <!here> <@U123> <https://x.example|click> & more",
  contact: "<mailto:a@b.c|boss>@example.com",
  component: "<#C123>",
  severity: null,
  status: "open",
  link: null,
  details: {},
  count: 1,
  receivedAt: new Date("2026-12-01T10:00:00Z"),
  lastSeenAt: new Date("2026-12-01T10:00:00Z"),
  resolvedAt: null,
  incidentKey: null,
  declaredBy: null,
  declaredAt: null,
  version: 0,
  ...over,
});

describe("parseAlerts", () => {
  it("reads an Alertmanager v4 group as one signal keyed by its group", () => {
    const [s] = parseAlerts({
      version: "4",
      groupKey: '{}:{alertname="X"}',
      status: "firing",
      groupLabels: { alertname: "X" },
      commonLabels: { alertname: "X", severity: "warning", job: "api" },
      commonAnnotations: { summary: "slow" },
      externalURL: "javascript:alert(1)",
      alerts: [
        {
          status: "firing",
          labels: { alertname: "X", instance: "a" },
          annotations: {},
          generatorURL: "https://p.example/g",
        },
        { status: "resolved", labels: { alertname: "X", instance: "b" }, annotations: {} },
      ],
    });
    expect(s).toMatchObject({
      dedupKey: 'alertmanager:{}:{alertname="X"}',
      name: "X",
      severity: "medium",
      summary: "slow",
      component: "api",
      link: "https://p.example/g",
    });
    expect(s!.alerts.map((a) => a.labels)).toEqual(["instance=a", "instance=b"]);
  });

  it("never takes a link that is not http(s)", () => {
    const [s] = parseAlerts({ name: "Y", url: "javascript:alert(1)" });
    expect(s!.link).toBeNull();
  });

  it("keys the generic format by dedup_key, else by name and labels in any order", () => {
    const a = parseAlerts({ name: "Y", labels: { a: "1", b: "2" } })[0]!;
    const b = parseAlerts({ name: "Y", labels: { b: "2", a: "1" } })[0]!;
    const c = parseAlerts({ name: "Y", dedup_key: "k" })[0]!;
    expect(a.dedupKey).toBe(b.dedupKey);
    expect(c.dedupKey).toBe("generic:k");
    expect(parseAlerts({ name: "Z", dedup_key: "k".repeat(500) })[0]!.dedupKey).toMatch(/^generic:[0-9a-f]{64}$/);
  });

  it("says what is wrong in words", () => {
    expect(() => parseAlerts({ version: "4", alerts: [] })).toThrow(/Alertmanager webhook \(version 4\) is not valid/);
    expect(() => parseAlerts([])).toThrow(/between 1 and 100/);
    expect(() => parseAlerts({ name: 3 })).toThrow(/This alert is not valid/);
  });

  it("maps monitoring's severity words to the policy's levels", () => {
    expect([
      severityOf("critical"),
      severityOf("PAGE"),
      severityOf("warning"),
      severityOf("info"),
      severityOf("x"),
    ]).toEqual(["critical", "high", "medium", "low", null]);
  });
});

describe("the triage message", () => {
  it("escapes mentions and links from outside and shows them verbatim", () => {
    const m = triageMessage(report());
    const json = JSON.stringify(m);
    for (const bad of ["<!here>", "<@U123>", "<https://x.example", "<mailto:", "<#C123>"])
      expect(json).not.toContain(bad);
    expect(json).toContain("&lt;!here&gt;");
    expect(json).toContain("&amp; more");
    const mrkdwn = m.blocks.flatMap((b) =>
      "text" in b && typeof b.text === "object" && b.text.type === "mrkdwn"
        ? [b.text]
        : "fields" in b && b.fields
          ? b.fields
          : [],
    );
    expect(mrkdwn.length).toBeGreaterThan(0);
    for (const t of mrkdwn) expect((t as { verbatim?: boolean }).verbatim).toBe(true);
    expect(m.text).not.toContain("<");
  });

  it("offers Declare until declared, then says who declared", () => {
    expect(JSON.stringify(triageMessage(report()))).toContain("triage_declare");
    const done = JSON.stringify(triageMessage(report({ incidentKey: "INC-4", declaredBy: "UBOB" })));
    expect(done).not.toContain("triage_declare");
    expect(done).toContain("Declared as *INC-4* by <@UBOB>");
  });

  it("shows an alert's repeats, its instances and a link to monitoring", () => {
    const m = JSON.stringify(
      triageMessage(
        report({
          source: "monitoring",
          status: "firing",
          title: "HighLatency",
          contact: null,
          count: 12,
          link: "https://grafana.example/d/1",
          details: {
            alerts: [{ status: "firing", labels: "instance=a", summary: "slow", startsAt: null }],
            truncated: 3,
          },
        }),
      ),
    );
    expect(m).toContain("Alert firing: HighLatency");
    expect(m).toContain("12 times");
    expect(m).toContain("instance=a");
    expect(m).toContain("and 3 more");
    expect(m).toContain('"url":"https://grafana.example/d/1"');
  });

  it("drafts a title the declare command accepts (no Slack control sequences)", () => {
    const d = draftOf(report({ title: "<!channel> down" }));
    expect(d.title).toBe("Reported outage: !channel down");
    expect(d.reportSource).toBe("third_party");
  });
});
