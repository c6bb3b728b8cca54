// One source schema (SQLite), one derived copy per other provider. Shared by
// the npm scripts and by the drift test.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const sourceSchemaPath = `${root}prisma/schema.prisma`;
export const postgresSchemaPath = `${root}prisma/postgresql/schema.prisma`;

export const HEADER =
  "// GENERATED from prisma/schema.prisma by `npm run db:migration`. Do not edit:\n" +
  "// edit the source schema; only the provider and the client output differ.\n";

export function derivePostgresSchema(source) {
  const out = source
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(
      /output\s*=\s*"\.\.\/src\/store\/generated\/sqlite"/,
      'output       = "../../src/store/generated/postgresql"',
    );
  if (out === source || !out.includes('"postgresql"') || !out.includes("generated/postgresql")) {
    throw new Error("prisma/schema.prisma no longer has the provider/output lines the derivation expects");
  }
  return HEADER + out;
}

export function readSource() {
  return readFileSync(sourceSchemaPath, "utf8");
}
