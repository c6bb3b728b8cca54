// A database written by muster on Prisma 6.19 (test/fixtures/prisma6, made by
// make-fixture.ts at commit 53ce109) opens under the current muster with
// nothing lost: the migrations it recorded still match their checksums, every
// incident, event, job and reference reads back exactly as Prisma 6 read it,
// and new commands work on it.

import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { commsChecklist } from "../../src/incidents/checklists.js";
import { DEFAULT_ROLES } from "../../src/incidents/context.js";
import { createIncidentService } from "../../src/incidents/service.js";
import { openStore } from "../../src/store/open-store.js";
import { createPrismaJobStore, createPrismaRefStore } from "../../src/store/prisma-job-store.js";
import { verifyTimeline } from "../../src/store/verify-timeline.js";
import { adminQuery, uniqueName, urlFor } from "../helpers/postgres.js";
import { available, type Provider } from "../helpers/stores.js";

const fixtures = new URL("../fixtures/prisma6/", import.meta.url);
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

async function oldDatabase(provider: Provider): Promise<string> {
  if (provider === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "muster-upgrade-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    copyFileSync(new URL("muster.sqlite", fixtures), join(dir, "muster.db"));
    return `file:${join(dir, "muster.db")}`;
  }
  // An empty database (not the run's migrated template), restored from pg_dump.
  const name = uniqueName("muster_upgrade");
  await adminQuery(`CREATE DATABASE "${name}"`);
  cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  const client = new pg.Client({ connectionString: urlFor(name) });
  await client.connect();
  await client.query(readFileSync(new URL("postgresql.sql", fixtures), "utf8"));
  await client.end();
  return urlFor(name);
}

const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

/**
 * Columns added after the fixture was made, with the value an old row gets;
 * checked, then set aside so the rest compares with what Prisma 6 read.
 */
const ADDED = {
  postmortem: { ownerId: null, publicSummary: "", externalSharedWhere: "" },
  vendorCheck: { deadline: null },
  // The risk register's fields: an old risk reads as open, untitled (its description stands in), unrated.
  risk: { title: "", likelihood: null, impact: null, reviewAt: null, status: "open", source: "slack", updatedAt: null },
  // The checklists: no flag raised, no customers named.
  incident: { disrupted: false },
  scope: { customers: [] },
};

/** An incident row as Prisma 6 read it: without the columns added since. */
function incidentWithoutAdded(i: Record<string, unknown>) {
  for (const [k, v] of Object.entries(ADDED.incident)) {
    expect(i[k]).toEqual(v);
    delete i[k];
  }
  const scope = i.scope as Record<string, unknown>;
  for (const [k, v] of Object.entries(ADDED.scope)) {
    expect(scope[k]).toEqual(v);
    delete scope[k];
  }
  return i;
}
function withoutAdded(
  records: {
    incident: Record<string, unknown>;
    postmortem: Record<string, unknown> | null;
    vendorChecks: Record<string, unknown>[];
    risks: Record<string, unknown>[];
  }[],
) {
  for (const r of records) {
    const strip = (row: Record<string, unknown> | null, added: Record<string, unknown>) => {
      if (!row) return;
      for (const [k, v] of Object.entries(added)) {
        expect(row[k]).toEqual(v);
        delete row[k];
      }
    };
    incidentWithoutAdded(r.incident);
    strip(r.postmortem, ADDED.postmortem);
    for (const c of r.vendorChecks) strip(c, ADDED.vendorCheck);
    for (const c of r.risks) strip(c, ADDED.risk);
  }
  return records;
}

describe.each(["sqlite", "postgresql"] as Provider[])("%s database written by Prisma 6.19", (provider) => {
  it.runIf(available(provider))("opens with nothing lost and takes new commands", async () => {
    const expected = JSON.parse(readFileSync(new URL(`${provider}.expected.json`, fixtures), "utf8"));
    // (On PostgreSQL without named statements, as behind a pooler that cannot keep them.)
    const { store, db, target, migrations } = await openStore(await oldDatabase(provider), {
      preparedStatements: false,
    });
    try {
      // Both recorded migrations are recognised by checksum; only newer ones apply.
      expect(migrations.alreadyApplied).toBe(2);
      expect(migrations.applied.every((m) => m > "20261121174132")).toBe(true);

      const jobs = createPrismaJobStore(db, target.provider);
      const refs = createPrismaRefStore(db);
      const keys = ["INC-1", "INC-2", "INC-3"];
      const loaded = await Promise.all(keys.map((k) => store.loadIncident(k)));
      expect(withoutAdded(plain(loaded))).toEqual(expected.incidents);
      expect(plain(await store.listIncidents({})).map(incidentWithoutAdded)).toEqual(expected.list);
      // Resolved with the free-text list of parties told: the resolution checklist shows that list.
      expect(commsChecklist(loaded[0]!.timeline).legacy).toEqual(["support", "status page"]);
      // The old risks are in the register, open, and take changes.
      const oldRisks = expected.incidents.flatMap((r: { risks: unknown[] }) => r.risks);
      expect(oldRisks.length).toBeGreaterThan(0);
      const register = await store.riskRegister({ status: ["open"] });
      expect(register.map((r) => r.id).sort()).toEqual(oldRisks.map((r: { id: string }) => r.id).sort());
      expect(plain(await jobs.list({ status: ["pending", "running", "dead", "done"], limit: 1000 }))).toEqual(
        expected.jobs,
      );
      for (const [i, key] of keys.entries()) {
        const mine = [...(await refs.all(loaded[i]!.incident.id)).values()];
        expect(plain(mine)).toEqual(expect.arrayContaining(expected.refs[key]));
      }

      const svc = createIncidentService({ store, policy: { roles: DEFAULT_ROLES } });
      const ic = { userId: "UDAVE", isAdmin: false };
      await svc.reopen(ic, { key: "INC-1", reason: "Errors are back" });
      await svc.postStatusUpdate(ic, { key: "INC-1", internalText: "Looking again" });
      const next = await svc.declare({ userId: "UALICE", isAdmin: false }, { title: "After the upgrade" });
      expect(next.key).toBe("INC-4");
      const after = await store.loadIncident("INC-1");
      expect(after!.incident.status).toBe("investigating");
      expect(after!.timeline.length).toBe(expected.incidents[0].timeline.length + 2);
      expect(plain(after!.timeline.slice(0, -2))).toEqual(expected.incidents[0].timeline);
      // The migration filled in the old events' hash chains, and the new events extend them.
      const oldEvents = expected.incidents.reduce((n: number, r: { timeline: unknown[] }) => n + r.timeline.length, 0);
      const report = await verifyTimeline(target);
      expect(report.problems).toEqual([]);
      expect(report.events).toBeGreaterThanOrEqual(oldEvents + 2);
    } finally {
      await store.close();
    }
  });
});
