// Who may do what, as people meet it in Slack: every /incident subcommand
// typed by every kind of person, for a public and a private incident, through
// the real Bolt app. The expected table is written out here by hand, not
// derived from PERMISSIONS, so a change to who may act shows up as a failing
// cell. For the private incident it also checks that nothing a person outside
// the response sees (replies, modals, DMs) carries its title or summary.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUBCOMMANDS } from "../../src/slack/subcommands.js";
import { type Stack, startStack } from "../helpers/stack.js";

const PEOPLE = {
  ic: "UALICE",
  comms: "UBOB",
  responder: "UCAROL",
  member: "UDAVE", // in the incident channel, no role
  outsider: "UERIN",
  admin: "UADMIN",
  successor: "UFRANK", // named in a pending hand-off
} as const;
type Who = keyof typeof PEOPLE;
const EVERYONE = Object.keys(PEOPLE) as Who[];

/** "ok": muster did it, opened its form, or answered with something other than a refusal. */
type Outcome = "ok" | "refused";
const only = (...who: Who[]): Record<string, Outcome> =>
  Object.fromEntries(EVERYONE.map((w) => [w, who.includes(w) ? "ok" : "refused"]));
const all = () => only(...EVERYONE);
const COMMANDER = only("ic", "admin");
const RESPONDERS = only("ic", "comms", "responder", "admin");

/**
 * The table. `public` is for the public incident; `private` overrides it for
 * the private one (seeing a private incident takes a role, or admin).
 */
const MATRIX: Record<string, { text: string; public: Record<string, Outcome>; private?: Record<string, Outcome> }> = {
  help: { text: "help", public: all() },
  declare: { text: "declare Another thing", public: all() },
  list: { text: "list", public: all() },
  hours: { text: "hours", public: all() },
  risks: { text: "risks", public: all() },
  dr: { text: "dr status", public: all() },
  status: { text: "status KEY", public: all(), private: RESPONDERS },
  followups: { text: "followups KEY", public: all(), private: RESPONDERS },
  severity: { text: "severity KEY", public: COMMANDER },
  role: { text: "role KEY", public: COMMANDER },
  unrole: { text: "unrole KEY", public: COMMANDER },
  handoff: { text: "handoff KEY", public: COMMANDER },
  impact: { text: "impact KEY", public: COMMANDER },
  times: { text: "times KEY", public: COMMANDER },
  update: { text: "update KEY", public: RESPONDERS },
  // The IC decides what is public, both ways. (Neither incident is published: those allowed get the plain answer.)
  unpublish: { text: "unpublish KEY", public: COMMANDER },
  vendor: { text: "vendor KEY", public: RESPONDERS },
  followup: { text: "followup KEY", public: RESPONDERS },
  risk: { text: "risk KEY", public: RESPONDERS },
  postmortem: { text: "postmortem KEY", public: RESPONDERS },
  // Escalation is the safety valve: anyone may pull it. On a private incident
  // its form would show what it is about, so it takes a role there too.
  escalate: { text: "escalate KEY", public: all(), private: RESPONDERS },
  note: { text: "note KEY checked the dashboards", public: all(), private: RESPONDERS },
  mitigate: { text: "mitigate KEY", public: COMMANDER },
  resolve: { text: "resolve KEY", public: COMMANDER },
  dismiss: { text: "dismiss KEY", public: COMMANDER },
  close: { text: "close KEY", public: COMMANDER },
  reopen: { text: "reopen KEY", public: COMMANDER },
  repair: { text: "repair KEY", public: COMMANDER },
  postmortemWaive: { text: "postmortem KEY waive Duplicate of INC-1", public: only("admin") },
  // The checklists: anyone who can see the incident sees them (ticking is checked per item, in checklists.test.ts).
  recovery: { text: "recovery KEY", public: all(), private: RESPONDERS },
  comms: { text: "comms KEY", public: all(), private: RESPONDERS },
  // Waiving the recovery checklist is an admin's: anyone else is refused the form.
  recoveryWaive: { text: "recovery KEY waive", public: only("admin") },
};

let stack: Stack;
const incidents: Record<"public" | "private", { key: string; channelId: string; title: string; summary: string }> =
  {} as never;

