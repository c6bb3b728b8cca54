// The status page's model against hand-computed incidents: impact intervals
// into daily bars, edited times, a reopened incident, scope words, and the
// allow-list of what a public incident carries.
import { describe, expect, it } from "vitest";
import { formatDuration, scopeWords, statusView, toPublicIncident } from "../../src/status/model.js";
import type { PublishedIncidentRow } from "../../src/store/public-store.js";

const T = (s: string) => new Date(s);
const BANDS = [
  { upTo: 10, words: "a small number of tailnets" },
  { upTo: 1000, words: "some tailnets" },
  { upTo: null, words: "many tailnets" },
];

function row(o: Partial<PublishedIncidentRow> = {}): PublishedIncidentRow {
  return {
    publicId: "abc123def456",
    title: "Slow logins",
    components: ["Admin console"],
    publishedAt: T("2026-11-29T23:40:00Z"),
    publicationUpdatedAt: T("2026-11-29T23:40:00Z"),
    severity: "medium",
    impacts: ["degraded_performance"],
    customersAffected: 7,
    status: "resolved",
    impactStartedAt: T("2026-11-29T23:30:00Z"),
    detectedAt: T("2026-11-29T23:35:00Z"),
    declaredAt: T("2026-11-29T23:38:00Z"),
    mitigatedAt: T("2026-11-30T00:24:00Z"),
    resolvedAt: T("2026-11-30T01:00:00Z"),
    updates: [
      { id: "u1", text: "Looking into it", postedAt: T("2026-11-29T23:45:00Z") },
      { id: "u2", text: "Fixed, watching", postedAt: T("2026-11-30T00:30:00Z") },
      { id: "u3", text: "All clear", postedAt: T("2026-11-30T01:00:00Z") },
    ],
    postmortemSummary: null,
    ...o,
  };
}
const NOW = T("2026-12-01T12:00:00Z");

describe("a public incident", () => {
  it("carries exactly the allow-listed fields", () => {
    expect(Object.keys(toPublicIncident(row(), BANDS)).sort()).toEqual(
      [
        "id",
        "name",
        "status",
        "impact",
        "componentStatus",
        "components",
        "kind",
        "scope",
        "startedAt",
        "impactEndedAt",
        "monitoringAt",
        "resolvedAt",
        "createdAt",
        "updatedAt",
        "updates",
        "postmortem",
      ].sort(),
    );
  });

  it("takes its interval from impact start to mitigation, and each update's status from the times", () => {
    const i = toPublicIncident(row(), BANDS);
    expect(i.startedAt).toEqual(T("2026-11-29T23:30:00Z"));
    expect(i.impactEndedAt).toEqual(T("2026-11-30T00:24:00Z"));
    expect(i.kind).toBe("latency");
    expect(i.componentStatus).toBe("degraded_performance");
    expect(i.impact).toBe("minor");
    expect(i.scope).toBe("a small number of tailnets");
    expect(i.updates.map((u) => u.status)).toEqual(["investigating", "monitoring", "resolved"]);
    expect(i.status).toBe("resolved");
    expect(toPublicIncident(row({ postmortemSummary: "A config push" }), BANDS).status).toBe("postmortem");
  });

  it("says scope in words from the bands, and nothing when the count is unknown", () => {
    expect(scopeWords(1, BANDS)).toBe("a small number of tailnets");
    expect(scopeWords(10, BANDS)).toBe("a small number of tailnets");
    expect(scopeWords(11, BANDS)).toBe("some tailnets");
    expect(scopeWords(50_000, BANDS)).toBe("many tailnets");
    expect(scopeWords(null, BANDS)).toBeNull();
    expect(scopeWords(0, BANDS)).toBeNull();
  });

  it("formats durations", () => {
    expect(formatDuration(24 * 60_000)).toBe("24 minutes");
    expect(formatDuration(61 * 60_000)).toBe("1 hour 1 minute");
    expect(formatDuration(20_000)).toBe("less than a minute");
  });
});

describe("the status view", () => {
  it("splits an interval across midnight into two daily bars and counts outage minutes against uptime", () => {
    const latency = toPublicIncident(row(), BANDS);
    const outage = toPublicIncident(
      row({
        publicId: "outage000001",
        components: ["Coordination server"],
        impacts: ["outage"],
        severity: "high",
        impactStartedAt: T("2026-11-30T10:00:00Z"),
        mitigatedAt: T("2026-11-30T10:24:00Z"),
        resolvedAt: T("2026-11-30T10:30:00Z"),
      }),
      BANDS,
    );
    const v = statusView([latency, outage], {
      components: ["Coordination server", "Admin console", "DERP relays"],
      now: NOW,
    });
    const admin = v.components[1]!;
    expect(admin.days).toHaveLength(90);
    expect(admin.days.at(-1)!.date).toBe("2026-12-01");
    const nov29 = admin.days.find((d) => d.date === "2026-11-29")!;
    const nov30 = admin.days.find((d) => d.date === "2026-11-30")!;
    expect([nov29.status, nov29.minutes]).toEqual(["degraded_performance", 30]);
    expect([nov30.status, nov30.minutes]).toEqual(["degraded_performance", 24]);
    expect(admin.uptime).toBe(100); // latency is not downtime
    const coord = v.components[0]!;
    const day = coord.days.find((d) => d.date === "2026-11-30")!;
    expect([day.status, day.minutes, day.incidents.map((x) => x.id)]).toEqual(["partial_outage", 24, ["outage000001"]]);
    const windowMs = NOW.getTime() - T("2026-09-03T00:00:00Z").getTime();
    expect(coord.uptime).toBeCloseTo(100 * (1 - (24 * 60_000) / windowMs), 6);
    expect(v.components[2]!.days.every((d) => d.status === "operational")).toBe(true);
    expect(v.indicator).toBe("none");
    expect(v.history.map((h) => [h.date, h.incidents.map((i) => i.id)])).toEqual([
      ["2026-11-30", ["outage000001"]],
      ["2026-11-29", ["abc123def456"]],
    ]);
  });

  it("moves the bars when someone edits a time, and shows a reopened incident as ongoing", () => {
    const edited = toPublicIncident(row({ impactStartedAt: T("2026-11-28T22:00:00Z") }), BANDS);
    const v = statusView([edited], { components: ["Admin console"], now: NOW });
    const days = Object.fromEntries(v.components[0]!.days.map((d) => [d.date, d.minutes]));
    expect([days["2026-11-28"], days["2026-11-29"], days["2026-11-30"]]).toEqual([120, 1440, 24]);

    const reopened = toPublicIncident(row({ status: "investigating", resolvedAt: null, mitigatedAt: null }), BANDS);
    const open = statusView([reopened], { components: ["Admin console"], now: NOW });
    expect(open.open.map((i) => i.id)).toEqual(["abc123def456"]);
    expect(open.components[0]!.status).toBe("degraded_performance");
    expect(open.indicator).toBe("minor");
    expect(open.description).toBe("Minor Service Outage");
    expect(open.components[0]!.days.at(-1)!.minutes).toBe(12 * 60);
    expect(reopened.updates.map((u) => u.status)).toEqual(["investigating", "investigating", "investigating"]);
  });

  it("lists the published components when none are configured", () => {
    const v = statusView([toPublicIncident(row({ components: ["Zeta", "Alpha"] }), BANDS)], {
      components: [],
      now: NOW,
    });
    expect(v.components.map((c) => c.name)).toEqual(["Alpha", "Zeta"]);
  });
});
