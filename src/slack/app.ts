// Registers muster's listeners on a Bolt app. The app itself (and its
// receiver: HTTP or Socket Mode) is built in main.ts.
import type { App } from "@slack/bolt";
import type { SlackDeps } from "./deps.js";
import { registerFormSubmissions } from "./forms/index.js";
import { registerButtons } from "./listeners/buttons.js";
import { registerCommand } from "./listeners/command.js";
import { registerDeclare } from "./listeners/declare.js";
import { registerHome } from "./listeners/home.js";
import { registerTimelineShortcut } from "./listeners/timeline-shortcut.js";
import { SlackRouter } from "./router.js";

export interface ListenerTracker {
  /** Resolves when no listener is still working on a request (they go on after the ack). */
  drained(timeoutMs?: number): Promise<boolean>;
}

export function registerListeners(app: App, deps: SlackDeps): ListenerTracker {
  // Listeners keep working after they acknowledge; count them so shutdown
  // (and anyone waiting for quiet) can wait for the work to finish.
  let inFlight = 0;
  app.use(async ({ next }) => {
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
  });
  registerCommand(app, deps);
  registerHome(app, deps);
  const router = new SlackRouter();
  registerDeclare(router, deps);
  registerFormSubmissions(router, deps);
  registerButtons(router, deps);
  registerTimelineShortcut(router, deps);
  router.attach(app, deps.logger);
  app.error(async (e) => {
    // Bolt's own failures (a listener threw past our handlers): class and code only.
    const err = e as { name?: string; code?: string };
    deps.logger.error({ errName: err.name, errCode: err.code }, "unhandled Slack listener error");
  });
  return {
    async drained(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (inFlight > 0) {
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 5));
      }
      return true;
    },
  };
}
