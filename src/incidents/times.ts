import { AppError } from "../errors.js";
import type { IncidentTimes } from "./model.js";

const LABELS: Record<keyof IncidentTimes, string> = {
  impactStartedAt: "Impact started",
  detectedAt: "Detected",
  declaredAt: "Declared",
  mitigatedAt: "Mitigated",
  resolvedAt: "Resolved",
  closedAt: "Closed",
};

// Each pair must be in this order when both are known.
const ORDER: [keyof IncidentTimes, keyof IncidentTimes][] = [
  ["impactStartedAt", "detectedAt"],
  ["impactStartedAt", "declaredAt"],
  ["detectedAt", "declaredAt"],
  ["impactStartedAt", "mitigatedAt"],
  ["mitigatedAt", "resolvedAt"],
  ["impactStartedAt", "resolvedAt"],
  ["resolvedAt", "closedAt"],
];

/** Clock skew between a person's laptop and the server is forgiven up to this. */
const FUTURE_SLACK_MS = 5 * 60_000;

const fmt = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/**
 * Throws on a time in the future or two times out of order. The error names
 * the field to fix: of an out-of-order pair, the one that was just `changed`
 * (when only one of them was), else the earlier of the two.
 */
export function validateTimes(times: IncidentTimes, now: Date, changed?: ReadonlySet<keyof IncidentTimes>): void {
  for (const [k, v] of Object.entries(times) as [keyof IncidentTimes, Date | null][]) {
    if (v && v.getTime() > now.getTime() + FUTURE_SLACK_MS) {
      throw new AppError("validation", `${LABELS[k]} (${fmt(v)}) is in the future.`, { field: k });
    }
  }
  for (const [a, b] of ORDER) {
    const x = times[a];
    const y = times[b];
    if (x && y && x.getTime() > y.getTime()) {
      if (changed && !changed.has(a) && changed.has(b)) {
        throw new AppError(
          "validation",
          `${LABELS[b]} (${fmt(y)}) can't be before ${LABELS[a].toLowerCase()} (${fmt(x)}).`,
          { field: b },
        );
      }
      throw new AppError(
        "validation",
        `${LABELS[a]} (${fmt(x)}) can't be after ${LABELS[b].toLowerCase()} (${fmt(y)}).`,
        { field: a },
      );
    }
  }
}
