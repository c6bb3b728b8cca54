// Run as a child process by timeline-chain.test.ts: WRITERS concurrent loops
// append EACH events apiece to one incident, alternating a note command (a
// version bump, retried on a conflict) with an outside append (appendEvents),
// then tell the parent and exit.
import { createIncidentService } from "../../src/incidents/service.js";
import { openStore } from "../../src/store/open-store.js";
import { TEST_POLICY } from "./stores.js";

const [url, incidentId, key, writers, each, tag] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const { store } = await openStore(url, { poolSize: 6 });
const svc = createIncidentService({ store, policy: TEST_POLICY });
/** 20 writers on one incident outrun the service's own retries: a person would try again. */
async function noteUntilItLands(userId: string, text: string): Promise<void> {
  for (;;) {
    try {
      await svc.addNote({ userId, isAdmin: false }, { key, text });
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== "conflict") throw e;
    }
  }
}

try {
  await Promise.all(
    Array.from({ length: Number(writers) }, async (_, w) => {
      for (let i = 0; i < Number(each); i++) {
        const text = `${tag} writer ${w} event ${i}`;
        if (i % 2) await noteUntilItLands(`U${tag}${w}`, text);
        else
          await store.appendEvents([
            {
              incidentId,
              at: new Date(),
              actorId: `U${tag}${w}`,
              kind: "note",
              visibility: "internal",
              data: { text },
            },
          ]);
      }
    }),
  );
  process.send?.("done");
} catch (e) {
  const err = e as Error & { code?: string; meta?: unknown };
  process.send?.(`failed: ${err.name} ${err.code ?? ""} ${JSON.stringify(err.meta ?? null)} ${err.message}`);
} finally {
  await store.close();
}
