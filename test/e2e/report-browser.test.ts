// The public outage report form in a real browser (Debian's headless
// Chromium through playwright-core): a person fills it in, sends it without
// any JavaScript on the page (the component picked from the status page's
// public list), sees the thank-you page, and the triage message
// arrives in #incident-response in the Slack emulator.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../helpers/stack.js";

const CHROMIUM = "/usr/bin/chromium";

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  // The form's time trap would refuse a browser that fills it in within milliseconds.
  // The status page's public components are the form's list.
  stack = await startStack({ env: { REPORT_MIN_FILL_SECONDS: "0", STATUS_PAGE_COMPONENTS: "API,Admin console,DNS" } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe.runIf(existsSync(CHROMIUM))("the outage report form in Chromium", () => {
  it("sends a report with JavaScript off and the triage message reaches Slack", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${stack.muster.port}/report`);
    expect(await page.title()).toBe("Report an outage");
    // The honeypot is off the screen: a person never sees it, a form-filling bot does.
    const trap = await page.locator("#website").boundingBox();
    expect(trap === null || trap.x + trap.width <= 0).toBe(true);
    await page.fill("#description", "The admin console shows a blank page since 09:10 <!channel>");
    await page.fill("#contact", "someone@example.net");
    expect(await page.locator("#component option").allTextContents()).toEqual([
      "Not sure",
      "API",
      "Admin console",
      "DNS",
    ]);
    await page.selectOption("#component", "Admin console");
    await Promise.all([page.waitForURL("**/report/sent"), page.click("button[type=submit]")]);
    expect(await page.textContent("h1")).toBe("Thank you");
    await context.close();

    await stack.settle();
    const channel = stack.slack.channelByName("incident-response")!;
    const triage = stack.slack
      .messages(channel.id)
      .filter((m) => JSON.stringify(m.blocks).includes("The admin console shows a blank page"));
    expect(triage).toHaveLength(1);
    const shown = JSON.stringify(triage[0]!.blocks);
    expect(shown).toContain("someone@example.net");
    expect(shown).toContain("&lt;!channel&gt;");
    expect(shown).toContain("triage_declare");
    expect(shown).toContain("*Component*\\nAdmin console");
  }, 60_000);
});
