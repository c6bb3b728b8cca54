// The `muster` command line, run in-process against a scratch SQLite database.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import { openStore } from "../src/store/open-store.js";
import { createPrismaJobStore } from "../src/store/prisma-job-store.js";

const dir = mkdtempSync(join(tmpdir(), "muster-cli-"));
const env = { DATABASE_URL: `file:${join(dir, "cli.db")}` };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cliWith(environment: Record<string, string>, argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(argv, environment, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}
const cli = (...argv: string[]) => cliWith(env, argv);

describe("muster CLI", () => {
  it("prints its version", async () => {
    expect(await cli("--version")).toMatchObject({ code: 0, out: expect.stringMatching(/^muster \d+\.\d+\.\d+\n$/) });
  });

  it("migrates, then reports it is up to date", async () => {
    expect((await cli("migrate")).out).toMatch(/Applied \d+ migrations?/);
    expect((await cli("migrate")).out).toMatch(/up to date/);
  });

  it("declares an incident without Slack, lists and shows it", async () => {
    const d = await cli(
      "declare",
      "--title",
      "Slack is down",
      "--impact",
      "outage",
      "--severity",
      "high",
      "--as",
      "UOPS",
    );
    expect(d).toMatchObject({ code: 0 });
    expect(d.out).toMatch(/Declared INC-1\./);
    await cli("declare", "--title", "Minor", "--severity", "low");

    const list = await cli("incidents", "--severity", "high");
    expect(list.out).toContain("INC-1");
    expect(list.out).not.toContain("Minor");

    const text = await cli("show", "INC-1");
    expect(text.out).toMatch(/INC-1 {2}Slack is down/);
    expect(text.out).toMatch(/commander\s+UOPS/);
    expect(text.out).toMatch(/Timeline \(1 events\)/);
    const md = await cli("show", "1", "--format", "markdown");
    expect(md.out).toMatch(/^# INC-1: Slack is down/);
    const json = JSON.parse((await cli("show", "inc-1", "--format", "json")).out);
    expect(json.timeline[0].kind).toBe("declared");
    // The side effects wait in the outbox for the bot.
    expect(json.incident.status).toBe("investigating");
  });

  it("shows the recovery checklist of a data-loss incident and who was told it is resolved", async () => {
    const d = await cli("declare", "--title", "Exports corrupted", "--impact", "data_loss", "--as", "UOPS");
    const key = /Declared (INC-\d+)\./.exec(d.out)![1]!;
    const text = (await cli("show", key)).out;
    expect(text).toMatch(/Data disrupted\s+yes/);
    expect(text).toMatch(/Recovery checklist\s+0 of 5 done; open: Last good backup identified, Restore performed/);
    expect(text).toMatch(/Parties told\s+—/);
  });

  it("shows a private incident's words only when asked with --include-private", async () => {
    const d = await cli(
      "declare",
      "--title",
      "Zanzibar signing keys leaked",
      "--summary",
      "Quokka",
      "--private",
      "--as",
      "UOPS",
    );
    const key = /Declared (INC-\d+)/.exec(d.out)![1]!;
    const list = await cli("incidents");
    expect(list.out).toMatch(new RegExp(`${key} .*\\[private\\]\\s+\\(private incident\\)`));
    expect(list.out).not.toContain("Zanzibar");
    expect((await cli("incidents", "--json")).out).not.toMatch(/Zanzibar|Quokka/);
    expect(await cli("show", key)).toMatchObject({
      code: 1,
      err: `muster: ${key} is private. Add --include-private to show it (you are reading the database as an operator).\n`,
    });
    expect((await cli("incidents", "--include-private")).out).toContain("Zanzibar signing keys leaked");
    expect((await cli("show", key, "--include-private")).out).toContain("Quokka");
  });

  it("answers mistakes with one plain sentence and a non-zero exit", async () => {
    expect(await cli("show", "INC-404")).toMatchObject({ code: 1, err: "muster: There is no incident INC-404.\n" });
    expect((await cli("declare", "--title", "")).err).toMatch(/Give the incident a title/);
    expect((await cli("declare", "--title", "x", "--severity", "sev0")).err).toMatch(/Severity must be one of/);
    expect(await cli("incidents", "--status", "open")).toMatchObject({ code: 2 });
    expect(await cli("frobnicate")).toMatchObject({ code: 2 });
    expect(await cli("declare", "--bogus")).toMatchObject({ code: 2 });
    const bad = await runCli(["incidents"], { DATABASE_URL: "mysql://x" }, { out: () => {}, err: () => {} });
    expect(bad).toBe(2);
  });
});

describe("muster jobs", () => {
  // A database of its own, so these tests don't depend on the incidents above.
  const jobsEnv = { DATABASE_URL: `file:${join(dir, "jobs.db")}` };
  const jobsCli = (...argv: string[]) => cliWith(jobsEnv, argv);

  /** Declares INC-1 through the CLI and lets its GitHub job die as the worker would after its last attempt. */
  async function withDeadGithubJob() {
    expect(await jobsCli("declare", "--title", "Checkout is failing", "--as", "UOPS")).toMatchObject({ code: 0 });
    const { db, target } = await openStore(jobsEnv.DATABASE_URL);
    try {
      const jobs = createPrismaJobStore(db, target.provider);
      const now = new Date();
      const claimed = await jobs.claim("test-worker", 10, now, new Date(now.getTime() + 60_000));
      const github = claimed.find((j) => j.kind === "github.sync_issue");
      if (!github) throw new Error(`declare queued no github.sync_issue job: ${claimed.map((j) => j.kind)}`);
      const error = "GitHub answered 404 Not Found for POST /repos/acme/incidents/issues; check GITHUB_REPOSITORY";
      await jobs.fail(github.id, "test-worker", { error, retryAt: null }, now);
      await jobs.releaseAll(); // the other claimed jobs go back to pending
      // A job whose payload must never be printed.
      await jobs.enqueue([{ incidentId: null, kind: "slack.notify_user", payload: { secret: "PAYLOAD-TEXT" } }], now);
      return { id: github.id, error };
    } finally {
      await db.$disconnect();
    }
  }

  it("says so in plain words when there is nothing to show", async () => {
    expect(await jobsCli("jobs")).toMatchObject({ code: 0, out: "No pending, running or dead jobs.\n" });
    expect((await jobsCli("jobs", "--status", "dead")).out).toBe("No dead jobs.\n");
  });

  it("lists a dead job with its error, retries it, and refuses what cannot be retried", async () => {
    const dead = await withDeadGithubJob();

    const list = await jobsCli("jobs");
    expect(list.code).toBe(0);
    expect(list.out.split("\n")[0]).toMatch(/^ID\s+INCIDENT\s+KIND\s+STATUS\s+ATTEMPTS\s+NEXT RUN\s+LAST ERROR$/);
    const row = list.out.split("\n").find((l) => l.startsWith(`${dead.id} `));
    expect(row).toMatch(/^\d+\s+INC-1\s+github\.sync_issue\s+dead\s+1\s+—\s+GitHub answered 404/);
    // Errors longer than 80 characters are cut to one short line.
    expect(row).toContain(`${dead.error.slice(0, 79)}…`);
    expect(list.out).toMatch(/INC-1\s+slack\.create_channel\s+pending\s+1\s+\d{4}-\d\d-\d\d /);
    expect(list.out).not.toContain("PAYLOAD-TEXT");

    const deadOnly = await jobsCli("jobs", "--status", "Dead", "--incident", "inc-1");
    expect(deadOnly.out.trim().split("\n")).toHaveLength(2);
    const json = JSON.parse((await jobsCli("jobs", "--status", "dead,pending", "--format", "json")).out);
    expect(json.find((j: { id: number }) => j.id === dead.id)).toMatchObject({
      incidentKey: "INC-1",
      kind: "github.sync_issue",
      status: "dead",
      attempts: 1,
      lastError: dead.error,
    });
    expect(JSON.stringify(json)).not.toContain("PAYLOAD-TEXT");
    expect(json.every((j: object) => !("payload" in j))).toBe(true);

    const retried = await jobsCli("jobs", "retry", String(dead.id));
    expect(retried).toMatchObject({
      code: 0,
      out: `Job ${dead.id} (github.sync_issue for INC-1) requeued; a running muster picks it up within its poll interval.\n`,
    });
    const after = JSON.parse((await jobsCli("jobs", "--status", "pending", "--format", "json")).out);
    expect(after.find((j: { id: number }) => j.id === dead.id)).toMatchObject({ status: "pending", attempts: 0 });
    expect((await jobsCli("jobs", "--status", "dead")).out).toBe("No dead jobs.\n");

    // Done and running jobs are not retried.
    const { db, target } = await openStore(jobsEnv.DATABASE_URL);
    try {
      const jobs = createPrismaJobStore(db, target.provider);
      const now = new Date();
      const [first] = await jobs.claim("test-worker", 1, now, new Date(now.getTime() + 60_000));
      if (!first) throw new Error("nothing to claim");
      const running = await jobsCli("jobs", "retry", String(first.id));
      expect(running.code).toBe(1);
      expect(running.err).toMatch(new RegExp(`^muster: Job ${first.id} \\(${first.kind}.*\\) is running now`));
      await jobs.complete(first.id, "test-worker", [], now);
      const done = await jobsCli("jobs", "retry", String(first.id));
      expect(done.code).toBe(1);
      expect(done.err).toMatch(/already went through; there is nothing to retry\.\n$/);
    } finally {
      await db.$disconnect();
    }
  });

  it("answers an unknown or malformed job id with one plain sentence and a non-zero exit", async () => {
    expect(await jobsCli("jobs", "retry", "999999")).toMatchObject({
      code: 1,
      out: "",
      err: "muster: There is no job 999999.\n",
    });
    expect(await jobsCli("jobs", "retry", "99999999999")).toMatchObject({ code: 1 });
    for (const bad of ["abc", "0", "-3", "4.5", "1e3"]) {
      const r = await jobsCli("jobs", "retry", bad);
      expect(r.code, bad).toBe(2);
      expect(r.err, bad).toContain(`muster: "${bad}" is not a job id; a job id is a positive whole number`);
    }
    expect((await jobsCli("jobs", "retry")).err).toMatch(/Say which job/);
    expect(await jobsCli("jobs", "retry", "1", "2")).toMatchObject({ code: 2 });
    expect(await jobsCli("jobs", "frob")).toMatchObject({ code: 2 });
    expect(await jobsCli("jobs", "--status", "failed")).toMatchObject({ code: 2 });
    expect(await jobsCli("jobs", "--limit", "0")).toMatchObject({ code: 2 });
    expect(await jobsCli("jobs", "--format", "markdown")).toMatchObject({ code: 2 });
    expect(await jobsCli("jobs", "--incident", "INC-404")).toMatchObject({
      code: 1,
      err: "muster: There is no incident INC-404.\n",
    });
  });

  it("is listed in the help", async () => {
    const help = (await jobsCli("help")).out;
    expect(help).toMatch(/^ {2}jobs \[--status S\]/m);
    expect(help).toMatch(/^ {2}jobs retry ID/m);
  });
});
