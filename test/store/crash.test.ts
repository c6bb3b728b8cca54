// A process killed in the middle of a command leaves all of its rows or none.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { available, freshDatabase, PROVIDERS, serviceFor, user } from "../helpers/stores.js";

const CHILD = fileURLToPath(new URL("../helpers/crash-child.ts", import.meta.url));

describe.each(PROVIDERS)("crash mid-command on %s", (provider) => {
  it.runIf(available(provider))("SIGKILL between writes leaves no partial incident", async () => {
    const database = await freshDatabase(provider);
    try {
      const child = fork(CHILD, [database.url], { execArgv: ["--import", "tsx"], stdio: "pipe" });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_c, s) => resolve(s)));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("child never reached the middle of the command")), 20_000);
        child.on("message", (m) => {
          if (m !== "halfway") return;
          clearTimeout(timer);
          resolve();
        });
        child.on("exit", () => reject(new Error("child exited early")));
      });
      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");

      const opened = await openStore(database.url);
      try {
        const db = opened.db;
        expect(await db.incident.count()).toBe(0);
        expect(await db.timelineEvent.count()).toBe(0);
        expect(await db.job.count()).toBe(0);
        expect(await db.roleAssignment.count()).toBe(0);
        // The next incident gets the number the dead one never kept.
        const { key } = await serviceFor(opened).declare(user("U1"), { title: "After the crash" });
        expect(key).toBe("INC-1");
        expect((await opened.store.loadIncident(key))?.timeline).toHaveLength(1);
      } finally {
        await opened.store.close();
      }
    } finally {
      await database.cleanup();
    }
  });
});