const users = [
  ["UALICE", "alice"],
  ["UBOB", "bob"],
  ["UCAROL", "carol"],
  ["UDAVE", "dave"],
  ["UERIN", "erin"],
  ["UADMIN", "admin"],
  ["UFRANK", "frank"],
  ["ULEAD1", "lead1"],
].map(([id, name]) => ({ id: id!, name: name!, email: `${name}@example.com`, tz: "Europe/London" }));

async function declare(kind: "public" | "private") {
  const announce = stack.slack.channelByName("incident-response")!.id;
  const title = kind === "private" ? "Matrix Zanzibar payroll leak" : "Matrix public outage";
  const summary = kind === "private" ? "Quokka credentials in a pastebin" : "API errors";
  await stack.client.command({ userId: PEOPLE.ic, channelId: announce, text: `declare ${title}` });
  await stack.client.submitView({
    userId: PEOPLE.ic,
    callbackId: "incident_declare",
    values: {
      title,
      summary,
      impacts: { options: ["outage"] },
      commanderId: { user: PEOPLE.ic },
      ...(kind === "private" ? { private: { options: ["private"] } } : {}),
    },
  });
  await stack.settle();
  const key = `INC-${Object.keys(incidents).length + 1}`;
  const channel = [...stack.slack.channels.values()].find(
    (c) => c.name === key.toLowerCase() || c.name.startsWith(`${key.toLowerCase()}-`),
  )!;
  // Roles: a communications lead, a scribe, a channel member without a role, a pending hand-off.
  for (const [role, user] of [
    ["communications", PEOPLE.comms],
    ["scribe", PEOPLE.responder],
  ] as const) {
    await stack.client.command({ userId: PEOPLE.ic, channelId: channel.id, text: "role" });
    await stack.client.submitView({
      userId: PEOPLE.ic,
      callbackId: "incident_role",
      values: { role: { option: role }, userId: { user } },
    });
  }
  channel.members.add(PEOPLE.member);
  await stack.client.command({ userId: PEOPLE.ic, channelId: channel.id, text: "handoff" });
  await stack.client.submitView({
    userId: PEOPLE.ic,
    callbackId: "incident_handoff",
    values: { toUserId: { user: PEOPLE.successor }, note: "Over to you" },
  });
  await stack.settle();
  incidents[kind] = { key, channelId: channel.id, title, summary };
}

