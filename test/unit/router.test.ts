import { describe, expect, it } from "vitest";
import { SlackRouter } from "../../src/slack/router.js";

describe("Slack router", () => {
  it("refuses two handlers for one id when muster starts, not when someone clicks", () => {
    const router = new SlackRouter();
    router.action("open_severity", async () => {});
    router.view("open_severity", async () => {}); // another kind of payload: a different table
    expect(() => router.action("open_severity", async () => {})).toThrow(/two Slack action handlers for open_severity/);
  });
});
