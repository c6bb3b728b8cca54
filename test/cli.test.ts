// The `muster` command line, run in-process against a scratch SQLite database.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";

const dir = mkdtempSync(join(tmpdir(), "muster-cli-"));
const env = { DATABASE_URL: `file:${join(dir, "cli.db")}` };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(argv, env, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe("muster CLI", () => {
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
