// Socket Mode (SLACK_APP_TOKEN set): no public endpoint; Slack delivers the
// same requests over a WebSocket the app opens, and the app acknowledges each
// envelope on it. The emulator plays Slack's side of that connection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../helpers/stack.js";

let stack: Stack;
const crashes: unknown[] = [];
const onCrash = (e: unknown) => crashes.push(e);
beforeAll(async () => {
  process.on("unhandledRejection", onCrash);
  process.on("uncaughtException", onCrash);
  stack = await startStack({ socketMode: true });
}, 30_000);
afterAll(async () => {
  await stack?.stop();
  process.off("unhandledRejection", onCrash);
  process.off("uncaughtException", onCrash);
});

describe("Socket Mode", () => {
  it("connects with the app-level token and serves health checks over HTTP", async () => {
    expect(stack.slack.socketMode.connections()).toBe(1);
    expect(stack.slack.calls.some((c) => c.method === "apps.connections.open" && c.ok)).toBe(true);
    const health = await fetch(`http://127.0.0.1:${stack.muster.port}/healthz`);
    expect(health.status).toBe(200);
  });

  it("declares an incident: command, modal, submission and the whole outbox, over the socket", async () => {
    const announce = stack.slack.channelByName("incident-response")!;
    const help = await stack.client.command({ userId: "UALICE", channelId: announce.id, text: "help" });
    expect(help.body).toContain("/incident declare"); // answered in the acknowledgement
    await stack.client.command({ userId: "UALICE", channelId: announce.id, text: "declare Socket outage" });
    expect(stack.slack.callsTo("views.open").filter((c) => c.ok)).toHaveLength(1);
    await stack.client.submitView({
      userId: "UALICE",
      callbackId: "incident_declare",
      values: { title: "Socket outage", summary: "Declared over Socket Mode", commanderId: { user: "UALICE" } },
    });
    await stack.settle();
    const channel = [...stack.slack.channels.values()].find((c) => c.name.startsWith("inc-1-"))!;
    expect(channel.members.has("UALICE")).toBe(true);
    expect(stack.github.issues("tailscale/corp").map((i) => i.title)).toEqual(["[INC-1] Socket outage"]);
    // A refusal comes back in the envelope's acknowledgement, as over HTTP. (In the incident's
    // channel the form would not even open for Bob; outside it, it asks which incident.)
    await stack.client.command({ userId: "UBOB", channelId: announce.id, text: "severity" });
    const refused = await stack.client.submitView({
      userId: "UBOB",
      callbackId: "incident_severity",
      values: { key: { option: "INC-1" }, severity: { option: "high" }, reason: "not mine to change" },
    });
    expect(JSON.stringify(refused.json)).toMatch(/"response_action":"update".*Incident Commander/);
  });

  it("acknowledges at once every envelope muster cannot use, and lives on (a null payload used to throw uncaught)", async () => {
    const envelopes: [Parameters<typeof stack.slack.socketMode.deliver>[0], unknown][] = [
      ["interactive", null],
      ["slash_commands", null],
      ["events_api", null],
      ["interactive", 5],
      ["interactive", { type: "block_actions" }],
      ["events_api", { type: "event_callback", event: null }],
      ["events_api", { type: "event_callback", event: { type: "reaction_added", user: "UALICE" } }],
      ["interactive", { type: "view_closed", user: { id: "UALICE" }, view: { id: "V1", callback_id: "x" } }],
    ];
    for (const [type, payload] of envelopes) {
      // deliver() rejects when the app does not acknowledge within Slack's 3 s.
      const ack = await stack.slack.socketMode.deliver(type, payload);
      expect(ack.payload, JSON.stringify(payload)).toEqual({});
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(crashes).toEqual([]);
    const announce = stack.slack.channelByName("incident-response")!;
    const help = await stack.client.command({ userId: "UALICE", channelId: announce.id, text: "help" });
    expect(help.body).toContain("/incident declare");
  });
});
