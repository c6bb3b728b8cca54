// The quiet gate's window on SQLite and PostgreSQL: one DM per person, kind
// and incident per window, granted once when two processes ask at the same
// moment, granted again to the same message (a retry), reopened after the window.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RefStore } from "../../src/jobs/ports.js";
import { type OpenedStore, openStore } from "../../src/store/open-store.js";
import { createPrismaRefStore } from "../../src/store/prisma-job-store.js";
import { available, freshDatabase, PROVIDERS, serviceFor, type TestDatabase, user } from "../helpers/stores.js";

const T0 = new Date("2026-11-21T10:00:00.000Z");
const at = (min: number) => new Date(T0.getTime() + min * 60_000);
const HOUR = 60 * 60_000;

describe.each(PROVIDERS)("quiet gate on %s", (provider) => {
  let database: TestDatabase;
  let opened: OpenedStore;
  let second: OpenedStore;
  let a: string;
  let refs: RefStore;
  let other: RefStore;

  beforeAll(async () => {
    if (!available(provider)) return;
    database = await freshDatabase(provider);
    opened = await openStore(database.url, { poolSize: 4 });
    // A second process: its own client and connections on the same database.
    second = await openStore(database.url, { poolSize: 4 });
    refs = createPrismaRefStore(opened.db);
    other = createPrismaRefStore(second.db);
    a = (await serviceFor(opened).declare(user("UIC"), { title: "A" })).incidentId;
  });
  afterAll(async () => {
    await second?.store.close();
    await opened?.store.close();
    await database?.cleanup();
  });

  it.runIf(available(provider))(
    "grants one of two concurrent asks, the same message again, and reopens after the window",
    async () => {
      const kind = "quiet:UBOB:nudge";
      const asks = await Promise.all([
        refs.claimWindow(a, kind, "m1", at(0), HOUR),
        other.claimWindow(a, kind, "m2", at(0), HOUR),
      ]);
      expect(asks.filter((x) => x.ok)).toHaveLength(1);
      const winner = asks[0]!.ok ? "m1" : "m2";
      const loser = winner === "m1" ? "m2" : "m1";
      expect(await refs.claimWindow(a, kind, winner, at(1), HOUR)).toEqual({ ok: true });
      expect(await refs.claimWindow(a, kind, loser, at(30), HOUR)).toEqual({ ok: false, until: at(61) });
      expect(await refs.claimWindow(a, "quiet:UBOB:postmortem_reminder", loser, at(30), HOUR)).toEqual({ ok: true });
      expect(await other.claimWindow(a, kind, loser, at(61), HOUR)).toEqual({ ok: true });
    },
  );
});
