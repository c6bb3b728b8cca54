// Two muster processes started at the same moment on an empty PostgreSQL
// database (a fresh deployment scaled to two replicas): exactly one applies
// the migrations, the other waits for it (migrate.ts holds an advisory lock)
// and finds them applied, and both then serve Slack.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { listMigrations } from "../../src/store/migrate.js";
import { killMusterProcess, type MusterProcess, startMusterProcess } from "../helpers/muster-process.js";
import { adminQuery, uniqueName, urlFor } from "../helpers/postgres.js";
import { SlackTestClient } from "../helpers/slack-client.js";
import { musterEnv, SIGNING_SECRET, startEmulators } from "../helpers/stack.js";
import { available } from "../helpers/stores.js";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** What a process said it migrated, from its "store ready" log line. */
function migrationsApplied(p: MusterProcess): string[] {
  for (const line of p.lines) {
    const entry = JSON.parse(line) as { msg?: string; migrationsApplied?: string[] };
    if (entry.msg === "store ready") return entry.migrationsApplied ?? [];
  }
  throw new Error("the process never logged that its store was ready");
}

describe.runIf(available("postgresql"))("two muster processes starting on an empty PostgreSQL database", () => {
  it("exactly one migrates; both serve", async () => {
    // An empty database, not a clone of the run's migrated template.
    const name = uniqueName("muster_race");
    await adminQuery(`CREATE DATABASE "${name}"`);
    cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    const emulators = await startEmulators();
    cleanups.push(async () => {
      await Promise.all([emulators.slack.close(), emulators.github.close(), emulators.google.close()]);
    });
    const env = { ...musterEnv(emulators, urlFor(name)), LOG_LEVEL: "info", DATABASE_POOL_SIZE: "2" };

    const processes = await Promise.all([startMusterProcess(env, 60_000), startMusterProcess(env, 60_000)]);
    for (const p of processes) cleanups.push(() => killMusterProcess(p));

    const all = listMigrations("postgresql").map((m) => m.name);
    const applied = processes.map(migrationsApplied);
    expect(applied.map((a) => a.length).sort((x, y) => x - y)).toEqual([0, all.length]);
    expect(applied.find((a) => a.length > 0)).toEqual(all);

    const client = new pg.Client({ connectionString: urlFor(name) });
    await client.connect();
    const { rows } = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name`,
    );
    await client.end();
    expect(rows.map((r) => r.migration_name)).toEqual(all);

    // Both answer a signed slash command, and both can write: each declares an incident.
    const announce = emulators.slack.channelByName("incident-response")!;
    for (const [i, p] of processes.entries()) {
      const slack = new SlackTestClient({
        url: `http://127.0.0.1:${p.port}/slack/events`,
        signingSecret: SIGNING_SECRET,
        emulator: emulators.slack,
      });
      const opened = emulators.slack.callsTo("views.open").filter((c) => c.ok).length;
      const ack = await slack.command({ userId: "UALICE", channelId: announce.id, text: `declare Race ${i + 1}` });
      expect(ack.status).toBe(200);
      const deadline = Date.now() + 10_000;
      while (emulators.slack.callsTo("views.open").filter((c) => c.ok).length === opened) {
        if (Date.now() > deadline) throw new Error(`process ${i + 1} did not open the declare form`);
        await new Promise((r) => setTimeout(r, 25));
      }
      const submitted = await slack.submitView({
        userId: "UALICE",
        callbackId: "incident_declare",
        values: { title: `Race ${i + 1}`, summary: "migration race", commanderId: { user: "UALICE" } },
      });
      expect(submitted.status).toBe(200);
      expect(submitted.body).toBe("");
    }
  }, 90_000);
});
