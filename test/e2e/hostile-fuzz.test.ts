// Property-based hostile input over every kind of Slack payload muster parses,
// sent signed over HTTP (and as Socket Mode envelopes) to the real Bolt app.
// Every case must get a clean answer (a 4xx or an empty / message 200) within
// Slack's 3 s, and none may crash the process, produce a 500, store a
// half-made incident, or reach a log line above debug. Every generated string
// carries a canary so an echo of the input into the log is found wherever it lands.
//
// FUZZ_RUNS scales the number of cases per property (default 150 in the suite;
// `FUZZ_RUNS=2000 npx vitest run test/e2e/hostile-fuzz.test.ts` for a long run).
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTION, FIELD, SHORTCUT, VIEW } from "../../src/slack/ids.js";
import { SUBCOMMANDS } from "../../src/slack/subcommands.js";
import { type SentRequest, signSlackRequest } from "../helpers/slack-client.js";
import { SIGNING_SECRET, type Stack, startStack } from "../helpers/stack.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const CANARY = "qzfuzzcanary";
const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

let stack: Stack;
let socket: Stack;
const lines: string[] = [];
const crashes: unknown[] = [];
const onCrash = (e: unknown) => crashes.push(e);
let sent = 0;
const statuses = new Map<number, number>();
let slowest = 0;
let announceId = "";
let incidentChannelId = "";

beforeAll(async () => {
  process.on("unhandledRejection", onCrash);
  process.on("uncaughtException", onCrash);
  const sink = (l: string) => lines.push(l);
  stack = await startStack({ logLevel: "debug", logSink: sink });
  socket = await startStack({ logLevel: "debug", logSink: sink, socketMode: true });
  announceId = stack.slack.channelByName("incident-response")!.id;
  // A real incident, so forged references sometimes name one that exists.
  await stack.client.command({ userId: "UALICE", channelId: announceId, text: "declare Fuzz target" });
  await stack.client.submitView({
    userId: "UALICE",
    callbackId: VIEW.declare,
    values: {
      title: "Fuzz target",
      summary: "target",
      impacts: { options: ["outage"] },
      commanderId: { user: "UALICE" },
    },
  });
  await stack.settle();
  incidentChannelId = [...stack.slack.channels.values()].find((c) => c.name.startsWith("inc-1-"))!.id;
}, 60_000);

afterAll(async () => {
  await Promise.all([stack?.stop(), socket?.stop()]);
  process.off("unhandledRejection", onCrash);
  process.off("uncaughtException", onCrash);
  const byStatus = [...statuses.entries()].map(([s, n]) => `${s}×${n}`).join(", ");
  process.stdout.write(
    `\nhostile input: ${sent} generated Slack requests sent (${byStatus}); slowest answer ${Math.round(slowest)} ms\n`,
  );
});

// --- Generators ----------------------------------------------------------------------------------

const edgeCases = [
  "\u202Eevil\u202C", // right-to-left override
  "a\u200Bb\u200C\u200D\uFEFF", // zero-width characters
  "🔥🧯👩🏽‍🚒🏳️‍🌈",
  "\uD800", // lone high surrogate
  "\uDC00x", // lone low surrogate
  "<!channel>",
  "<!here|here> <!everyone>",
  "<https://evil.example|your bank>",
  "<@UADMIN> <#C000|general>",
  "*bold* _it_ ~s~ `code` ```block```",
  "INC-0",
  "INC-999999999999",
  "inc-1",
  "INC-1",
  "INC-1 INC-1",
  "%00\u0000nul",
  "'; DROP TABLE Incident; --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: template injection, on purpose
  "{{title}} ${process.env}",
  "   ",
  "\n\n\t",
];

/** Strings people and attackers type, always carrying the canary. */
const hostileText: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 3, arbitrary: fc.constantFrom(...edgeCases) },
    { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
    { weight: 2, arbitrary: fc.array(fc.constantFrom(...edgeCases), { maxLength: 4 }).map((a) => a.join(" ")) },
    { weight: 1, arbitrary: fc.constantFrom(100_000, 20_000).map((n) => "x".repeat(n)) },
  )
  .map((s) => `${CANARY}${s}`);

const userId = fc.oneof(
  fc.constantFrom("UALICE", "UBOB", "UADMIN", "UFORGED0001", "W0000000", "USLACKBOT", ""),
  hostileText,
);
const channelId = fc.oneof(
  fc.constant(() => announceId).map((f) => f()),
  fc.constant(() => incidentChannelId).map((f) => f()),
  fc.constantFrom("CFORGED0001", "D0000000", "G0000000", ""),
  hostileText,
);
const incidentRef = fc.oneof(fc.constantFrom("INC-1", "INC-0", "INC-999999999999", "1", "-1"), hostileText);
const anyJson = fc.jsonValue({ maxDepth: 3 });
/** A value of a wrong type, or null, for any field. */
const wrongType = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.array(anyJson, { maxLength: 3 }), anyJson);

