import type { TestProject } from "vitest/node";
import { migrate } from "../../src/store/migrate.js";
import { adminQuery, POSTGRES_REQUIRED, postgresReachable, uniqueName, urlFor } from "./postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    pgTemplate: string | null;
  }
}

export default async function setup(project: TestProject) {
  if (!(await postgresReachable())) {
    if (POSTGRES_REQUIRED) {
      throw new Error(
        "PostgreSQL is not reachable at 127.0.0.1:5432, and CI must run the PostgreSQL tests. Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
      );
    }
    console.warn("PostgreSQL is not reachable: the PostgreSQL store tests are skipped on this machine.");
    project.provide("pgTemplate", null);
    return;
  }
  const template = uniqueName("muster_t");
  await adminQuery(`CREATE DATABASE "${template}"`);
  await migrate({ provider: "postgresql", url: urlFor(template) });
  project.provide("pgTemplate", template);
  return async () => {
    // Clones are named after the template, so this also removes any a crashed file left.
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: urlFor("postgres") });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [
      `${template}%`,
    ]);
    await client.end();
    for (const { datname } of rows) await adminQuery(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  };
}
