// A whole muster (Bolt app and outbox worker) run as a child process by the
// tests that need real processes (test/helpers/muster-process.ts): against
// the parent's emulators, configured by the environment the parent passes,
// with its Google token (MUSTER_CHILD_GOOGLE_TOKEN) and a fast worker. Tells
// the parent its port, then runs until it is killed or the parent goes.
//
// MUSTER_CHILD_FROM=src runs the sources (the parent forks it under tsx);
// otherwise the compiled muster (dist/, built by `npm run build`) under plain
// Node, as `npm start` runs it, without tsx transpiling the sources at every
// restart (about a second of CPU more per start, taken from the surviving
// replica while it carries the load).
import { OAuth2Client } from "google-auth-library";
import pino from "pino";

const from = process.env.MUSTER_CHILD_FROM === "src" ? "src" : "dist";
const { parseConfig } = await import(`../../${from}/config.js`);
const { keepRunningOnUnhandledRejections, startMuster } = await import(`../../${from}/main.js`);

const parsed = parseConfig(process.env);
if (!parsed.ok) throw new Error(parsed.problems.join("; "));
const auth = new OAuth2Client();
auth.setCredentials({ access_token: process.env.MUSTER_CHILD_GOOGLE_TOKEN });
const logger = pino({ level: process.env.LOG_LEVEL ?? "silent" });
// As `npm start` does: a rejection nobody handled is logged, not the end of the process.
keepRunningOnUnhandledRejections(logger);
const muster = await startMuster(parsed.config, {
  logger,
  googleAuth: auth,
  worker: { pollMs: 50, backoff: { baseMs: 50, maxMs: 500, maxAttempts: 20 } },
});
process.send?.({ port: muster.port });
process.on("disconnect", () => process.exit(0));