const subcommandWord = fc.constantFrom(...SUBCOMMANDS.flatMap((s) => [s.name, ...(s.aliases ?? [])]), "help", "");
const commandText = fc.oneof(
  fc.tuple(subcommandWord, hostileText).map(([w, t]) => `${w} ${t}`),
  fc.tuple(subcommandWord, incidentRef, hostileText).map(([w, k, t]) => `${w} ${k} ${t}`),
  hostileText,
);

const team = { id: "T0MUSTER", domain: "muster" };
const user = (id: string) => ({ id, username: "someone", name: "someone", team_id: team.id });

const actionElement = fc.record({
  action_id: fc.oneof(fc.constantFrom(...Object.values(ACTION)), hostileText),
  block_id: fc.oneof(fc.constant("b"), hostileText),
  type: fc.constantFrom("button", "static_select", "users_select", "overflow", "datepicker", "checkboxes", "mystery"),
  value: fc.oneof(
    incidentRef,
    hostileText,
    anyJson.map((v) => JSON.stringify(v)),
  ),
  selected_option: fc.option(fc.record({ value: fc.oneof(incidentRef, hostileText) }), { nil: undefined }),
  selected_user: fc.option(userId, { nil: undefined }),
  action_ts: fc.constant("1700000000.000100"),
});

const blockActions = fc
  .record({
    user: userId,
    channel: channelId,
    ts: fc.oneof(fc.constant("1700000000.000100"), hostileText),
    actions: fc.array(actionElement, { minLength: 1, maxLength: 3 }),
    inView: fc.boolean(),
    metadata: fc.oneof(
      incidentRef,
      hostileText,
      anyJson.map((v) => JSON.stringify(v)),
    ),
  })
  .map((a) => ({
    type: "block_actions",
    user: user(a.user),
    team,
    api_app_id: "A0MUSTER",
    trigger_id: "1.2.fuzz",
    ...(a.inView
      ? {
          container: { type: "view", view_id: "VFUZZ" },
          view: { id: "VFUZZ", callback_id: VIEW.update, private_metadata: a.metadata, state: { values: {} } },
        }
      : {
          container: { type: "message", message_ts: a.ts, channel_id: a.channel },
          channel: { id: a.channel, name: "fuzz" },
          message: { type: "message", ts: a.ts, text: "", blocks: [] },
          response_url: "https://hooks.slack.com/actions/T0MUSTER/1/fuzz",
        }),
    actions: a.actions,
  }));

const stateValue = fc.record(
  {
    type: fc.constantFrom(
      "plain_text_input",
      "static_select",
      "multi_static_select",
      "users_select",
      "datepicker",
      "datetimepicker",
      "checkboxes",
      "radio_buttons",
      "number_input",
    ),
    value: fc.oneof(hostileText, incidentRef, wrongType),
    selected_option: fc.oneof(
      fc.record({ value: fc.oneof(hostileText, fc.constantFrom("critical", "high")) }),
      wrongType,
    ),
    selected_options: fc.oneof(fc.array(fc.record({ value: hostileText }), { maxLength: 3 }), wrongType),
    selected_user: fc.oneof(userId, wrongType),
    selected_date: fc.oneof(fc.constantFrom("2026-02-30", "1970-01-01", "9999-12-31"), hostileText),
    selected_date_time: fc.oneof(fc.integer(), wrongType),
  },
  { requiredKeys: ["type"] },
);
const fieldNames = [...Object.values(FIELD), "value", "nonsense"];
const viewSubmission = fc
  .record({
    user: userId,
    callbackId: fc.oneof(fc.constantFrom(...Object.values(VIEW)), hostileText),
    metadata: fc.oneof(
      incidentRef,
      hostileText,
      anyJson.map((v) => JSON.stringify(v)),
      fc.record({ key: incidentRef, channelId }).map((m) => JSON.stringify(m)),
    ),
    values: fc.dictionary(fc.constantFrom(...fieldNames), fc.dictionary(fc.constantFrom("value", "x"), stateValue), {
      maxKeys: 8,
    }),
    closed: fc.boolean(),
  })
  .map((v) => ({
    type: v.closed ? "view_closed" : "view_submission",
    team,
    user: user(v.user),
    api_app_id: "A0MUSTER",
    trigger_id: "1.2.fuzz",
    view: {
      id: "VFUZZ",
      type: "modal",
      callback_id: v.callbackId,
      private_metadata: v.metadata,
      blocks: [],
      state: { values: v.values },
    },
    response_urls: [],
  }));

