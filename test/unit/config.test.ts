import { describe, expect, it } from "vitest";
import { missingSlackSettings, parseConfig } from "../../src/config.js";
import { startupProblems } from "../../src/main.js";

describe("configuration", () => {
  it("has working defaults: SQLite under ./data, tailscale/corp, #incident-response", () => {
    const r = parseConfig({});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.databaseUrl).toBe("file:./data/muster.db");
    expect(r.config.github.repo).toBe("tailscale/corp");
    expect(r.config.slack.incidentChannel).toBe("incident-response");
    expect(r.config.roles.map((x) => x.key)).toEqual(["commander", "communications", "scribe", "operations"]);
  });

  it("lists every problem at once and never echoes a value", () => {
    const secret = "xoxp-super-secret-user-token";
    const r = parseConfig({
      DATABASE_URL: "mysql://root:hunter2@db/x",
      SLACK_BOT_TOKEN: secret,
      PORT: "eighty",
      GITHUB_REPO: "not a repo",
      MUSTER_ROLES: "{oops",
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.problems.join("\n");
    for (const name of ["DATABASE_URL", "SLACK_BOT_TOKEN", "PORT", "GITHUB_REPO", "MUSTER_ROLES"]) {
      expect(text).toContain(name);
    }
    expect(text).not.toContain(secret);
    expect(text).not.toContain("hunter2");
  });

  it("selects PostgreSQL from a postgres URL and reads lists", () => {
    const r = parseConfig({ DATABASE_URL: "postgresql://u:p@h:5432/db", MUSTER_ADMINS: "U1, U2 U3" });
    expect(r.ok && r.config.databaseUrl.startsWith("postgresql:")).toBe(true);
    expect(r.ok && r.config.admins).toEqual(["U1", "U2", "U3"]);
  });

  it("names the missing Slack settings and points at manifest.yml", () => {
    const r = parseConfig({});
    expect(r.ok && missingSlackSettings(r.config)).toEqual(["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]);
    const { message } = startupProblems({});
    expect(message).toMatch(/SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set/);
    expect(message).toContain("manifest.yml");
    expect(startupProblems({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "abcdefghij" }).config).toBeDefined();
  });
});

describe("npm start without Slack credentials", () => {
  it("exits non-zero naming the missing settings", async () => {
    const { spawnSync } = await import("node:child_process");
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SLACK_")));
    const r = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env,
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set/);
    expect(r.stderr).toContain("manifest.yml");
  });
});
