import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { DEFAULT_ROLES, type Policy } from "../../src/incidents/context.js";
import { createIncidentService } from "../../src/incidents/service.js";
import { type OpenedStore, openStore } from "../../src/store/open-store.js";
import { cloneDatabase } from "./postgres.js";

export const TEST_POLICY: Policy = {
  roles: [...DEFAULT_ROLES, { key: "scribe", name: "Scribe", description: "Keeps the timeline." }],
};

export interface TestDatabase {
  url: string;
  cleanup: () => Promise<void>;
}

export type Provider = "sqlite" | "postgresql";

export const PROVIDERS: Provider[] = ["sqlite", "postgresql"];

/** Whether this run can test the provider (PostgreSQL may be absent on a developer's machine). */
export function available(provider: Provider): boolean {
  return provider === "sqlite" || inject("pgTemplate") !== null;
}

export async function freshDatabase(provider: Provider): Promise<TestDatabase> {
  if (provider === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "muster-test-"));
    return {
      url: `file:${join(dir, "muster.db")}`,
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const template = inject("pgTemplate");
  if (!template) throw new Error("PostgreSQL is not available in this run");
  const { url, drop } = await cloneDatabase(template);
  return { url, cleanup: drop };
}

export async function openTestStore(provider: Provider): Promise<OpenedStore & { cleanup: () => Promise<void> }> {
  const database = await freshDatabase(provider);
  const opened = await openStore(database.url, { poolSize: 4 });
  return {
    ...opened,
    cleanup: async () => {
      await opened.store.close();
      await database.cleanup();
    },
  };
}

export const serviceFor = (opened: OpenedStore, clock?: () => Date) =>
  createIncidentService({ store: opened.store, policy: TEST_POLICY, ...(clock ? { clock } : {}) });

export const user = (userId: string, isAdmin = false) => ({ userId, isAdmin });