const shortcut = fc
  .record({
    user: userId,
    channel: channelId,
    callbackId: fc.oneof(fc.constantFrom(...Object.values(SHORTCUT)), hostileText),
    text: hostileText,
    global: fc.boolean(),
  })
  .map((s) =>
    s.global
      ? {
          type: "shortcut",
          team,
          user: user(s.user),
          callback_id: s.callbackId,
          trigger_id: "1.2.fuzz",
          action_ts: "1",
        }
      : {
          type: "message_action",
          team,
          user: user(s.user),
          channel: { id: s.channel, name: "fuzz" },
          callback_id: s.callbackId,
          trigger_id: "1.2.fuzz",
          response_url: "https://hooks.slack.com/actions/T0MUSTER/1/fuzz",
          message_ts: "1700000000.000100",
          message: { type: "message", ts: "1700000000.000100", text: s.text, user: s.user },
        },
  );

const optionsRequest = fc.record({ user: userId, action: hostileText, value: hostileText }).map((o) => ({
  type: "block_suggestion",
  team,
  user: user(o.user),
  action_id: o.action,
  block_id: "b",
  value: o.value,
}));

const eventCallback = fc
  .record({
    type: fc.constantFrom("app_home_opened", "app_mention", "message", "member_joined_channel", "reaction_added"),
    user: userId,
    tab: fc.oneof(fc.constantFrom("home", "messages"), hostileText),
    channel: channelId,
    text: hostileText,
  })
  .map((e) => ({
    type: "event_callback",
    team_id: team.id,
    api_app_id: "A0MUSTER",
    event: { ...e, event_ts: "1700000000.000100" },
    event_id: "EvFUZZ",
    event_time: 1700000000,
  }));

/** A payload with one field anywhere replaced by a wrong type or null, deleted, or joined by an extra one. */
function mutated<T>(base: fc.Arbitrary<T>) {
  return fc
    .tuple(
      base,
      fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
      fc.constantFrom("replace", "delete", "extra"),
      wrongType,
    )
    .map(([payload, path, how, value]) => {
      const copy = structuredClone(payload) as unknown;
      let node = copy;
      for (const step of path) {
        if (typeof node !== "object" || node === null) break;
        const keys = Object.keys(node);
        if (keys.length === 0) break;
        const key = keys[step % keys.length]!;
        const child = (node as Record<string, unknown>)[key];
        const last = step === path[path.length - 1] || typeof child !== "object" || child === null;
        if (last) {
          const target = node as Record<string, unknown>;
          if (how === "replace") target[key] = value;
          else if (how === "delete") delete target[key];
          else target[`${CANARY}extra`] = value;
          break;
        }
        node = child;
      }
      return copy;
    });
}

// --- Sending and judging ---------------------------------------------------------------------------

function record(r: SentRequest) {
  sent++;
  statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  slowest = Math.max(slowest, r.ms);
}

async function signed(body: string, contentType: string | undefined, timestamp = Math.floor(Date.now() / 1000)) {
  const headers: Record<string, string> = {
    "X-Slack-Request-Timestamp": String(timestamp),
    "X-Slack-Signature": signSlackRequest(SIGNING_SECRET, timestamp, body),
  };
  if (contentType) headers["Content-Type"] = contentType;
  const r = await stack.client.raw(body, headers);
  record(r);
  return r;
}

const asForm = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

/** A clean answer: a refusal, or a 200 Slack accepts; at once, and nothing broke. */
function expectClean(r: SentRequest, allowed = [200, 400, 401, 413]) {
  expect(allowed, `status ${r.status}: ${r.body.slice(0, 200)}`).toContain(r.status);
  expect(r.ms).toBeLessThan(3_000);
  expect(crashes).toEqual([]);
}

async function property<T>(arb: fc.Arbitrary<T>, check: (v: T) => Promise<void>, runs = RUNS) {
  await fc.assert(fc.asyncProperty(arb, check), { numRuns: runs, endOnFailure: true });
}