beforeAll(async () => {
  // A few hundred forms a minute: Slack's views.open limit is not what this test is about.
  stack = await startStack({ slack: { users, enforceRateLimits: false } });
  await declare("public");
  await declare("private");
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

/** Everything a person was shown since `mark`: replies, ephemerals, modals opened for them, DMs. */
function shownSince(userId: string, mark: { ephemerals: number; opened: number }, ack: string, triggerId = "") {
  const ephemerals = stack.slack.ephemeralsFor(userId).slice(mark.ephemerals);
  const opened = stack.slack
    .callsTo("views.open")
    .slice(mark.opened)
    .filter((c) => c.ok && c.args.trigger_id === triggerId);
  const texts = [ack, ...ephemerals.map((m) => `${m.text} ${JSON.stringify(m.blocks ?? [])}`)];
  return { texts, opened: opened.length, views: opened.map((c) => JSON.stringify(c.args)) };
}

function marks(userId: string) {
  return { ephemerals: stack.slack.ephemeralsFor(userId).length, opened: stack.slack.callsTo("views.open").length };
}

const REFUSAL = /\bOnly (the Incident Commander|someone with a role|an admin)\b|\bis private: only its responders\b/;

describe("the authorization matrix", () => {
  it("covers every subcommand", () => {
    const covered = new Set(Object.values(MATRIX).map((m) => m.text.split(" ")[0]));
    expect(SUBCOMMANDS.map((s) => s.name).filter((n) => !covered.has(n))).toEqual([]);
  });

  for (const kind of ["public", "private"] as const) {
    it(`every subcommand by every person, ${kind} incident`, async () => {
      const inc = incidents[kind];
      const announce = stack.slack.channelByName("incident-response")!.id;
      const got: string[] = [];
      const want: string[] = [];
      const leaks: string[] = [];
      // Those who may act last, so a state change (mitigate, reopen) cannot turn a refusal into another answer.
      for (const [name, row] of Object.entries(MATRIX)) {
        const expected = kind === "private" && row.private ? row.private : row.public;
        const order = [...EVERYONE].sort((a, b) => (expected[a] === "ok" ? 1 : 0) - (expected[b] === "ok" ? 1 : 0));
        for (const who of order) {
          const userId = PEOPLE[who];
          const mark = marks(userId);
          const r = await stack.client.command({ userId, channelId: announce, text: row.text.replace("KEY", inc.key) });
          expect(r.status, `${name} by ${who}`).toBe(200);
          await stack.settle();
          const shown = shownSince(userId, mark, r.body, r.triggerId);
          const refused = shown.texts.some((t) => REFUSAL.test(t));
          // A refusal opens nothing: nobody fills in a form only to be refused.
          if (refused) expect(shown.opened, `${name} by ${who}`).toBe(0);
          got.push(`${name} ${who} ${refused ? "refused" : "ok"}`);
          want.push(`${name} ${who} ${expected[who]}`);
          if (kind === "private" && expected[who] === "refused" && row.text.includes("KEY")) {
            const seen = [...shown.texts, ...shown.views].join("\n");
            if (seen.includes(inc.title) || seen.includes(inc.summary)) leaks.push(`${name} by ${who}`);
          }
        }
      }
      expect(got).toEqual(want);
      expect(leaks).toEqual([]);
    }, 240_000);
  }

  it("a private incident is invisible to those outside it in list, status and App Home", async () => {
    const inc = incidents.private;
    const announce = stack.slack.channelByName("incident-response")!.id;
    for (const who of ["member", "outsider", "successor"] as const) {
      const userId = PEOPLE[who];
      const mark = marks(userId);
      const list = await stack.client.command({ userId, channelId: announce, text: "list" });
      await stack.client.event({ type: "app_home_opened", user: userId, tab: "home", channel: "D0HOME" });
      await stack.settle();
      const shown = shownSince(userId, mark, list.body);
      const home = JSON.stringify(stack.slack.homeViews.get(userId) ?? {});
      const everything = [...shown.texts, home].join("\n");
      expect(everything, who).not.toContain(inc.title);
      expect(everything, who).not.toContain(inc.summary);
    }
    // Those inside it see it.
    const mark = marks(PEOPLE.comms);
    const list = await stack.client.command({ userId: PEOPLE.comms, channelId: announce, text: "list" });
    expect(shownSince(PEOPLE.comms, mark, list.body).texts.join("\n")).toContain(inc.title);
  });

  it("a form Slack rate-limits gets plain words, not an error reference", async () => {
    stack.slack.faults.rateLimitNext("views.open", 7);
    const mark = marks(PEOPLE.ic);
    const r = await stack.client.command({ userId: PEOPLE.ic, channelId: incidents.public.channelId, text: "update" });
    const shown = shownSince(PEOPLE.ic, mark, r.body).texts.join("\n");
    expect(shown).toContain(
      "Slack is busy and asked muster to slow down. Nothing was lost; please try again in 7 seconds.",
    );
    expect(shown).not.toContain("ERR-");
  });

  it("the named successor, and only they, can answer the pending hand-off", async () => {
    const inc = incidents.public;
    const dm = stack.slack
      .allMessages()
      .filter((m) => JSON.stringify(m.blocks ?? []).includes("handoff_accept") && m.text.includes(inc.key))
      .pop();
    expect(dm, "the hand-off request").toBeDefined();
    const button = (dm!.blocks as { elements?: { action_id: string; value?: string }[] }[])
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === "handoff_accept")!;
    // The DM is the successor's; nobody else has the button. A forged click by anyone else is refused.
    for (const who of ["comms", "outsider", "ic"] as const) {
      const mark = marks(PEOPLE[who]);
      await stack.client.blockAction({
        userId: PEOPLE[who],
        actionId: "handoff_accept",
        value: button.value ?? "",
        messageTs: dm!.ts,
        channelId: dm!.channel,
      });
      await stack.settle();
      const shown = shownSince(PEOPLE[who], mark, "").texts.join("\n");
      expect(shown, who).toMatch(/only|named/i);
    }
    await stack.client.blockAction({
      userId: PEOPLE.successor,
      actionId: "handoff_accept",
      value: button.value ?? "",
      messageTs: dm!.ts,
      channelId: dm!.channel,
    });
    await stack.settle();
    const after = await stack.client.command({ userId: PEOPLE.successor, channelId: inc.channelId, text: "status" });
    const text = after.body + JSON.stringify(stack.slack.ephemeralsFor(PEOPLE.successor).pop());
    expect(text).toContain(`Incident Commander`);
    expect(text).toContain(PEOPLE.successor);
  });
});
