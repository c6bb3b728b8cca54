import { readFileSync } from "node:fs";

// src/backup or dist/backup → the package root.
export const MUSTER_VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;
