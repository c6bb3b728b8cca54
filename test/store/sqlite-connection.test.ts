// The one SQLite connection of a muster process (sqlite-connection.ts): a
// query never runs inside another caller's transaction, and a lock held by
// another connection is waited for without stopping the event loop.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { createPrismaRefStore } from "../../src/store/prisma-job-store.js";
import { serviceFor, user } from "../helpers/stores.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open() {
  const dir = mkdtempSync(join(tmpdir(), "muster-sqlite-connection-"));
  dirs.push(dir);
  const file = join(dir, "muster.db");
  const opened = await openStore(`file:${file}`);
  const { incidentId } = await serviceFor(opened).declare(user("U1"), { title: "Connection" });
  return { ...opened, file, incidentId };
}

/** The longest the event loop went without running a 5 ms timer while `during` ran. */
async function longestStall(during: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    await during();
  } finally {
    clearInterval(timer);
  }
  return Math.max(longest, performance.now() - last);
}

describe("muster's SQLite connection", () => {
  it("keeps a write made while another transaction is open out of it: that transaction's rollback does not take it along", async () => {
    const { db, store, incidentId } = await open();
    try {
      const jobs = await db.job.count();
      const refs = createPrismaRefStore(db);
      // A job's completion whose transaction fails (as on a full disk) while
      // another job records the issue it just created.
      const failing = db
        .$transaction(async (tx) => {
          await tx.job.create({
            data: {
              kind: "slack.sync_bookmarks",
              lane: "slack",
              payload: "{}",
              status: "pending",
              runAt: new Date(),
              createdAt: new Date(),
            } as never,
          });
          await sleep(100);
          throw new Error("database or disk is full");
        })
        .catch((e: Error) => e.message);
      await sleep(20);
      await refs.put(
        { incidentId: incidentId, kind: "github_issue", externalId: "7", url: "https://x/7", data: null },
        new Date(),
      );
      expect(await failing).toBe("database or disk is full");
      expect((await refs.get(incidentId, "github_issue"))?.externalId).toBe("7");
      expect(await db.job.count()).toBe(jobs);
    } finally {
      await store.close();
    }
  });

  it("waits for a write lock another connection holds without stopping the event loop, then writes", async () => {
    const { db, store, file, incidentId } = await open();
    const other = new Database(file);
    try {
      // The CLI, a drill or a second process writing: SQLite's write lock, held 1.5 s.
      other.exec("BEGIN IMMEDIATE");
      setTimeout(() => other.exec("COMMIT"), 1_500);
      const refs = createPrismaRefStore(db);
      let wrote = 0;
      const stall = await longestStall(async () => {
        const started = Date.now();
        await Promise.all([
          refs.markIntent(incidentId, "slack_message:a", new Date()),
          db.$transaction(async (tx) => {
            await tx.externalRef.create({
              data: {
                incidentId,
                kind: "slack_message:b",
                externalId: "",
                createdAt: new Date(),
                updatedAt: new Date(),
              },
            });
          }),
        ]);
        wrote = Date.now() - started;
      });
      // Before: SQLite's busy handler held the event loop for the whole 1.5 s.
      expect(wrote).toBeGreaterThanOrEqual(1_400);
      expect(stall).toBeLessThan(400);
      expect(await db.externalRef.count({ where: { kind: { startsWith: "slack_message:" } } })).toBe(2);
    } finally {
      other.close();
      await store.close();
    }
  });
});
