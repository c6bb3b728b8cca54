#!/usr/bin/env node
// Runs the Prisma CLI without letting it download native engines (impossible
// here, and unnecessary: muster's client runs on Prisma 7's WebAssembly query
// compiler through driver adapters). `cli: "prisma6"` runs Prisma 6.19's CLI,
// kept under an npm alias only to diff schemas (scripts/new-migration.mjs).
import { spawnSync } from "node:child_process";
import { postgresSchemaPath, root, sourceSchemaPath } from "./prisma-schemas.mjs";

export function prismaEnv(extra = {}) {
  // Any existing file satisfies the CLI's start-up check; it is never loaded.
  const placeholder = `${root}package.json`;
  return {
    ...process.env,
    PRISMA_QUERY_ENGINE_LIBRARY: placeholder,
    PRISMA_SCHEMA_ENGINE_BINARY: placeholder,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
    DATABASE_URL: process.env.DATABASE_URL ?? "file:./data/unused.db",
    ...extra,
  };
}

export function runPrisma(args, extraEnv = {}, options = {}) {
  const cli = options.cli ?? "prisma";
  const res = spawnSync(process.execPath, [`${root}node_modules/${cli}/build/index.js`, ...args], {
    cwd: root,
    env: prismaEnv(extraEnv),
    stdio: options.capture ? ["ignore", "pipe", "inherit"] : "inherit",
    encoding: "utf8",
  });
  if (res.status !== 0) {
    process.stderr.write(`${cli} ${args[0]} failed (exit ${res.status})\n`);
    process.exit(res.status ?? 1);
  }
  return res.stdout;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === "generate") {
    for (const schema of [sourceSchemaPath, postgresSchemaPath]) {
      runPrisma(["generate", "--no-hints", "--schema", schema, ...rest]);
    }
  } else {
    runPrisma([cmd, ...rest]);
  }
}
