// The timeline's hash chain on real SQLite and PostgreSQL: written with every
// append, kept whole by 20 writers in two processes appending to one
// incident, and recomputed by `muster verify`, which names the event that
// was changed behind muster's back.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { chainLine, nextHash } from "../../src/store/timeline-chain.js";
import { verifyTimeline } from "../../src/store/verify-timeline.js";
import { available, openTestStore, PROVIDERS, type Provider, serviceFor, user } from "../helpers/stores.js";

const CHILD = fileURLToPath(new URL("../helpers/append-child.ts", import.meta.url));

/** Raw SQL past the append-only trigger, as someone with the database's password could. */
async function tamper(opened: Awaited<ReturnType<typeof openTestStore>>, sql: string) {
  if (opened.target.provider === "postgresql") {
    await opened.db.$executeRawUnsafe(`ALTER TABLE "TimelineEvent" DISABLE TRIGGER USER`);
    await opened.db.$executeRawUnsafe(sql);
    await opened.db.$executeRawUnsafe(`ALTER TABLE "TimelineEvent" ENABLE TRIGGER USER`);
  } else {
    await opened.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS "TimelineEvent_no_update"`);
    await opened.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS "TimelineEvent_no_delete"`);
    await opened.db.$executeRawUnsafe(sql);
  }
}

function runChild(url: string, incidentId: string, key: string, writers: number, each: number, tag: string) {
  const child = fork(CHILD, [url, incidentId, key, String(writers), String(each), tag], {
    execArgv: ["--import", "tsx"],
    stdio: "pipe",
  });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d));
  return new Promise<void>((resolve, reject) => {
    let message = "";
    child.on("message", (m) => (message = String(m)));
    child.on("exit", (code) =>
      message === "done" && code === 0 ? resolve() : reject(new Error(`child ${tag}: ${message || stderr}`)),
    );
  });
}

describe.each(PROVIDERS)("timeline hash chain on %s", (provider: Provider) => {
  it.runIf(available(provider))("every append extends its incident's chain, and verify agrees", async () => {
    const opened = await openTestStore(provider);
    try {
      const svc = serviceFor(opened);
      const a = await svc.declare(user("UIC"), { title: "Checkout errors" });
      const b = await svc.declare(user("UIC"), { title: "Second" });
      await svc.addNote(user("UIC"), { key: a.key, text: "Rolled back" });
      await opened.store.appendEvents([
        {
          incidentId: a.incidentId,
          at: new Date(),
          actorId: "muster",
          kind: "note",
          visibility: "internal",
          data: { text: "x", nested: { z: 1, a: [true, null] } },
        },
        {
          incidentId: b.incidentId,
          at: new Date(),
          actorId: "muster",
          kind: "note",
          visibility: "internal",
          data: { text: "y" },
        },
      ]);
      const rows = await opened.db.timelineEvent.findMany({
        where: { incidentId: a.incidentId },
        orderBy: { id: "asc" },
      });
      let head: Uint8Array | null = null;
      for (const r of rows) {
        head = nextHash(head, chainLine({ ...r, data: r.data }));
        expect(Buffer.from(r.hash as Uint8Array).toString("hex")).toBe(Buffer.from(head).toString("hex"));
      }
      const incident = await opened.db.incident.findUniqueOrThrow({ where: { id: a.incidentId } });
      expect(incident.timelineLength).toBe(rows.length);
      expect(Buffer.from(incident.timelineHead as Uint8Array).equals(Buffer.from(head as Uint8Array))).toBe(true);

      const report = await verifyTimeline(opened.target);
      expect(report).toMatchObject({ incidents: 2, problems: [], broken: [] });
      expect(report.events).toBe(rows.length + 2);
    } finally {
      await opened.cleanup();
    }
  });

  it.runIf(available(provider))(
    "20 writers in two processes appending to one incident leave one unbroken chain",
    async () => {
      const opened = await openTestStore(provider);
      try {
        const { incidentId, key } = await serviceFor(opened).declare(user("UIC"), { title: "Busy" });
        const url = opened.target.provider === "sqlite" ? `file:${opened.target.file}` : opened.target.url;
        await Promise.all([runChild(url, incidentId, key, 10, 6, "A"), runChild(url, incidentId, key, 10, 6, "B")]);
        const report = await verifyTimeline(opened.target);
        expect(report.problems).toEqual([]);
        // The declaration's events, then 2 × 10 × 6.
        const declared = report.events - 120;
        expect(declared).toBeGreaterThan(0);
        const incident = await opened.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
        expect(incident.timelineLength).toBe(report.events);
      } finally {
        await opened.cleanup();
      }
    },
    120_000,
  );

  it.runIf(available(provider))("verify names the event changed, or removed, behind muster's back", async () => {
    const opened = await openTestStore(provider);
    try {
      const svc = serviceFor(opened);
      const { key, incidentId } = await svc.declare(user("UIC"), { title: "Evidence" });
      const other = await svc.declare(user("UIC"), { title: "Untouched" });
      for (const text of ["first", "second", "third", "fourth"]) await svc.addNote(user("UIC"), { key, text });
      const ids = (
        await opened.db.timelineEvent.findMany({ where: { incidentId }, orderBy: { id: "asc" }, select: { id: true } })
      ).map((r) => r.id);
      const [, , second, third, fourth] = ids.slice(-5) as [number, number, number, number, number];
      expect((await verifyTimeline(opened.target)).problems).toEqual([]);

      // One event's words changed: that event, and only it, is named.
      const rewritten =
        provider === "postgresql"
          ? `UPDATE "TimelineEvent" SET "data" = jsonb_set("data", '{text}', '"nothing happened"') WHERE "id" = ${second}`
          : `UPDATE "TimelineEvent" SET "data" = json_set("data", '$.text', 'nothing happened') WHERE "id" = ${second}`;
      await tamper(opened, rewritten);
      let report = await verifyTimeline(opened.target);
      expect(report.broken).toEqual([key]);
      expect(report.problems).toEqual([
        {
          incidentKey: key,
          eventId: second,
          reason: expect.stringMatching(/does not match its hash: it, or the event before it, was changed/),
        },
      ]);
      expect((await verifyTimeline(opened.target, { incidentKey: other.key })).problems).toEqual([]);

      // Its hash rewritten to match as well: the next event no longer follows from it.
      const row = await opened.db.timelineEvent.findUniqueOrThrow({ where: { id: second } });
      const before = await opened.db.timelineEvent.findUniqueOrThrow({
        where: { id: ids[ids.indexOf(second) - 1] as number },
      });
      const forged = nextHash(before.hash, chainLine({ ...row, data: row.data })).toString("hex");
      await tamper(
        opened,
        provider === "postgresql"
          ? `UPDATE "TimelineEvent" SET "hash" = '\\x${forged}'::bytea WHERE "id" = ${second}`
          : `UPDATE "TimelineEvent" SET "hash" = x'${forged}' WHERE "id" = ${second}`,
      );
      report = await verifyTimeline(opened.target, { incidentKey: key });
      expect(report.problems.map((p) => p.eventId)).toEqual([third]);

      // The last event removed: the incident's head no longer matches its timeline.
      await tamper(opened, `DELETE FROM "TimelineEvent" WHERE "id" = ${fourth}`);
      report = await verifyTimeline(opened.target, { incidentKey: key });
      expect(report.problems).toEqual([
        { incidentKey: key, eventId: third, reason: expect.any(String) },
        {
          incidentKey: key,
          eventId: null,
          reason: expect.stringMatching(/records \d+ events but its timeline holds \d+/),
        },
      ]);
    } finally {
      await opened.cleanup();
    }
  });
});
