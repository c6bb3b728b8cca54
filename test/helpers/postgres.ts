// PostgreSQL for tests: one migrated template database per test run, cloned
// per test file (CREATE DATABASE … TEMPLATE), so files are isolated and can
// run in parallel, and nothing assumes an empty server.
import { randomBytes } from "node:crypto";
import pg from "pg";

export const PG_ADMIN_URL = process.env.MUSTER_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** CI must run the PostgreSQL tests; a developer without PostgreSQL may skip them. */
export const POSTGRES_REQUIRED = process.env.CI === "true" || process.env.MUSTER_REQUIRE_POSTGRES === "1";

export function urlFor(database: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function postgresReachable(): Promise<boolean> {
  try {
    await adminQuery("SELECT 1");
    return true;
  } catch {
    return false;
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
}

/** A fresh database cloned from the run's migrated template. */
export async function cloneDatabase(template: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = uniqueName(`${template}_c`).slice(0, 63);
  for (let attempt = 1; ; attempt++) {
    try {
      await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      break;
    } catch (e) {
      // Two clones at once can collide on the template's lock; try again shortly.
      if (attempt >= 10 || !/being accessed by other users/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
  return { url: urlFor(name), drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
