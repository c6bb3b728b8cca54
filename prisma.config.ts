// Used only by the Prisma CLI (`npm run db:migration`): the WebAssembly schema
// engine through a driver adapter, because the native engines cannot be
// downloaded. muster applies migrations itself at start-up (src/store/migrate.ts).
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

const postgres = process.env.MUSTER_PRISMA_PROVIDER === "postgresql";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: postgres ? "prisma/postgresql/schema.prisma" : "prisma/schema.prisma",
  // A datamodel diff only needs a reachable server for PostgreSQL; nothing is written.
  adapter: async () =>
    postgres
      ? new PrismaPg({
          connectionString: process.env.MUSTER_PRISMA_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
        })
      : new PrismaBetterSQLite3({ url: ":memory:" }),
});
