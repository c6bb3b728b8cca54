// What a person sees when something unexpected breaks, and what reaches the
// log at muster's default level: a shared reference, never incident text,
// never a token.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GITHUB_TOKEN, SIGNING_SECRET, type Stack, startStack } from "../helpers/stack.js";

const lines: string[] = [];
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ logLevel: "info", logSink: (l) => lines.push(l) });
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

const TITLE = "Zebra payroll export leaking salaries";
const SUMMARY = "Bucket s3://zebra-payroll is world readable";
const UPDATE = "Rotated the zebra keys, bucket locked";

describe("errors and logs", () => {
  it("shows an unexpected failure as a short reference that is also in the log, and logs no incident text or token", async () => {
    const announce = stack.slack.channelByName("incident-response")!;
    await stack.client.command({ userId: "UALICE", channelId: announce.id, text: `declare ${TITLE}` });
    await stack.client.submitView({
      userId: "UALICE",
      callbackId: "incident_declare",
      values: { title: TITLE, summary: SUMMARY, commanderId: { user: "UALICE" } },
    });
    await stack.settle();
    const channel = [...stack.slack.channels.values()].find((c) => c.name.startsWith("inc-1-"))!;
    await stack.client.command({ userId: "UALICE", channelId: channel.id, text: "update" });
    await stack.client.submitView({
      userId: "UALICE",
      callbackId: "incident_update",
      values: { internalText: UPDATE },
    });
    await stack.settle();

    // Slack fails in a way muster has no words for.
    stack.slack.faults.failNext("views.open", "internal_error");
    await stack.client.command({ userId: "UALICE", channelId: channel.id, text: "severity" });
    const shown = JSON.stringify(stack.slack.responseUrlPosts.at(-1));
    const ref = /ERR-[0-9A-F]{6}/.exec(shown)?.[0];
    expect(ref).toBeTruthy();
    expect(shown).toContain("Nothing was lost");
    expect(shown).not.toMatch(/internal_error|An API error|at .*\.js/);
    const logged = lines.map((l) => JSON.parse(l) as { level: number; ref?: string; slackError?: string });
    expect(logged.some((l) => l.ref === ref && l.level >= 50 && l.slackError === "internal_error")).toBe(true);

    const all = lines.join("\n");
    expect(lines.length).toBeGreaterThan(3);
    for (const secret of [TITLE, "zebra", SUMMARY, UPDATE, stack.slack.botToken, SIGNING_SECRET, GITHUB_TOKEN]) {
      expect(all.toLowerCase()).not.toContain(secret.toLowerCase());
    }
  });

  it("acknowledges a shortcut or submission it has no handler for, and logs only its kind (the id comes from outside)", async () => {
    const before = lines.length;
    const shortcut = await stack.client.globalShortcut({ userId: "UALICE", callbackId: "retired_shortcut" });
    expect(shortcut.status).toBe(200);
    const logged = lines.slice(before).map((l) => JSON.parse(l) as { level: number; kind?: string; msg: string });
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 40, kind: "shortcut", msg: "Slack sent a shortcut muster does not know" }),
    );
    expect(lines.slice(before).join("\n")).not.toContain("retired_shortcut");
  });
});
