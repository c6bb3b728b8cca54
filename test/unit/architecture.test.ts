// The domain knows nothing of Slack, GitHub, Google or the database; the
// GitHub and Google adapters know nothing of muster's Slack side.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
const FORBIDDEN = [
  /^@slack\//,
  /^@octokit\//,
  /^googleapis/,
  /^@googleapis\//,
  /^google-auth-library/,
  /prisma/i,
  /^pg$/,
  /^better-sqlite3/,
];
const FORBIDDEN_LOCAL = [/\/store\//, /\/slack\//, /\/adapters\//, /\/jobs\//, /\/cli\//, /\/main\.js$/];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : [],
  );
}

const importsOf = (file: string) =>
  [
    ...readFileSync(file, "utf8").matchAll(
      /(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']/g,
    ),
  ].map((m) => (m[1] ?? m[2]) as string);

describe("dependency direction", () => {
  // The yearly duties (src/dr), the metrics (src/insights) and intake (reports from outside Slack) are domain too: no database, no Slack.
  const domain = [
    ...files(join(SRC, "incidents")),
    ...files(join(SRC, "dr")),
    ...files(join(SRC, "insights")),
    ...files(join(SRC, "intake")),
  ];
  it("finds the domain", () => expect(domain.length).toBeGreaterThan(10));
  for (const file of domain) {
    it(`${file.slice(SRC.length)} imports no Slack, GitHub, Google, database or outer layer`, () => {
      for (const spec of importsOf(file)) {
        expect(
          FORBIDDEN.some((r) => r.test(spec)),
          spec,
        ).toBe(false);
        if (spec.startsWith("."))
          expect(
            FORBIDDEN_LOCAL.some((r) => r.test(spec)),
            spec,
          ).toBe(false);
      }
    });
  }
});

describe("the GitHub and Google adapters", () => {
  const adapters = [...files(join(SRC, "adapters/github")), ...files(join(SRC, "adapters/google"))];
  it("finds them", () => expect(adapters.length).toBeGreaterThan(2));
  for (const file of adapters) {
    it(`${file.slice(SRC.length)} imports nothing from src/slack or the Slack adapter`, () => {
      for (const spec of importsOf(file)) {
        if (!spec.startsWith(".")) continue;
        const target = join(file, "..", spec).slice(SRC.length);
        expect(target.startsWith("slack/") || target.startsWith("adapters/slack/"), spec).toBe(false);
      }
    });
  }
});
