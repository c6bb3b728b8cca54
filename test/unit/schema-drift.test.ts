// One source schema; the PostgreSQL copy must be exactly its derivation, and
// both providers must have the same migrations.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { derivePostgresSchema, postgresSchemaPath, readSource, root } from "../../scripts/prisma-schemas.mjs";
import { DATA_STEPS } from "../../src/store/migrate.js";

const dirs = (provider: string) =>
  readdirSync(`${root}prisma/migrations/${provider}`, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

describe("provider schemas", () => {
  it("prisma/postgresql/schema.prisma is derived from prisma/schema.prisma (run npm run db:migration)", () => {
    expect(readFileSync(postgresSchemaPath, "utf8")).toBe(derivePostgresSchema(readSource()));
  });
  it("both providers have the same migrations", () => {
    expect(dirs("postgresql")).toEqual(dirs("sqlite"));
  });
  it("the latest migration leads to the current datamodel", () => {
    const latest = dirs("sqlite").at(-1);
    // The generator and datasource settings are not datamodel (and schemas
    // kept from before Prisma 7 still name a datasource url).
    const strip = (s: string) => s.replace(/(generator client|datasource db) \{[^}]*\}/g, "");
    expect(strip(readFileSync(`${root}prisma/migrations/sqlite/${latest}/schema.prisma`, "utf8"))).toBe(
      strip(readSource()),
    );
  });
});

describe("migration data steps", () => {
  it("each names a migration that both providers have (a renamed folder would skip it silently)", () => {
    for (const name of Object.keys(DATA_STEPS)) {
      expect(dirs("sqlite")).toContain(name);
      expect(dirs("postgresql")).toContain(name);
    }
  });
});
