// Files that appear whole or not at all: written under a temporary name in the
// same directory, flushed to disk, then renamed (atomic within a file system)
// and the directory flushed so the rename itself survives a power loss.
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** A temporary name beside `final`; hidden, and never mistaken for a backup. */
export function tempNameFor(final: string): string {
  return join(dirname(final), `.${basename(final)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
}

export function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes `temp`, renames it to `final` and flushes the directory. */
export function commitFile(temp: string, final: string): void {
  fsyncPath(temp);
  renameSync(temp, final);
  fsyncPath(dirname(final));
}

export function removeQuietly(path: string): void {
  rmSync(path, { force: true });
}
