#!/usr/bin/env node
// npm run db:migration -- <name>
// Authors the next migration for both providers by diffing the datamodel as of
// the last migration (a copy kept beside each migration) against the current
// source schema. Review the SQL; add what Prisma cannot express (triggers) by
// hand, as the first migration does.
//
// Why Prisma 6.19's CLI (the `prisma6` npm alias) does the diff: muster runs
// on Prisma 7, but Prisma 7's `migrate diff` spawns the native schema engine,
// which is downloaded on first use and cannot be here (no internet but the
// npm registry). Prisma 6.19 still ships its schema engine as WebAssembly and
// runs it through a driver adapter (scripts/prisma6.config.ts). It is a
// dev-time tool only: its datamodel diff is the same SQL, and muster applies
// the migrations itself at start-up. `prisma migrate dev` is not used either:
// it needs a shadow database, which does not work through driver adapters.
// Prisma 6 insists on a datasource `url` that Prisma 7 forbids, so the diff
// runs on temporary copies of the schemas with the line added.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

const scratch = mkdtempSync(join(tmpdir(), "muster-migration-"));
let copies = 0;
/** A copy of a schema that Prisma 6 accepts: its datasource names a URL. */
function forPrisma6(path) {
  const text = readFileSync(path, "utf8");
  const patched = /\burl\s*=/.test(text)
    ? text
    : text.replace(/(datasource\s+db\s*\{[^}]*provider\s*=\s*"[a-z]+")/, '$1\n  url      = env("DATABASE_URL")');
  const copy = join(scratch, `schema-${copies++}.prisma`);
  writeFileSync(copy, patched);
  return copy;
}

let wrote = 0;
for (const { provider, schema, env } of providers) {
  const dir = `${root}prisma/migrations/${provider}`;
  mkdirSync(dir, { recursive: true });
  const previous = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .at(-1);
  const from = previous
    ? ["--from-schema-datamodel", forPrisma6(`${dir}/${previous}/schema.prisma`)]
    : ["--from-empty"];
  const sql = runPrisma(
    [
      "migrate",
      "diff",
      "--config",
      "scripts/prisma6.config.ts",
      ...from,
      "--to-schema-datamodel",
      forPrisma6(schema),
      "--script",
    ],
    env,
    { capture: true, cli: "prisma6" },
  );
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
rmSync(scratch, { recursive: true, force: true });
if (wrote) console.log("Review the SQL, then run the tests: both providers apply it at start-up.");
