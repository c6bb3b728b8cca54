// The nudge rules: cadence by severity, backoff from the previous nudge, cap, and a fresh start when the gap changes.
import { describe, expect, it } from "vitest";
import type { Incident, Severity, Status } from "../../src/incidents/model.js";
import { nextNudge } from "../../src/incidents/nudges.js";

const T = Date.parse("2026-11-30T10:00:00Z");
const MIN = 60_000;
const incident = (severity: Severity, status: Status = "investigating") =>
  ({ severity, status, times: { declaredAt: new Date(T) } }) as unknown as Incident;

describe("nudges", () => {
  it("uses the severity's cadence: Critical 30 min, High 1 h, Medium 4 h, Low 24 h; unclassified 15 min", () => {
    const due = (s: Severity) => (nextNudge(incident(s), null, null)!.at.getTime() - T) / MIN;
    expect([due("critical"), due("high"), due("medium"), due("low"), due("unclassified")]).toEqual([
      30, 60, 240, 1440, 15,
    ]);
    expect(nextNudge(incident("unclassified"), null, null)!.what).toBe("classify");
  });

  it("backs off from the previous nudge and stops at the cap", () => {
    const since = new Date(T);
    const one = nextNudge(incident("critical"), null, { what: "update", since, n: 1, lastAt: new Date(T + 40 * MIN) });
    expect((one!.at.getTime() - T) / MIN).toBe(40 + 60);
    expect(nextNudge(incident("critical"), null, { what: "update", since, n: 3, lastAt: new Date(T) })).toBeNull();
  });

  it("starts over after an update, and says nothing once the incident is resolved", () => {
    const since = new Date(T);
    const after = nextNudge(incident("high"), new Date(T + 90 * MIN), { what: "update", since, n: 3, lastAt: since });
    expect(after).toMatchObject({ n: 0, at: new Date(T + 150 * MIN) });
    expect(nextNudge(incident("high", "resolved"), null, null)).toBeNull();
  });
});
