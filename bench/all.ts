// npm run bench — every benchmark in one go, then one table of the judged
// figures, with the date and the machine. Each benchmark runs as its own
// `npm run bench:NAME` (its full output streams through as it goes) and
// records its figures through bench/report.ts.
//
// BENCH_SKIP=ack,insights leaves some out; each benchmark's own settings
// (BENCH_IDLE_S, BENCH_SCHED_WINDOW_S, …) pass through.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import type { BenchFigure } from "./report.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  scripts: Record<string, string>;
};
const skip = new Set((process.env.BENCH_SKIP ?? "").split(",").filter(Boolean));
const names = Object.keys(pkg.scripts)
  .filter((s) => s.startsWith("bench:"))
  .map((s) => s.slice("bench:".length))
  .filter((n) => !skip.has(n));

const dir = mkdtempSync(join(tmpdir(), "muster-bench-"));
const file = join(dir, "figures.jsonl");
writeFileSync(file, "");
const started = new Date();
const outcomes: { name: string; status: number | null; seconds: number }[] = [];
try {
  for (const name of names) {
    process.stdout.write(`\n===== npm run bench:${name} =====\n`);
    const t = performance.now();
    const r = spawnSync("npm", ["run", "--silent", `bench:${name}`], {
      stdio: "inherit",
      env: { ...process.env, BENCH_REPORT: file },
    });
    outcomes.push({ name, status: r.status, seconds: (performance.now() - t) / 1000 });
  }
  const figures = readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as BenchFigure);
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
  const cols = ["benchmark", "figure", "value", "target", "verdict"] as const;
  const rows = figures.map((f) => [
    f.bench,
    f.figure,
    f.value,
    f.target || "—",
    f.verdict === "missed" ? "MISSED" : f.verdict,
  ]);
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  process.stdout.write(
    `\n\nmuster benchmarks — ${started.toISOString().slice(0, 16).replace("T", " ")} UTC — ${machine}\n\n`,
  );
  process.stdout.write(`${line(cols)}\n${line(widths.map((w) => "-".repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
  for (const o of outcomes)
    process.stdout.write(
      `\nbench:${o.name}: ${o.status === 0 ? "every target met" : o.status === null ? "killed" : "a target was missed or it failed"} (${o.seconds.toFixed(0)} s)`,
    );
  const missed = figures.some((f) => f.verdict === "missed") || outcomes.some((o) => o.status !== 0);
  process.stdout.write(`\n\n${missed ? "FAIL: a target was missed" : "PASS: every target met"}\n`);
  process.exitCode = missed ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
