// Run as a child process by crash.test.ts: declares an incident through a
// store whose transaction stops dead half-way (after the incident row is
// written, before its events and jobs), tells the parent, and waits to be killed.
import type { IncidentStore, IncidentTx } from "../../src/incidents/ports.js";
import { createIncidentService } from "../../src/incidents/service.js";
import { openStore } from "../../src/store/open-store.js";
import { TEST_POLICY } from "./stores.js";

const url = process.argv[2] as string;
const { store } = await openStore(url, { poolSize: 2 });

const halting: IncidentStore = {
  ...store,
  transaction: (fn) =>
    store.transaction((tx) =>
      fn({
        ...tx,
        insertIncident: async (incident) => {
          await tx.insertIncident(incident);
          process.send?.("halfway");
          await new Promise(() => {}); // hang until SIGKILL
        },
      } satisfies IncidentTx),
    ),
};

await createIncidentService({ store: halting, policy: TEST_POLICY }).declare(
  { userId: "UCRASH", isAdmin: false },
  { title: "Killed mid-command" },
);
