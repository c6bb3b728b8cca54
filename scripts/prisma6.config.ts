// For Prisma 6.19's CLI only (the `prisma6` npm alias), used by
// `npm run db:migration` to diff two datamodels. Prisma 7's CLI runs
// `migrate diff` on the native schema engine, which cannot be downloaded
// here; 6.19 can still run its WebAssembly schema engine through a driver
// adapter. Nothing is written to any database.
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma6/config";

const postgres = process.env.MUSTER_PRISMA_PROVIDER === "postgresql";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: postgres ? "prisma/postgresql/schema.prisma" : "prisma/schema.prisma",
  // A PostgreSQL diff needs a reachable server to describe the flavour; SQLite runs in memory.
  adapter: async () =>
    postgres
      ? new PrismaPg({
          connectionString: process.env.MUSTER_PRISMA_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
        })
      : new PrismaBetterSqlite3({ url: ":memory:" }),
});