describe("hostile input over signed HTTP", () => {
  it("slash command text, with forged users and channels", async () => {
    await property(fc.record({ text: commandText, user: userId, channel: channelId }), async (c) => {
      const body = new URLSearchParams({
        token: "x",
        team_id: team.id,
        team_domain: team.domain,
        channel_id: c.channel,
        channel_name: "fuzz",
        user_id: c.user,
        user_name: "someone",
        command: "/incident",
        text: c.text,
        api_app_id: "A0MUSTER",
        response_url: "https://hooks.slack.com/commands/T0MUSTER/1/fuzz",
        trigger_id: "1.2.fuzz",
      }).toString();
      const r = await signed(body, FORM);
      // A slash command always gets an answer the person can read.
      expectClean(r, [200, 413]);
    });
  }, 300_000);

  it("block actions, view submissions and closes, shortcuts, options and events", async () => {
    const interactive = fc.oneof(blockActions, viewSubmission, shortcut, optionsRequest);
    await property(interactive, async (p) => expectClean(await signed(asForm(p), FORM)));
    await property(eventCallback, async (e) => expectClean(await signed(JSON.stringify(e), JSON_TYPE)));
  }, 300_000);

  it("wrong types, nulls, missing and extra fields at every level", async () => {
    const any = fc.oneof(mutated(blockActions), mutated(viewSubmission), mutated(shortcut), mutated(optionsRequest));
    await property(any, async (p) => expectClean(await signed(asForm(p), FORM)));
    await property(mutated(eventCallback), async (e) => expectClean(await signed(JSON.stringify(e), JSON_TYPE)));
  }, 300_000);

  it("truncated JSON, wrong content types, stale and replayed requests", async () => {
    const bodies = fc.oneof(blockActions, viewSubmission, eventCallback);
    await property(
      fc.tuple(bodies, fc.nat(), fc.constantFrom(FORM, JSON_TYPE, "text/plain", "multipart/form-data", undefined)),
      async ([p, cut, type]) => {
        const whole = type === FORM ? asForm(p) : JSON.stringify(p);
        const truncated = whole.slice(0, cut % Math.max(1, whole.length));
        expectClean(await signed(truncated, type));
        expectClean(await signed(whole, type));
      },
    );
    await property(blockActions, async (p) => {
      const body = asForm(p);
      const stale = await signed(body, FORM, Math.floor(Date.now() / 1000) - 600);
      expectClean(stale, [401]);
      // Slack retries (and an attacker replays) the same signed body: the second answer is as clean.
      const ts = Math.floor(Date.now() / 1000);
      expectClean(await signed(body, FORM, ts));
      expectClean(await signed(body, FORM, ts));
    });
  }, 300_000);
});

describe("hostile input over Socket Mode", () => {
  it("every envelope is acknowledged within 3 s and none ends the process", async () => {
    const envelopes = fc.oneof(
      fc.oneof(blockActions, viewSubmission, shortcut, mutated(viewSubmission)).map((p) => ["interactive", p] as const),
      fc.oneof(eventCallback, mutated(eventCallback)).map((p) => ["events_api", p] as const),
      fc.record({ text: commandText, user: userId }).map(
        (c) =>
          [
            "slash_commands",
            {
              command: "/incident",
              text: c.text,
              user_id: c.user,
              channel_id: announceId,
              trigger_id: "1.2.fuzz",
              response_url: "https://hooks.slack.com/commands/T0MUSTER/1/fuzz",
            },
          ] as const,
      ),
      fc.constantFrom(null, 42, "text", [], {}).map((p) => ["interactive", p] as const),
    );
    await property(
      envelopes,
      async ([type, payload]) => {
        const started = performance.now();
        await socket.slack.socketMode.deliver(type, payload);
        const ms = performance.now() - started;
        sent++;
        slowest = Math.max(slowest, ms);
        expect(ms).toBeLessThan(3_000);
        expect(crashes).toEqual([]);
      },
      Math.max(10, Math.floor(RUNS / 2)),
    );
  }, 300_000);
});

describe("after the storm", () => {
  it("no input reached a log line above debug, and every stored incident is whole", async () => {
    await stack.muster.drained();
    await socket.muster.drained();
    const leaked = lines.filter((l) => l.includes(CANARY) && (JSON.parse(l) as { level: number }).level > 20);
    expect(leaked.slice(0, 3)).toEqual([]);
    for (const s of [stack, socket]) {
      const db = new Database(s.databaseUrl.replace(/^file:/, ""), { readonly: true });
      try {
        const incidents = db.prepare("SELECT id, key FROM Incident").all() as { id: string; key: string }[];
        for (const i of incidents) {
          const declared = db
            .prepare("SELECT COUNT(*) AS n FROM TimelineEvent WHERE incidentId = ? AND kind = 'declared'")
            .get(i.id) as { n: number };
          const commander = db
            .prepare(
              "SELECT COUNT(*) AS n FROM RoleAssignment WHERE incidentId = ? AND role = 'commander' AND endedAt IS NULL",
            )
            .get(i.id) as { n: number };
          expect({ key: i.key, declared: declared.n, commanders: commander.n }).toEqual({
            key: i.key,
            declared: 1,
            commanders: 1,
          });
        }
      } finally {
        db.close();
      }
    }
    await expect(
      stack.client.command({ userId: "UALICE", channelId: announceId, text: "status INC-1" }),
    ).resolves.toMatchObject({ status: 200 });
  });
});
