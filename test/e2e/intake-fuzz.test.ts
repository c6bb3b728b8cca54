// Hostile input on the two ways in from outside Slack, property-based: the
// public outage form and the alert hook get random and malformed bodies,
// headers and encodings. Every case gets a clean answer (2xx, 303, 4xx; never
// a 500) quickly, the process survives, an unauthenticated alert changes
// nothing, and no generated text reaches a log line above debug (a canary is
// in every string). FUZZ_RUNS scales the cases per property (default 100).
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertSignature } from "../../src/web/alerts-hook.js";
import { type Stack, startStack } from "../helpers/stack.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const CANARY = "qzintakecanary";
const TOKEN = "fuzz-alert-token-0123456789";
const SECRET = "fuzz-alert-secret-0123456789";

let stack: Stack;
let base: string;
const lines: string[] = [];
const crashes: unknown[] = [];
const onCrash = (e: unknown) => crashes.push(e);
const statuses = new Map<number, number>();
let sent = 0;
let slowest = 0;

beforeAll(async () => {
  process.on("unhandledRejection", onCrash);
  process.on("uncaughtException", onCrash);
  stack = await startStack({
    logLevel: "debug",
    logSink: (l) => lines.push(l),
    // Large limits: the rate limit is proven elsewhere; here every case must reach the parser.
    env: {
      ALERT_TOKEN: TOKEN,
      ALERT_HMAC_SECRET: SECRET,
      REPORT_MIN_FILL_SECONDS: "0",
      REPORT_LIMIT_PER_ADDRESS: "10000",
      REPORT_LIMIT_PER_CLIENT: "100000",
    },
  });
  base = `http://127.0.0.1:${stack.muster.port}`;
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  process.off("unhandledRejection", onCrash);
  process.off("uncaughtException", onCrash);
  process.stdout.write(
    `intake fuzz: ${sent} requests (${[...statuses].map(([s, n]) => `${s}×${n}`).join(", ")}); slowest answer ${slowest} ms\n`,
  );
});

const count = (sql: string) => {
  const d = new Database(stack.databaseUrl.slice("file:".length), { readonly: true });
  try {
    return (d.prepare(sql).get() as { n: number }).n;
  } finally {
    d.close();
  }
};
const reports = () => count(`SELECT count(*) AS n FROM "TriageReport"`);
const pendingJobs = () => count(`SELECT count(*) AS n FROM "Job" WHERE "status" IN ('pending', 'running')`);

async function send(path: string, init: RequestInit): Promise<number> {
  const started = Date.now();
  const r = await fetch(`${base}${path}`, { ...init, redirect: "manual" });
  await r.arrayBuffer();
  slowest = Math.max(slowest, Date.now() - started);
  sent++;
  statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  return r.status;
}

