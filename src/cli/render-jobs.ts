// Pure renderings of outbox jobs for the command line. A job's payload is
// never shown: only what the job is, where it stands and its last error
// (a description of an API failure, stored without incident text).
import type { Job, JobStatus } from "../jobs/ports.js";
import { when } from "./render-incident.js";

export const JOB_STATUSES: readonly JobStatus[] = ["pending", "running", "dead", "done"];

/** A job as the command line shows it: its incident by key, and no payload. */
export type JobLine = Omit<Job, "payload" | "incidentId"> & { incidentKey: string | null };

/** Copies the fields that may be shown, so a payload (or a later field) never leaks by accident. */
export function toJobLine(job: Job, incidentKey: string | null): JobLine {
  return {
    id: job.id,
    incidentKey,
    kind: job.kind,
    lane: job.lane,
    status: job.status,
    attempts: job.attempts,
    runAt: job.runAt,
    lastError: job.lastError,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}

/** "Job 42 (github.sync_issue for INC-3)". */
export function describeJob(job: Pick<JobLine, "id" | "kind" | "incidentKey">): string {
  return `Job ${job.id} (${job.kind}${job.incidentKey ? ` for ${job.incidentKey}` : ""})`;
}

const ERROR_WIDTH = 80;

/** One line, no control characters, at most ERROR_WIDTH characters. */
function shortError(error: string | null): string {
  if (!error) return "—";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes.
  const line = error.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
  return line.length > ERROR_WIDTH ? `${line.slice(0, ERROR_WIDTH - 1)}…` : line;
}

function orList(words: readonly string[]): string {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

export function renderJobList(
  jobs: JobLine[],
  context: { statuses: readonly JobStatus[]; incidentKey: string | null; limit: number },
): string {
  if (jobs.length === 0) {
    return `No ${orList(context.statuses)} jobs${context.incidentKey ? ` for ${context.incidentKey}` : ""}.\n`;
  }
  const header = ["ID", "INCIDENT", "KIND", "STATUS", "ATTEMPTS", "NEXT RUN", "LAST ERROR"];
  const rows = jobs.map((j) => [
    String(j.id),
    j.incidentKey ?? "—",
    j.kind,
    j.status,
    String(j.attempts),
    j.status === "pending" ? when(j.runAt) : "—",
    shortError(j.lastError),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
      .join("  ")
      .trimEnd();
  const out = [line(header), ...rows.map(line)];
  if (jobs.length >= context.limit) out.push(`(The first ${context.limit} only; raise --limit to see more.)`);
  return `${out.join("\n")}\n`;
}

export function renderJobsJson(jobs: JobLine[]): string {
  return `${JSON.stringify(jobs, null, 2)}\n`;
}
