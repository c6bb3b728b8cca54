// Prisma 7's CLI reads this for `prisma generate` (npm run db:generate). muster
// needs no URL to generate its clients and connects through driver adapters at
// run time (src/store/open-store.ts); it applies migrations itself
// (src/store/migrate.ts). Migrations are authored with Prisma 6.19's CLI
// (scripts/prisma6.config.ts), see scripts/new-migration.mjs for why.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema:
    process.env.MUSTER_PRISMA_PROVIDER === "postgresql" ? "prisma/postgresql/schema.prisma" : "prisma/schema.prisma",
});
