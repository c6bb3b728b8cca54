// `muster backup`, `muster restore` and `muster restore-drill`, run in-process
// against scratch SQLite databases.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { lastSuccessfulDrill } from "../src/backup/drill-record.js";
import { runCli } from "../src/cli/main.js";
import { openStore } from "../src/store/open-store.js";

const dir = mkdtempSync(join(tmpdir(), "muster-backup-cli-"));
const backups = join(dir, "backups");
const env = { DATABASE_URL: `file:${join(dir, "live.db")}`, BACKUP_DIR: backups };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cliWith(environment: Record<string, string>, argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(argv, environment, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}
const cli = (...argv: string[]) => cliWith(env, argv);

describe("muster backup, restore and restore-drill", () => {
  it("backs up into BACKUP_DIR, drills the newest backup and records the drill", async () => {
    expect((await cli("declare", "--title", "Disk full", "--severity", "high")).code).toBe(0);
    const b = await cli("backup");
    expect(b).toMatchObject({ code: 0 });
    expect(b.out).toMatch(/Backed up .* to .*muster-\d{8}T\d{6}Z\.db .*1 incidents, 1 timeline events/);
    expect(readdirSync(backups).sort()).toEqual([
      expect.stringMatching(/\.db$/),
      expect.stringMatching(/\.db\.manifest\.json$/),
    ]);

    const d = await cli("restore-drill", "--by", "alice");
    expect(d.code).toBe(0);
    expect(d.out).toMatch(
      /Restore drill passed in [\d.]+ s: .*muster-.*\.db restored .* Recorded as drill 1 by alice\./,
    );
    // A passed drill is muster's own production-restore test in the yearly duties.
    const status = JSON.parse((await cli("dr", "status", "--format", "json")).out);
    expect(JSON.stringify(status)).toMatch(/restore_test/);
    const restoreTest = (Array.isArray(status) ? status : status.duties).find((d: { duty: unknown }) =>
      JSON.stringify(d.duty).includes("restore_test"),
    );
    expect(restoreTest.lastDone).toMatchObject({ by: "alice", source: "restore-drill" });
    const opened = await openStore(env.DATABASE_URL);
    try {
      expect(await lastSuccessfulDrill(opened.db)).toMatchObject({ id: 1, by: "alice", result: "passed" });
    } finally {
      await opened.store.close();
    }
  });

  it("fails a drill on a damaged backup, with the reason, and exits 1", async () => {
    const good = join(backups, readdirSync(backups).find((n) => n.endsWith(".db")) as string);
    const bad = join(dir, "flipped.db");
    const bytes = readFileSync(good);
    bytes[4096] = (bytes[4096] as number) ^ 0xff;
    writeFileSync(bad, bytes);
    writeFileSync(`${bad}.manifest.json`, readFileSync(`${good}.manifest.json`));
    const d = await cli("restore-drill", "--backup", bad);
    expect(d.code).toBe(1);
    expect(d.err).toMatch(/restore drill FAILED .*flipped\.db: .*the file is corrupted\.\nRecorded as drill 2\./);
  });

  it("restores only into an empty database", async () => {
    const good = join(backups, readdirSync(backups).find((n) => n.endsWith(".db")) as string);
    const refused = await cli("restore", good);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/The database is not empty \(\d+ rows\).*Add --force/);
    const fresh = await cliWith({ DATABASE_URL: `file:${join(dir, "fresh.db")}` }, ["restore", good]);
    expect(fresh.code).toBe(0);
    expect(fresh.out).toMatch(/Restored .* 1 incidents and 1 timeline events, counts and timeline checksum verified\./);
    const show = await cliWith({ DATABASE_URL: `file:${join(dir, "fresh.db")}` }, ["show", "INC-1"]);
    expect(show.out).toMatch(/Disk full/);
  });

  it("verifies the timeline's hash chains, and a deep drill catches an event changed in a backup", async () => {
    const own = join(dir, "chains.db");
    const mine = (...argv: string[]) => cliWith({ DATABASE_URL: `file:${own}`, BACKUP_DIR: backups }, argv);
    expect((await mine("declare", "--title", "Evidence")).code).toBe(0);
    expect((await mine("declare", "--title", "Bystander")).code).toBe(0);
    const ok = await mine("verify");
    expect(ok).toMatchObject({ code: 0, err: "" });
    expect(ok.out).toMatch(
      /Checked the hash chains of 2 incidents \(2 timeline events\) in [\d.]+ s: every event is as muster wrote it\./,
    );
    expect((await mine("verify", "--incident", "inc-2")).out).toMatch(/of 1 incident \(1 timeline events\)/);
    expect(await mine("verify", "--incident", "INC-9")).toMatchObject({
      code: 1,
      err: "muster: There is no incident INC-9.\n",
    });

    // Someone with the database file rewrites INC-1's declaration, past the append-only trigger.
    const db = new Database(own);
    db.exec(`DROP TRIGGER "TimelineEvent_no_update"`);
    db.prepare(`UPDATE "TimelineEvent" SET "actorId" = 'UMALLORY' WHERE "id" = 1`).run();
    db.close();
    const caught = await mine("verify");
    expect(caught.code).toBe(1);
    expect(caught.err).toMatch(
      /^muster: the timeline of 1 incident no longer matches its hash chain \(checked 2 incidents .*\):\n {2}INC-1 event 1: does not match its hash: it was changed after it was written/,
    );

    // The heads still match, so a backup of it passes the manifest check; only a deep drill recomputes the chains.
    const out = join(dir, "tampered.db");
    expect((await mine("backup", "--out", out)).code).toBe(0);
    expect((await mine("restore-drill", "--backup", out)).code).toBe(0);
    const deep = await mine("restore-drill", "--backup", out, "--deep");
    expect(deep.code).toBe(1);
    expect(deep.err).toMatch(
      /restore drill FAILED .*: the restored timeline does not match its hash chains: INC-1 event 1 does not match its hash/,
    );
  });

  it("stops on a bad BACKUP_EVERY, naming it", async () => {
    const r = await cliWith({ ...env, BACKUP_EVERY: "every night" }, ["incidents"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/BACKUP_EVERY: must be a cron expression like "0 3 \* \* \*"/);
    const noDir = await cliWith({ DATABASE_URL: env.DATABASE_URL, BACKUP_EVERY: "0 3 * * *" }, ["incidents"]);
    expect(noDir.err).toMatch(/BACKUP_DIR: needed with BACKUP_EVERY/);
  });
});
