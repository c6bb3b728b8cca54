// Backups, restores and restore drills on real SQLite and PostgreSQL (with
// the real pg_dump / pg_restore): consistent under concurrent writers, whole
// or absent after SIGKILL, and damaged files caught with the reason.
import { fork } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { restoreDrill } from "../../src/backup/drill.js";
import { lastSuccessfulDrill, recentDrills } from "../../src/backup/drill-record.js";
import { manifestPathFor, readManifest } from "../../src/backup/manifest.js";
import { findPgTool } from "../../src/backup/pg-tools.js";
import { contentsOf, restoreBackup } from "../../src/backup/restore.js";
import { takeBackup } from "../../src/backup/take-backup.js";
import { listMigrations, migrate } from "../../src/store/migrate.js";
import { openStore, targetFor } from "../../src/store/open-store.js";
import { verifyTimeline } from "../../src/store/verify-timeline.js";
import { POSTGRES_REQUIRED } from "../helpers/postgres.js";
import {
  available,
  freshDatabase,
  openTestStore,
  PROVIDERS,
  type Provider,
  serviceFor,
  user,
} from "../helpers/stores.js";

const CHILD = fileURLToPath(new URL("../helpers/backup-crash-child.ts", import.meta.url));
const dirs: string[] = [];
const scratchDir = () => {
  const d = mkdtempSync(join(tmpdir(), "muster-backup-test-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// CI installs pg_dump (.ci/run); a developer without it skips the PostgreSQL half.
const pgDumpPresent = await findPgTool("pg_dump", 15).then(
  () => true,
  () => POSTGRES_REQUIRED,
);
const runs = (provider: Provider) => available(provider) && (provider === "sqlite" || pgDumpPresent);
const ext = (provider: Provider) => (provider === "sqlite" ? "db" : "dump");

async function seeded(provider: Provider, incidents: number) {
  const opened = await openTestStore(provider);
  const svc = serviceFor(opened);
  const keys: string[] = [];
  for (let i = 0; i < incidents; i++) keys.push((await svc.declare(user("UIC"), { title: `Incident ${i}` })).key);
  return { opened, svc, keys };
}

describe.each(PROVIDERS)("backups on %s", (provider) => {
  it.runIf(runs(provider))(
    "a backup taken while 20 writers append events restores to exactly what its manifest says",
    async () => {
      const { opened, svc, keys } = await seeded(provider, 20);
      const dir = scratchDir();
      const out = join(dir, `during-writes.${ext(provider)}`);
      let stop = false;
      let written = 0;
      const writers = keys.map(async (key, n) => {
        while (!stop) {
          await svc.addNote(user(`UW${n}`), { key, text: `note ${written}` });
          written++;
          // SQLite's driver is synchronous: without a turn of the event loop these would starve everything else.
          await new Promise((r) => setImmediate(r));
        }
      });
      try {
        while (written < 100) await new Promise((r) => setTimeout(r, 10));
        const before = written;
        const { manifest } = await takeBackup({ target: opened.target, out, takenBy: "test" });
        const during = written - before;
        stop = true;
        await Promise.all(writers);
        // The writers kept going during the backup, and after it.
        expect(during).toBeGreaterThan(0);
        const live = await contentsOf(opened.target);
        expect(live.timeline.events).toBeGreaterThan(manifest.timeline.events);
        expect(manifest.timeline.events).toBeGreaterThanOrEqual(20 + before);

        const restored = await freshDatabase(provider);
        try {
          const target = targetFor(restored.url);
          await restoreBackup({ target, file: out });
          const got = await contentsOf(target);
          expect(got.tables).toEqual(manifest.tables);
          expect(got.timeline).toEqual(manifest.timeline);
          // Every event row the manifest counted is an event the timeline hash covered.
          expect(manifest.tables.TimelineEvent).toBe(manifest.timeline.events);
        } finally {
          await restored.cleanup();
        }
      } finally {
        stop = true;
        await Promise.allSettled(writers);
        await opened.cleanup();
      }
    },
    60_000,
  );

  it.runIf(runs(provider))(
    "SIGKILL in the middle of a backup leaves the previous one whole and restorable, and no file under the new name",
    async () => {
      const { opened, svc, keys } = await seeded(provider, 2);
      const dir = scratchDir();
      const previous = join(dir, `previous.${ext(provider)}`);
      const next = join(dir, `next.${ext(provider)}`);
      try {
        const first = await takeBackup({ target: opened.target, out: previous, takenBy: "test" });
        const previousBytes = readFileSync(previous);
        await svc.addNote(user("UIC"), { key: keys[0] as string, text: "after the first backup" });

        for (const out of [next, previous]) {
          const child = fork(
            CHILD,
            [opened.target.provider === "sqlite" ? `file:${opened.target.file}` : opened.target.url, out],
            {
              execArgv: ["--import", "tsx"],
              stdio: "pipe",
            },
          );
          const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_c, s) => resolve(s)));
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error("child never reached the middle of the backup")), 30_000);
            child.on("message", (m) => {
              if (m !== "halfway") return;
              clearTimeout(timer);
              resolve();
            });
            child.on("exit", () => reject(new Error("child exited early")));
          });
          child.kill("SIGKILL");
          expect(await exited).toBe("SIGKILL");
        }
        // Neither the new name nor the old one got a half (or unconfirmed) file.
        expect(existsSync(next)).toBe(false);
        expect(existsSync(manifestPathFor(next))).toBe(false);
        expect(readFileSync(previous).equals(previousBytes)).toBe(true);
        expect(readManifest(previous).manifest).toEqual(first.manifest);
        // What the killed processes left are hidden temporary names only.
        for (const name of readdirSync(dir)) {
          if (name.startsWith("previous.")) continue;
          expect(name).toMatch(/^\.(next|previous)\.(db|dump)\.tmp-\d+-[0-9a-f]+$/);
        }

        const restored = await freshDatabase(provider);
        try {
          const target = targetFor(restored.url);
          await restoreBackup({ target, file: previous });
          const got = await contentsOf(target);
          expect(got.timeline).toEqual(first.manifest.timeline);
        } finally {
          await restored.cleanup();
        }
      } finally {
        await opened.cleanup();
      }
    },
    90_000,
  );

  it.runIf(runs(provider))(
    "a drill passes on a good backup and fails, with the reason, on a flipped byte or a truncated file",
    async () => {
      const { opened, svc, keys } = await seeded(provider, 3);
      const dir = scratchDir();
      const good = join(dir, `good.${ext(provider)}`);
      try {
        await svc.addNote(user("UIC"), { key: keys[1] as string, text: "something to check" });
        await takeBackup({ target: opened.target, out: good, takenBy: "test" });
        const drill = (file: string) => restoreDrill({ target: opened.target, db: opened.db, file, by: "tester" });

        expect(readManifest(good).manifest.format).toBe("muster-backup/2");
        const passed = await drill(good);
        expect(passed).toMatchObject({ result: "passed", reason: null, by: "tester", backupFile: good });
        expect(passed.manifestSha256).toMatch(/^[0-9a-f]{64}$/);

        const bytes = readFileSync(good);
        const flipped = join(dir, `flipped.${ext(provider)}`);
        const copy = Buffer.from(bytes);
        const at = Math.floor(copy.length / 2);
        copy[at] = (copy[at] as number) ^ 0x10;
        writeFileSync(flipped, copy);
        writeFileSync(manifestPathFor(flipped), readFileSync(manifestPathFor(good)));
        const corrupt = await drill(flipped);
        expect(corrupt.result).toBe("failed");
        expect(corrupt.reason).toMatch(/does not match its manifest's SHA-256: the file is corrupted/);

        const truncated = join(dir, `truncated.${ext(provider)}`);
        writeFileSync(truncated, bytes);
        truncateSync(truncated, Math.floor(bytes.length * 0.7));
        writeFileSync(manifestPathFor(truncated), readFileSync(manifestPathFor(good)));
        const cut = await drill(truncated);
        expect(cut.result).toBe("failed");
        expect(cut.reason).toMatch(/truncated/);

        // A file that hashes right but restores to something else: the contents check catches it.
        const mismatched = join(dir, `mismatched.${ext(provider)}`);
        writeFileSync(mismatched, bytes);
        const m = JSON.parse(readFileSync(manifestPathFor(good), "utf8"));
        m.timeline.sha256 = "0".repeat(64);
        writeFileSync(manifestPathFor(mismatched), JSON.stringify(m));
        const wrong = await drill(mismatched);
        expect(wrong.result).toBe("failed");
        expect(wrong.reason).toMatch(/timeline checksum differs/);

        expect((await recentDrills(opened.db)).map((d) => d.result)).toEqual(["failed", "failed", "failed", "passed"]);
        expect((await lastSuccessfulDrill(opened.db))?.id).toBe(passed.id);
      } finally {
        await opened.cleanup();
      }
    },
    90_000,
  );

  it.runIf(runs(provider))(
    "a backup from before the hash chain keeps the format-1 checksum, drills, restores and gains its chains",
    async () => {
      // The database Prisma 6 left (test/fixtures/prisma6), never migrated since: no chain columns.
      const old = await freshDatabase(provider);
      const target = targetFor(old.url);
      const fixtures = new URL("../fixtures/prisma6/", import.meta.url);
      if (target.provider === "sqlite") copyFileSync(new URL("muster.sqlite", fixtures), target.file);
      else {
        const { default: pg } = await import("pg");
        const c = new pg.Client({ connectionString: target.url });
        await c.connect();
        await c.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
        await c.query(readFileSync(new URL("postgresql.sql", fixtures), "utf8"));
        await c.end();
      }
      const file = join(scratchDir(), `prisma6.${ext(provider)}`);
      let manifest: Awaited<ReturnType<typeof takeBackup>>["manifest"];
      try {
        ({ manifest } = await takeBackup({ target, out: file, takenBy: "test" }));
      } finally {
        await old.cleanup();
      }
      expect(manifest.format).toBe("muster-backup/1");
      expect(manifest.timeline.events).toBeGreaterThan(3);
      expect(manifest.tables.TimelineEvent).toBe(manifest.timeline.events);

      const { opened } = await seeded(provider, 1);
      const restored = await freshDatabase(provider);
      try {
        const drilled = await restoreDrill({ target: opened.target, db: opened.db, file, by: "tester", deep: true });
        expect(drilled).toMatchObject({ result: "passed", reason: null });
        const into = targetFor(restored.url);
        const { migrated } = await restoreBackup({ target: into, file });
        expect(migrated).toContain(listMigrations(provider).find((m) => m.name.endsWith("_timeline_hash_chain"))?.name);
        // The migration filled in every chain: the restored timeline verifies, and a new backup digests the heads.
        const report = await verifyTimeline(into);
        expect(report).toMatchObject({ events: manifest.timeline.events, problems: [] });
        const again = await takeBackup({
          target: into,
          out: join(scratchDir(), `again.${ext(provider)}`),
          takenBy: "test",
        });
        expect(again.manifest.format).toBe("muster-backup/2");
        expect(again.manifest.timeline.events).toBe(manifest.timeline.events);
      } finally {
        await restored.cleanup();
        await opened.cleanup();
      }
    },
    90_000,
  );

  it.runIf(runs(provider))(
    "restore refuses a database that holds anything, replaces it with --force, and migrates an older backup",
    async () => {
      const dir = scratchDir();
      const file = join(dir, `older.${ext(provider)}`);
      // A database at the previous migration level, as an older muster left it.
      const older = await freshDatabase(provider);
      const target = targetFor(older.url);
      const all = listMigrations(provider);
      try {
        if (target.provider === "postgresql") {
          // Test databases are cloned migrated: start this one from nothing.
          const { default: pg } = await import("pg");
          const c = new pg.Client({ connectionString: target.url });
          await c.connect();
          await c.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
          await c.end();
        }
        await migrate(target, all.slice(0, -1));
        const { manifest } = await takeBackup({ target, out: file, takenBy: "test" });
        expect(manifest.migration).toBe(all.at(-2)?.name);
      } finally {
        await older.cleanup();
      }

      const { opened } = await seeded(provider, 1);
      try {
        // Drilled like any other (the migrations it lacks run on the scratch copy).
        const drilled = await restoreDrill({ target: opened.target, db: opened.db, file, by: "tester", deep: true });
        expect(drilled).toMatchObject({ result: "passed", reason: null });
        await expect(restoreBackup({ target: opened.target, file })).rejects.toThrow(
          /The database is not empty \(\d+ rows\); muster restores only into an empty one\. Add --force/,
        );
        // Nothing was written.
        expect(await opened.db.incident.count()).toBe(1);
        await opened.store.close();
        const { migrated } = await restoreBackup({ target: opened.target, file, force: true });
        expect(migrated).toEqual([all.at(-1)?.name]);
        const reopened = await openStore(
          opened.target.provider === "sqlite" ? `file:${opened.target.file}` : opened.target.url,
        );
        try {
          expect(await reopened.db.incident.count()).toBe(0);
        } finally {
          await reopened.store.close();
        }
      } finally {
        await opened.cleanup().catch(() => undefined);
      }
    },
    60_000,
  );

  it.runIf(runs(provider))(
    "a forced restore that fails half-way leaves the database as it was, not empty",
    async () => {
      const dir = scratchDir();
      const file = join(dir, `broken.${ext(provider)}`);
      const source = await seeded(provider, 3);
      try {
        await takeBackup({ target: source.opened.target, out: file, takenBy: "test" });
      } finally {
        await source.opened.cleanup();
      }
      // Damaged after the manifest was written, and the manifest made to agree:
      // the hash check passes and the restore itself fails part-way through.
      truncateSync(file, Math.floor(readFileSync(file).length * 0.7));
      const { manifest } = readManifest(file);
      const bytes = readFileSync(file);
      const { createHash } = await import("node:crypto");
      writeFileSync(
        manifestPathFor(file),
        JSON.stringify({
          ...manifest,
          fileSha256: createHash("sha256").update(bytes).digest("hex"),
          fileBytes: bytes.length,
        }),
      );

      const { opened, keys } = await seeded(provider, 2);
      try {
        await opened.store.close();
        await expect(restoreBackup({ target: opened.target, file, force: true })).rejects.toThrow();
        const reopened = await openStore(
          opened.target.provider === "sqlite" ? `file:${opened.target.file}` : opened.target.url,
        );
        try {
          const held = await reopened.db.incident.findMany({ select: { key: true }, orderBy: { number: "asc" } });
          expect(held.map((i) => i.key)).toEqual(keys);
          expect((await verifyTimeline(opened.target)).problems).toEqual([]);
        } finally {
          await reopened.store.close();
        }
      } finally {
        await opened.cleanup().catch(() => undefined);
      }
    },
    60_000,
  );
});
