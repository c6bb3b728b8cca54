// Correctly signed requests muster cannot use get a clean answer at once and
// never take the process down. The first case is the regression: a payload
// that decodes to JSON null made Bolt's receiver read `body.ssl_check` on
// null, and the TypeError ended the process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signSlackRequest } from "../helpers/slack-client.js";
import { SIGNING_SECRET, type Stack, startStack } from "../helpers/stack.js";

let stack: Stack;
const lines: string[] = [];
const crashes: unknown[] = [];
const onCrash = (e: unknown) => crashes.push(e);
beforeAll(async () => {
  process.on("unhandledRejection", onCrash);
  process.on("uncaughtException", onCrash);
  stack = await startStack({ logLevel: "info", logSink: (l) => lines.push(l) });
}, 30_000);
afterAll(async () => {
  await stack?.stop();
  process.off("unhandledRejection", onCrash);
  process.off("uncaughtException", onCrash);
});

const FORM = "application/x-www-form-urlencoded";

function signed(body: string, contentType: string, o: { timestamp?: number; secret?: string } = {}) {
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  return stack.client.raw(body, {
    "Content-Type": contentType,
    "X-Slack-Request-Timestamp": String(ts),
    "X-Slack-Signature": signSlackRequest(o.secret ?? SIGNING_SECRET, ts, body),
  });
}
const payload = (p: unknown) => `payload=${encodeURIComponent(JSON.stringify(p))}`;

async function stillServes() {
  const announce = stack.slack.channelByName("incident-response")!;
  const r = await stack.client.command({ userId: "UALICE", channelId: announce.id, text: "help" });
  expect(r.status).toBe(200);
  expect(r.body).toContain("/incident");
}

describe("signed requests muster cannot use", () => {
  it("a payload of JSON null is refused with 400 and the process lives on", async () => {
    const form = await signed("payload=null", FORM);
    const json = await signed("null", "application/json");
    expect([form.status, json.status]).toEqual([400, 400]);
    // Give a crash on the event loop the chance it would have had.
    await new Promise((r) => setTimeout(r, 50));
    expect(crashes).toEqual([]);
    await stillServes();
  });

  it("refuses bodies that are not objects, and payloads missing what their kind carries, with 400", async () => {
    const cases = [
      payload([]),
      payload(42),
      payload("block_actions"),
      payload({ type: "block_actions", actions: [{ action_id: "mitigate", type: "button" }] }),
      payload({ type: "block_actions", user: { id: "UALICE" }, actions: null }),
      payload({ type: "view_submission", user: { id: "UALICE" }, view: null }),
      payload({ type: "shortcut", user: null, callback_id: "declare_incident", trigger_id: "1.2.3" }),
      payload({ type: "message_action", user: { id: "UALICE" }, callback_id: "add_to_timeline", trigger_id: "1" }),
      payload({ no_type: true }),
      "command=%2Fincident&text=help",
      "[]",
      "{truncated",
    ];
    for (const body of cases) {
      const r = await signed(body, body.startsWith("[") || body.startsWith("{") ? "application/json" : FORM);
      expect(r.status, body).toBe(400);
      expect(r.ms, body).toBeLessThan(1_000);
    }
    const json = await signed(JSON.stringify({ type: "event_callback", event: null }), "application/json");
    expect(json.status).toBe(400);
    expect(crashes).toEqual([]);
    await stillServes();
  });

  it("answers kinds muster does not handle with an empty 200 at once, not after Slack's 3 s", async () => {
    const cases: [string, string][] = [
      [
        payload({ type: "view_closed", user: { id: "UALICE" }, view: { id: "V1", callback_id: "incident_declare" } }),
        FORM,
      ],
      [payload({ type: "block_suggestion", user: { id: "UALICE" }, action_id: "x", value: "" }), FORM],
      [payload({ type: "something_new" }), FORM],
      [
        "command=%2Fother&text=&user_id=UALICE&channel_id=C1&trigger_id=1.2.3&response_url=https%3A%2F%2Fexample.com",
        FORM,
      ],
      [
        JSON.stringify({ type: "event_callback", event: { type: "reaction_added", user: "UALICE" } }),
        "application/json",
      ],
      [JSON.stringify({ type: "app_rate_limited", minute_rate_limited: 1 }), "application/json"],
    ];
    for (const [body, type] of cases) {
      const r = await signed(body, type);
      expect(r.status, body).toBe(200);
      expect(r.body, body).toBe("");
      expect(r.ms, body).toBeLessThan(1_000);
    }
    await stillServes();
  });

  it("refuses a bad signature, a stale timestamp and one from the future with 401", async () => {
    const body = "command=%2Fincident&text=help";
    const now = Math.floor(Date.now() / 1000);
    const bad = await signed(body, FORM, { secret: "not-the-secret" });
    const stale = await signed(body, FORM, { timestamp: now - 6 * 60 });
    const future = await signed(body, FORM, { timestamp: now + 6 * 60 });
    expect([bad.status, stale.status, future.status]).toEqual([401, 401, 401]);
  });

  it("answers Slack's unsigned SSL check itself, and lets nothing smuggled in it reach Bolt", async () => {
    const opened = stack.slack.callsTo("views.open").length;
    const trigger = stack.slack.newTriggerId("UALICE");
    // Bolt reads `payload` before `ssl_check`: a payload riding along would be processed unsigned.
    const smuggled = new URLSearchParams({
      ssl_check: "1",
      payload: JSON.stringify({
        type: "shortcut",
        callback_id: "declare_incident",
        trigger_id: trigger,
        user: { id: "UALICE", username: "alice", team_id: stack.slack.teamId },
        team: { id: stack.slack.teamId, domain: "muster" },
      }),
    }).toString();
    const plain = await stack.client.raw("ssl_check=1&token=legacy", { "Content-Type": FORM });
    const r = await stack.client.raw(smuggled, { "Content-Type": FORM });
    expect([plain.status, r.status]).toEqual([200, 200]);
    expect(r.body).toBe("");
    await stack.muster.drained();
    expect(stack.slack.callsTo("views.open").length).toBe(opened);
  });

  it("logs what it refused by kind only, never the payload", async () => {
    const secret = "Zebra payroll export";
    await signed(payload({ type: "block_actions", user: { id: "UALICE" }, actions: [{ text: secret }] }), FORM);
    const refused = lines.filter((l) => l.includes("refused a malformed Slack payload"));
    expect(refused.length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toContain(secret);
  });
});