// Strings that try everything: mentions, links, HTML, bidi overrides, lone surrogates, huge ones.
const nasty = fc
  .oneof(
    fc.string({ maxLength: 60 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.constantFrom(
      "<!channel>",
      "<https://x.example|y>",
      "<script>alert(1)</script>",
      "\u202e\u200b",
      "\ud800",
      "INC-0",
    ),
    // 100 kB, built cheaply (generating it character by character would dominate the run).
    fc.string({ minLength: 1, maxLength: 4 }).map((s) => s.repeat(Math.ceil(100_000 / s.length)).slice(0, 100_000)),
  )
  .map((s) => `${CANARY}${s}`);
const jsonValue = fc.jsonValue({ maxDepth: 3 });

describe("hostile input on /report and /hooks/alerts", () => {
  it("answers every outage form submission cleanly", async () => {
    const { token } = await fetch(`${base}/report`)
      .then((r) => r.text())
      .then((p) => ({ token: /name="token" value="([^"]+)"/.exec(p)![1]! }));
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            description: nasty,
            contact: fc.oneof(
              nasty,
              fc.stringMatching(/^[a-z0-9]{1,12}@[a-z]{1,10}\.(com|org|net)$/).map((e) => e),
            ),
            component: nasty,
            website: fc.constantFrom("", "", "", "", "x"),
            token: fc.oneof({ arbitrary: fc.constant(token), weight: 4 }, { arbitrary: nasty, weight: 1 }),
          },
          { requiredKeys: ["token", "contact", "description"] },
        ),
        fc.oneof(
          { arbitrary: fc.constant("application/x-www-form-urlencoded"), weight: 6 },
          { arbitrary: fc.constantFrom("text/plain", "application/json", ""), weight: 1 },
        ),
        async (fields, type) => {
          const status = await send("/report", {
            method: "POST",
            headers: type ? { "content-type": type } : {},
            body: new URLSearchParams(fields as Record<string, string>).toString(),
          });
          expect([303, 400, 413, 415, 429]).toContain(status);
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  it("refuses every unauthenticated alert and answers every authenticated one cleanly", async () => {
    const before = reports();
    await fc.assert(
      fc.asyncProperty(jsonValue, fc.constantFrom("none", "wrong", "bad-signature"), async (body, auth) => {
        const text = JSON.stringify(body);
        const now = String(Math.floor(Date.now() / 1000));
        const headers: Record<string, string> =
          auth === "wrong"
            ? { authorization: `Bearer ${CANARY}-wrong-token` }
            : auth === "bad-signature"
              ? { "x-muster-timestamp": now, "x-muster-signature": alertSignature(`${CANARY}-secret`, now, text) }
              : {};
        expect(await send("/hooks/alerts", { method: "POST", headers, body: text })).toBe(401);
      }),
      { numRuns: RUNS },
    );
    expect(reports()).toBe(before);

    const alert = fc.record(
      {
        name: fc.oneof(
          { arbitrary: nasty, weight: 5 },
          { arbitrary: fc.integer() as fc.Arbitrary<unknown>, weight: 1 },
        ),
        status: fc.constantFrom("firing", "firing", "resolved", "open", 3),
        summary: nasty,
        severity: fc.oneof(fc.constantFrom("critical", "warning", "page"), nasty),
        labels: fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(nasty, jsonValue)), jsonValue),
        url: fc.oneof(fc.webUrl(), nasty, fc.constant("javascript:alert(1)")),
        version: fc.constantFrom(undefined, undefined, undefined, "4", 4),
        alerts: fc.oneof(
          fc.array(
            fc.record({ status: fc.constantFrom("firing", "resolved"), labels: fc.dictionary(fc.string(), nasty) }),
            { minLength: 1, maxLength: 3 },
          ),
          jsonValue,
        ),
        groupKey: nasty,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(alert, fc.array(alert, { maxLength: 3 }), jsonValue), async (body) => {
        const status = await send("/hooks/alerts", {
          method: "POST",
          headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        expect([200, 400, 413]).toContain(status);
      }),
      { numRuns: RUNS },
    );
    // Truncated JSON and a body over the limit.
    const headers = { authorization: `Bearer ${TOKEN}` };
    expect(await send("/hooks/alerts", { method: "POST", headers, body: '{"name":"x' })).toBe(400);
    expect(await send("/hooks/alerts", { method: "POST", headers, body: "x".repeat(1_100_000) })).toBe(413);
  }, 180_000);

  it("never crashed, never answered 500, and never logged the input above debug", async () => {
    // Slack paces posts to one channel (about one a second): the outbox waits out its Retry-After.
    const deadline = Date.now() + 90_000;
    while (pendingJobs() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(pendingJobs()).toBe(0);
    expect(crashes).toEqual([]);
    // Every post and update Slack was sent was one it took.
    const refused = stack.slack.calls
      .filter((c) => !c.ok && c.error !== "ratelimited")
      .map((c) => `${c.method}: ${c.error}`);
    expect(refused).toEqual([]);
    expect(statuses.get(500) ?? 0).toBe(0);
    expect(slowest).toBeLessThan(3000);
    const leaks = lines.filter((l) => {
      const level = (JSON.parse(l) as { level: number }).level;
      return level > 20 && l.includes(CANARY);
    });
    expect(leaks).toEqual([]);
    // What was accepted reached Slack, escaped: nothing generated pings or links anyone.
    const posted = stack.slack.messages(stack.slack.channelByName("incident-response")!.id);
    expect(posted.length).toBeGreaterThanOrEqual(5);
    for (const m of posted) {
      // mrkdwn is where Slack would act on them (plain_text headers show them as written).
      const mrkdwn = JSON.stringify([
        m.text,
        ...(JSON.stringify(m.blocks).match(/"type":"mrkdwn","text":"(?:[^"\\]|\\.)*"/g) ?? []),
      ]);
      expect(mrkdwn).not.toMatch(/<!channel>|<https:\/\/x\.example/);
    }
    expect((await stack.muster.worker.stats()).dead).toBe(0);
    // Above the 90 s wait for the paced outbox (Vitest's default of 30 s cut it short when the
    // generated cases happened to queue more than ~30 triage messages).
  }, 120_000);
});
