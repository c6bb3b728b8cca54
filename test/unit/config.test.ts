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

  it("names PostgreSQL statements unless told not to (a pooler that cannot keep them)", () => {
    const on = parseConfig({});
    const off = parseConfig({ DATABASE_PREPARED_STATEMENTS: "false" });
    const bad = parseConfig({ DATABASE_PREPARED_STATEMENTS: "sometimes" });
    expect(on.ok && on.config.databasePreparedStatements).toBe(true);
    expect(off.ok && off.config.databasePreparedStatements).toBe(false);
    expect(bad.ok ? [] : bad.problems).toEqual(["DATABASE_PREPARED_STATEMENTS: must be true or false"]);
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

describe("MUSTER_POLICY: a company's own policy file", () => {
  const files: Record<string, string> = {
    "good.yml": `
severities:
  critical:
    label: SEV1
    definition: >
      Everything is down
      for everyone.
  high: { label: SEV2, definition: Much is down. }
  medium: { label: SEV3, definition: Some is down. }
  low: { label: SEV4, definition: Nothing customers see. }
incidentDefinition: An incident is anything that wakes someone up.
postmortem:
  impacts: [outage]
  severities: [critical, high]
`,
    "bad.yml": `
severities:
  critical: { label: SEV1, definition: "" }
postmortem:
  impacts: [fire]
colour: blue
`,
    "broken.yml": "severities: [unclosed\n",
  };
  const read = (path: string) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error("no such file"), { code: "ENOENT" });
    return text;
  };

  it("defaults to the policy's own words, and reads a valid file (whitespace normalised)", () => {
    const d = parseConfig({});
    expect(d.ok && d.config.company.severities.critical.label).toBe("Critical");
    const r = parseConfig({ MUSTER_POLICY: "good.yml" }, read);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.company.severities.critical).toEqual({
      label: "SEV1",
      definition: "Everything is down for everyone.",
    });
    expect(r.config.company.incidentDefinition).toBe("An incident is anything that wakes someone up.");
    expect(r.config.company.vulnerabilityNote).toMatch(/^A vulnerability is not necessarily an incident/);
    expect(r.config.company.postmortem).toEqual({ impacts: ["outage"], severities: ["critical", "high"] });
  });

  it("stops start-up naming each mistake and where it is", () => {
    const r = parseConfig({ MUSTER_POLICY: "bad.yml" }, read);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.problems.join("\n");
    expect(text).toContain("MUSTER_POLICY: bad.yml: severities.critical.definition: must not be empty");
    expect(text).toMatch(/severities\.high: needs a label and a definition/);
    expect(text).toMatch(/postmortem\.impacts\.0: impacts are outage/);
    expect(text).toMatch(/unknown setting colour/);
    const broken = parseConfig({ MUSTER_POLICY: "broken.yml" }, read);
    expect(!broken.ok && broken.problems).toEqual([expect.stringMatching(/broken\.yml is not valid YAML \(line \d+/)]);
    const missing = parseConfig({ MUSTER_POLICY: "nowhere.yml" }, read);
    expect(!missing.ok && missing.problems).toEqual(["MUSTER_POLICY: cannot read nowhere.yml (ENOENT)"]);
  });
});
