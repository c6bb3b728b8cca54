#!/usr/bin/env node
// npm run db:migration -- <name>
// Authors the next migration for both providers by diffing the datamodel as of
// the last migration (a copy kept beside each migration) against the current
// source schema. `prisma migrate dev` needs a shadow database, which does not
// work through driver adapters, hence this script. Review the SQL; add what
// Prisma cannot express (triggers) by hand, as the first migration does.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { runPrisma } from "./prisma.mjs";
import { derivePostgresSchema, postgresSchemaPath, readSource, root, sourceSchemaPath } from "./prisma-schemas.mjs";

const name = (process.argv[2] ?? "")
  .toLowerCase()
  .replace(/[^a-z0-9]+/g, "_")
  .replace(/^_|_$/g, "");
if (!name) {
  console.error("usage: npm run db:migration -- <name>   (e.g. add_vendor_contacts)");
  process.exit(2);
}

mkdirSync(`${root}prisma/postgresql`, { recursive: true });
writeFileSync(postgresSchemaPath, derivePostgresSchema(readSource()));

const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const providers = [
  { provider: "sqlite", schema: sourceSchemaPath, env: {} },
  { provider: "postgresql", schema: postgresSchemaPath, env: { MUSTER_PRISMA_PROVIDER: "postgresql" } },
];

let wrote = 0;
for (const { provider, schema, env } of providers) {
  const dir = `${root}prisma/migrations/${provider}`;
  mkdirSync(dir, { recursive: true });
  const previous = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .at(-1);
  const from = previous ? ["--from-schema-datamodel", `${dir}/${previous}/schema.prisma`] : ["--from-empty"];
  const sql = runPrisma(["migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"], env, {
    capture: true,
  });
  if (!/^\s*(CREATE|ALTER|DROP|INSERT|UPDATE|PRAGMA)/im.test(sql)) {
    console.log(`${provider}: no schema changes since ${previous ?? "the start"}`);
    continue;
  }
  const target = `${dir}/${stamp}_${name}`;
  if (existsSync(target)) throw new Error(`${target} exists already`);
  mkdirSync(target);
  writeFileSync(`${target}/migration.sql`, sql);
  // The datamodel this migration leads to: the next diff starts from it.
  writeFileSync(`${target}/schema.prisma`, readFileSync(schema, "utf8"));
  writeFileSync(`${dir}/migration_lock.toml`, `# Written by npm run db:migration\nprovider = "${provider}"\n`);
  console.log(`${provider}: wrote ${target.slice(root.length)}/migration.sql`);
  wrote++;
}
if (wrote) console.log("Review the SQL, then run the tests: both providers apply it at start-up.");
