// PostgreSQL's own tools (pg_dump, pg_restore), found and run. A dump made by
// an older pg_dump than the server is refused by pg_dump itself, and one made
// by a newer one may not restore into this server: muster looks for the
// tools of the server's own major version first.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { AppError } from "../errors.js";

const run = promisify(execFile);

export type PgTool = "pg_dump" | "pg_restore" | "psql";

export interface PgToolOptions {
  /** PG_DUMP: an explicit pg_dump; pg_restore is looked for beside it. */
  pgDump?: string | null;
}

/** libpq's settings for a URL: the password travels in the environment, not on a command line others can list. */
export function libpqTarget(url: string): { dbname: string; env: Record<string, string> } {
  const u = new URL(url);
  const env: Record<string, string> = {};
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  u.password = "";
  // Prisma's own parameters mean nothing to libpq, which refuses unknown ones.
  for (const p of ["schema", "connection_limit", "pool_timeout", "pgbouncer", "statement_cache_size"])
    u.searchParams.delete(p);
  return { dbname: u.toString(), env };
}

async function majorOf(binary: string): Promise<number | null> {
  try {
    const { stdout } = await run(binary, ["--version"]);
    const m = /(\d+)(?:\.\d+)?/.exec(stdout.replace(/^[^)]*\)/, ""));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

async function pgConfigBindir(): Promise<string | null> {
  try {
    const { stdout } = await run("pg_config", ["--bindir"]);
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

/**
 * The tool to use against a server of `serverMajor`: PG_DUMP's directory,
 * then Debian's per-version directory, then pg_config's, then PATH. Its major
 * version must be the server's.
 */
export async function findPgTool(tool: PgTool, serverMajor: number, options: PgToolOptions = {}): Promise<string> {
  const candidates: string[] = [];
  if (options.pgDump) candidates.push(tool === "pg_dump" ? options.pgDump : join(options.pgDump, "..", tool));
  candidates.push(`/usr/lib/postgresql/${serverMajor}/bin/${tool}`);
  const bindir = await pgConfigBindir();
  if (bindir) candidates.push(join(bindir, tool));
  candidates.push(tool);
  const seen: string[] = [];
  for (const c of candidates) {
    if (c.includes("/") && !existsSync(c)) continue;
    const major = await majorOf(c);
    if (major === null) continue;
    if (major === serverMajor) return c;
    seen.push(`${c} is version ${major}`);
  }
  throw new AppError(
    "config",
    seen.length
      ? `${tool} must be the PostgreSQL server's major version (${serverMajor}), but ${seen.join(", ")}. Install postgresql-client-${serverMajor}, or set PG_DUMP to its pg_dump.`
      : `${tool} is not installed. Install the PostgreSQL client tools (Debian/Ubuntu: apt-get install postgresql-client), or set PG_DUMP to the path of pg_dump.`,
  );
}

/** What a tool printed on stderr, kept short, as the error's words (never the password: it travels in the environment). */
function collectStderr(child: ChildProcess): () => string {
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    if (stderr.length < 4000) stderr += d.toString();
  });
  return () => stderr.trim().split("\n").slice(-3).join(" ");
}

function exited(child: ChildProcess, binary: string, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on("error", (e) => reject(new Error(`Cannot run ${binary}: ${e.message}`)));
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${binary.split("/").pop()} failed (${signal ?? `exit ${code}`}): ${stderr()}`));
    });
  });
}

/**
 * Runs `first` SQL and then pg_restore's script of `file` through psql as one
 * transaction: if anything fails, nothing of it happened. pg_restore writing
 * into the database itself cannot be made to include statements of ours (the
 * schema is emptied first), so a failing restore would leave the database
 * empty; through psql the emptying rolls back with the rest.
 */
export async function restoreInOneTransaction(
  pgRestore: string,
  psql: string,
  o: { first: string; file: string; restoreArgs: string[]; dbname: string; env: Record<string, string> },
): Promise<void> {
  const env = { ...process.env, ...o.env };
  const loader = spawn(psql, ["--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--file=-", `--dbname=${o.dbname}`], {
    env,
    stdio: ["pipe", "ignore", "pipe"],
  });
  const script = spawn(pgRestore, [...o.restoreArgs, "--file=-", o.file], { env, stdio: ["ignore", "pipe", "pipe"] });
  const loaded = exited(loader, psql, collectStderr(loader));
  const written = exited(script, pgRestore, collectStderr(script));
  // psql stopping early (an error) closes its input; the script's writer then fails too, which says less.
  loader.stdin.on("error", () => {});
  loader.stdin.write(`BEGIN;\n${o.first}\n`);
  // COMMIT only once pg_restore has written the whole script: a script cut
  // short by a damaged file is valid SQL up to where it stops, and psql would
  // otherwise commit it. Killed without COMMIT, psql's transaction rolls back.
  script.stdout.pipe(loader.stdin, { end: false });
  const w = await written.then(
    () => null,
    (e: unknown) => e,
  );
  if (w) {
    loader.kill("SIGKILL");
    await loaded.catch(() => {});
    throw w;
  }
  loader.stdin.end("COMMIT;\n");
  await loaded;
}

/** Runs a tool to completion; its stderr (never the password) becomes the error. */
export function runPgTool(binary: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    child.on("error", (e) => reject(new Error(`Cannot run ${binary}: ${e.message}`)));
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${binary.split("/").pop()} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split("\n").slice(-3).join(" ")}`,
          ),
        );
    });
  });
}
