import { resolve } from "node:path";

export type DatabaseTarget = { provider: "sqlite"; file: string } | { provider: "postgresql"; url: string };

export const DEFAULT_DATABASE_URL = "file:./data/muster.db";

/** `file:` (SQLite, relative to the working directory) or `postgres://` / `postgresql://`. */
export function parseDatabaseUrl(url: string): DatabaseTarget | null {
  if (/^postgres(ql)?:\/\//i.test(url)) return { provider: "postgresql", url };
  if (url.startsWith("file:")) {
    const path = url.slice("file:".length).replace(/^\/\/(?=\/)/, "");
    if (!path) return null;
    return { provider: "sqlite", file: path === ":memory:" ? path : resolve(path) };
  }
  return null;
}

export function targetFor(url: string): DatabaseTarget {
  const target = parseDatabaseUrl(url);
  if (!target) throw new Error("DATABASE_URL must start with file:, postgres:// or postgresql://");
  return target;
}

/** The URL with any password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
}
