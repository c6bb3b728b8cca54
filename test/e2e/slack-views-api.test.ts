// The lean client for views.open / views.publish (src/slack/views-api.ts)
// against the Slack emulator: what Slack receives, and that every way a call
// can fail arrives as @slack/web-api's own error class, which the listeners'
// error mapper already reads.
import { createServer } from "node:net";
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_COMPANY_POLICY } from "../../src/incidents/company-policy.js";
import { declareModal } from "../../src/slack/forms/declare.js";
import { slackViews } from "../../src/slack/views-api.js";
import { type SlackEmulator, startSlackEmulator } from "../emulators/slack.js";

let slack: SlackEmulator;
let views: ReturnType<typeof slackViews>;
beforeAll(async () => {
  slack = await startSlackEmulator();
  views = slackViews({ apiUrl: slack.url, token: slack.botToken, timeoutMs: 2_000 });
});
afterAll(async () => {
  await views?.close();
  await slack?.close();
});
beforeEach(() => slack.faults.reset());

// The modal muster itself opens most: what it sends is what Slack must accept.
const modal = declareModal({ declarerId: "UALICE", policy: DEFAULT_COMPANY_POLICY });

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("the call did not fail");
}

describe("views client", () => {
  it("opens a modal from a trigger_id, as JSON with the bot token in the header", async () => {
    await views.open(slack.newTriggerId("UALICE"), modal);
    const call = slack.callsTo("views.open").at(-1)!;
    expect(call.ok).toBe(true);
    expect([...slack.views.values()].at(-1)?.view).toMatchObject({ callback_id: "incident_declare" });
  });

  it("publishes a user's App Home", async () => {
    await views.publish("UALICE", {
      type: "home",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "hi" } }],
    });
    expect(JSON.stringify(slack.homeViews.get("UALICE"))).toContain("hi");
  });

  it("reports a spent trigger as Slack's error code", async () => {
    const trigger = slack.newTriggerId("UALICE");
    await views.open(trigger, modal);
    const e = await failure(views.open(trigger, modal));
    expect(e).toBeInstanceOf(WebAPIPlatformError);
    expect((e as WebAPIPlatformError).data.error).toBe("exchanged_trigger_id");
  });

  it("reports a modal Slack refuses, and a bad token, as platform errors", async () => {
    const bad = await failure(views.open(slack.newTriggerId("UALICE"), { ...modal, title: undefined }));
    expect(bad).toBeInstanceOf(WebAPIPlatformError);
    const other = slackViews({ apiUrl: slack.url, token: "xoxb-wrong" });
    try {
      const e = await failure(other.open(slack.newTriggerId("UALICE"), modal));
      expect((e as WebAPIPlatformError).data.error).toBe("invalid_auth");
    } finally {
      await other.close();
    }
  });

  it("reports a rate limit with Slack's Retry-After, without retrying", async () => {
    slack.faults.rateLimitNext("views.open", 7);
    const before = slack.callsTo("views.open").length;
    const e = await failure(views.open(slack.newTriggerId("UALICE"), modal));
    expect(e).toBeInstanceOf(WebAPIRateLimitedError);
    expect((e as WebAPIRateLimitedError).retryAfter).toBe(7);
    expect(slack.callsTo("views.open").length).toBe(before + 1);
  });

  it("reports Slack being down as an HTTP error, and a dead address or a hung answer as a request error", async () => {
    slack.faults.down = true;
    const down = await failure(views.open(slack.newTriggerId("UALICE"), modal));
    expect(down).toBeInstanceOf(WebAPIHTTPError);
    expect((down as WebAPIHTTPError).statusCode).toBe(503);
    slack.faults.down = false;

    // A port nothing listens on.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const dead = slackViews({ apiUrl: `http://127.0.0.1:${port}/api/`, token: "xoxb-test" });
    try {
      expect(await failure(dead.open("1.2.3", modal))).toBeInstanceOf(WebAPIRequestError);
    } finally {
      await dead.close();
    }

    slack.faults.methodLatencyMs["views.open"] = 5_000;
    const started = Date.now();
    expect(await failure(views.open(slack.newTriggerId("UALICE"), modal))).toBeInstanceOf(WebAPIRequestError);
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});
