// Run as a child process by the outbox crash test: a whole muster (Bolt app
// and outbox worker) against the parent's emulators, configured by the
// environment the parent passes. Tells the parent its port, then runs until
// it is killed.
import { OAuth2Client } from "google-auth-library";
import pino from "pino";
import { parseConfig } from "../../src/config.js";
import { keepRunningOnUnhandledRejections, startMuster } from "../../src/main.js";
import { GOOGLE_TOKEN } from "./stack.js";

const parsed = parseConfig(process.env);
if (!parsed.ok) throw new Error(parsed.problems.join("; "));
const auth = new OAuth2Client();
auth.setCredentials({ access_token: GOOGLE_TOKEN });
const logger = pino({ level: process.env.LOG_LEVEL ?? "silent" });
// As `npm start` does: a rejection nobody handled is logged, not the end of the process.
keepRunningOnUnhandledRejections(logger);
const muster = await startMuster(parsed.config, {
  logger,
  googleAuth: auth,
  worker: { pollMs: 50, backoff: { baseMs: 50, maxMs: 500, maxAttempts: 20 } },
});
process.send?.({ port: muster.port });
// Never outlive the test that started us.
process.on("disconnect", () => process.exit(0));
