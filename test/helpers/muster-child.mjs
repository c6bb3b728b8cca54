// The reliability suite's muster process, as `npm start` runs it: the
// compiled muster (dist/, built by `npm run build`) under plain Node, without
// tsx transpiling the sources at every restart (about a second of CPU more
// per start, taken from the surviving replica while it carries the load).
// Otherwise the same as muster-child.ts: the parent's emulators, its Google
// token (MUSTER_CHILD_GOOGLE_TOKEN), a fast worker; tells the parent its port.
import { OAuth2Client } from "google-auth-library";
import pino from "pino";
import { parseConfig } from "../../dist/config.js";
import { keepRunningOnUnhandledRejections, startMuster } from "../../dist/main.js";

const parsed = parseConfig(process.env);
if (!parsed.ok) throw new Error(parsed.problems.join("; "));
const auth = new OAuth2Client();
auth.setCredentials({ access_token: process.env.MUSTER_CHILD_GOOGLE_TOKEN });
const logger = pino({ level: process.env.LOG_LEVEL ?? "silent" });
keepRunningOnUnhandledRejections(logger);
const muster = await startMuster(parsed.config, {
  logger,
  googleAuth: auth,
  worker: { pollMs: 50, backoff: { baseMs: 50, maxMs: 500, maxAttempts: 20 } },
});
process.send?.({ port: muster.port });
process.on("disconnect", () => process.exit(0));
