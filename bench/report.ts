// Each benchmark prints its own detail and also records its judged figures
// here. Under `npm run bench` (bench/all.ts) they are collected from every
// benchmark into one table; run alone, a benchmark records nothing.
import { appendFileSync } from "node:fs";

export interface BenchFigure {
  /** The benchmark, e.g. "store". */
  bench: string;
  /** What was measured, e.g. "durable appends, SQLite". */
  figure: string;
  /** The measurement as printed, e.g. "2,470/s" or "0.91×". */
  value: string;
  /** The target as printed, or "" when the figure is informational. */
  target: string;
  verdict: "met" | "missed" | "info";
}

/** Records one judged figure for the combined table (no-op unless BENCH_REPORT names a file). */
export function recordFigure(f: BenchFigure): void {
  const file = process.env.BENCH_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify(f)}\n`);
}

export const verdictOf = (pass: boolean | null): BenchFigure["verdict"] =>
  pass === null ? "info" : pass ? "met" : "missed";
