// Reports from outside Slack, end to end over HTTP: the public outage form
// and alert ingestion each make a triage message in #incident-response
// (through the outbox), whose Declare button (a signed block action) opens
// the declare modal pre-filled; neither declares by itself, except an alert
// a configured rule names.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { alertSignature } from "../../src/web/alerts-hook.js";
import { SimulatedClock } from "../helpers/simulated.js";
import { type Stack, startStack } from "../helpers/stack.js";

const IC = "UALICE";
const ALERT_TOKEN = "alert-token-0123456789abcdef";
const HMAC_SECRET = "alert-hmac-secret-0123456789";

const sim = new SimulatedClock(Date.now());
const clock = sim.now;
let stack: Stack;
let base: string;

beforeAll(async () => {
  stack = await startStack({
    clock,
    env: {
      REPORT_LIMIT_PER_ADDRESS: "2",
      REPORT_LIMIT_PER_CLIENT: "6",
      ALERT_TOKEN,
      ALERT_HMAC_SECRET: HMAC_SECRET,
      ALERT_DEDUP_MINUTES: "30",
      ALERT_DECLARE_RULES: JSON.stringify([{ alert: "SiteDown", commander: "UBOB", severity: "critical" }]),
    },
  });
  base = `http://127.0.0.1:${stack.muster.port}`;
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

const channel = () => stack.slack.channelByName("incident-response")!;
const text = (m: { text: string; blocks: unknown[] }) => `${m.text} ${JSON.stringify(m.blocks)}`;
/** The messages muster posted for reports (their metadata names the report). */
const triageMessages = () =>
  stack.slack.messages(channel().id).filter((m) => m.metadata?.event_payload.triage_report !== undefined);

/** The incident as the CLI reads it from the database. */
async function show(key: string): Promise<Record<string, unknown>> {
  let out = "";
  const code = await runCli(
    ["show", key, "--format", "json"],
    { DATABASE_URL: stack.databaseUrl },
    {
      out: (s) => {
        out += s;
      },
      err: () => {},
    },
  );
  expect(code).toBe(0);
  const parsed = JSON.parse(out) as { incident?: Record<string, unknown> } & Record<string, unknown>;
  return parsed.incident ?? parsed;
}

/** The form as a browser gets it: its token, after a person's few seconds of typing. */
async function openForm(): Promise<{ token: string; page: string }> {
  const r = await fetch(`${base}/report`);
  expect(r.status).toBe(200);
  const page = await r.text();
  const token = /name="token" value="([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error("no token in the form");
  sim.ms += 5_000;
  return { token, page };
}

async function submit(fields: Record<string, string>, headers: Record<string, string> = {}) {
  const r = await fetch(`${base}/report`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
  return { status: r.status, headers: r.headers, body: await r.text() };
}

function postAlert(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${ALERT_TOKEN}` }) {
  return fetch(`${base}/hooks/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
}

const alertmanager = (
  status: "firing" | "resolved",
  alertname = "HighErrorRate",
  extra: Record<string, unknown> = {},
) => ({
  version: "4",
  groupKey: `{}:{alertname="${alertname}"}`,
  truncatedAlerts: 0,
  status,
  receiver: "muster",
  groupLabels: { alertname },
  commonLabels: { alertname, severity: "critical", service: "checkout" },
  commonAnnotations: { summary: "5xx above 5% for 5 minutes" },
  externalURL: "http://alertmanager.example:9093",
  alerts: [
    {
      status,
      labels: { alertname, severity: "critical", service: "checkout", instance: "web-1" },
      annotations: { summary: "5xx above 5% for 5 minutes" },
      startsAt: "2026-12-01T03:00:00Z",
      endsAt: status === "resolved" ? "2026-12-01T03:20:00Z" : "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus.example:9090/graph?g0.expr=rate",
      fingerprint: "c4a1b2",
    },
  ],
  ...extra,
});

describe("the public outage report form", () => {
  it("serves a form that works without JavaScript, with a hidden honeypot", async () => {
    const { page } = await openForm();
    expect(page).toContain('<form method="post" action="/report">');
    expect(page).not.toContain("<script");
    expect(page).toMatch(/class="trap" aria-hidden="true">.*name="website" tabindex="-1"/);
  });

  it("posts a third party's report to #incident-response, escaped, and declares nothing", async () => {
    const { token } = await openForm();
    const r = await submit({
      token,
      description: "Admin console is down <!channel> see <https://evil.example|your bank>\nsince 09:00",
      contact: "reporter@example.org",
      component: "Admin console",
      website: "",
    });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/report/sent");
    await stack.settle();
    const [m] = triageMessages();
    expect(m).toBeDefined();
    const shown = text(m!);
    expect(shown).toContain("Outage reported by a third party");
    expect(shown).toContain("reporter@example.org");
    expect(shown).toContain("&lt;!channel&gt;");
    expect(shown).toContain("&lt;https://evil.example|your bank&gt;");
    expect(shown).not.toContain("<!channel>");
    expect(shown).not.toContain("<https://evil.example");
    expect(JSON.stringify(m!.blocks)).toContain('"verbatim":true');
    expect(await stack.muster.worker.idle(1)).toBe(true);
    // Nothing was declared: no incident channel, no issue.
    expect([...stack.slack.channels.values()].some((c) => c.name.startsWith("inc-"))).toBe(false);
    expect(stack.github.issues("tailscale/corp")).toHaveLength(0);
  });

  it("opens the declare modal pre-filled from the report, and the message says who declared", async () => {
    const m = triageMessages()[0]!;
    const reportId = JSON.stringify(m.blocks).match(/"action_id":"triage_declare","value":"([^"]+)"/)?.[1];
    expect(reportId).toBeTruthy();
    await stack.client.blockAction({
      userId: IC,
      channelId: channel().id,
      actionId: "triage_declare",
      value: reportId!,
    });
    const opened = [...stack.slack.views.values()]
      .filter((v) => v.userId === IC && v.view.callback_id === "incident_declare")
      .at(-1)!;
    const blocks = opened.view.blocks as { block_id?: string; element?: Record<string, unknown> }[];
    const el = (id: string) => blocks.find((b) => b.block_id === id)?.element ?? {};
    expect(el("title").initial_value).toBe(
      "Reported outage: Admin console is down !channel see https://evil.example|your bank",
    );
    expect(el("summary").initial_value).toContain("Admin console is down <!channel>");
    expect((el("reportSource").initial_option as { value: string }).value).toBe("third_party");
    expect(el("components").initial_value).toBe("Admin console");

    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_declare",
      viewId: opened.id,
      values: { title: "Admin console down", commanderId: { user: IC } },
    });
    await stack.settle();
    expect(await show("INC-1")).toMatchObject({ reportSource: "third_party", reportedBy: "reporter@example.org" });
    const after = stack.slack.messages(channel().id).find((x) => x.ts === m.ts)!;
    expect(text(after)).toMatch(/Declared as \*INC-1\* by <@UALICE>/);
    expect(JSON.stringify(after.blocks)).not.toContain("triage_declare");
    const issue = stack.github.issues("tailscale/corp")[0]!;
    expect(issue.title).toBe("[INC-1] Admin console down");
  });

  it("refuses the honeypot, a form it never served, and a form sent too fast", async () => {
    const before = triageMessages().length;
    const { token } = await openForm();
    const ok = { description: "Nothing loads at all here", contact: "bot@example.org" };
    const trapped = await submit({ ...ok, token, website: "http://spam.example" });
    expect(trapped.status).toBe(400);
    expect(trapped.body).toContain("could not be accepted");
    expect((await submit({ ...ok, token: "123.forged" })).status).toBe(400);
    expect((await submit({ ...ok })).body).toContain("expired");
    const fresh = await fetch(`${base}/report`).then((r) => r.text());
    const quick = /name="token" value="([^"]+)"/.exec(fresh)![1]!;
    const fast = await submit({ ...ok, token: quick });
    expect(fast.status).toBe(400);
    expect(fast.body).toContain("very fast");
    // What the person typed is kept for them.
    expect(fast.body).toContain("Nothing loads at all here");
    await stack.settle();
    expect(triageMessages()).toHaveLength(before);
  });

  it("answers bad input in plain words and keeps what was typed", async () => {
    const { token } = await openForm();
    const r = await submit({ token, description: "Everything <b>broke</b> today", contact: "not-an-address" });
    expect(r.status).toBe(400);
    expect(r.body).toContain("Please give an e-mail address we can reply to");
    expect(r.body).toContain("Everything &lt;b&gt;broke&lt;/b&gt; today");
  });

  it("limits reports per address: the third within the hour is refused with Retry-After", async () => {
    const before = triageMessages().length;
    const send = async () =>
      submit({ token: (await openForm()).token, description: "Login page times out", contact: "Limit@Example.org" });
    expect((await send()).status).toBe(303);
    expect((await send()).status).toBe(303);
    const third = await send();
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(3000);
    expect(third.body).toContain("Too many reports");
    await stack.settle();
    expect(triageMessages()).toHaveLength(before + 2);
  });
});

describe("alert ingestion", () => {
  let ts = "";
  it("refuses a wrong token, a missing one, a wrong or stale signature with 401", async () => {
    const body = JSON.stringify(alertmanager("firing"));
    expect((await postAlert(body, { authorization: "Bearer wrong-token-0123456789" })).status).toBe(401);
    expect((await postAlert(body, {})).status).toBe(401);
    const now = String(Math.floor(sim.ms / 1000));
    expect(
      (
        await postAlert(body, {
          "x-muster-timestamp": now,
          "x-muster-signature": alertSignature("not-the-secret-000000", now, body),
        })
      ).status,
    ).toBe(401);
    const stale = String(Math.floor(sim.ms / 1000) - 600);
    expect(
      (
        await postAlert(body, {
          "x-muster-timestamp": stale,
          "x-muster-signature": alertSignature(HMAC_SECRET, stale, body),
        })
      ).status,
    ).toBe(401);
    await stack.settle();
    expect(triageMessages().some((m) => text(m).includes("HighErrorRate"))).toBe(false);
  });

  it("makes one message of an Alertmanager alert and updates it in place when it repeats", async () => {
    const first = await postAlert(alertmanager("firing"));
    expect(first.status).toBe(200);
    expect(first.json.reports).toEqual([expect.objectContaining({ outcome: "new" })]);
    await stack.settle();
    const mine = () => triageMessages().filter((m) => text(m).includes("HighErrorRate"));
    expect(mine()).toHaveLength(1);
    ts = mine()[0]!.ts;
    expect(text(mine()[0]!)).toContain("Alert firing: HighErrorRate");
    const updatesBefore = stack.slack.callsTo("chat.update").length;
    // Flapping: the same alert again and again, some signed instead of bearing the token.
    for (let i = 0; i < 5; i++) {
      const body = JSON.stringify(alertmanager("firing"));
      const now = String(Math.floor(sim.ms / 1000));
      const r =
        i % 2
          ? await postAlert(body, {
              "x-muster-timestamp": now,
              "x-muster-signature": alertSignature(HMAC_SECRET, now, body),
            })
          : await postAlert(body);
      expect(r.status).toBe(200);
    }
    await stack.settle();
    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.ts).toBe(ts);
    expect(text(mine()[0]!)).toContain("6 times");
    const updates = stack.slack.callsTo("chat.update").length - updatesBefore;
    expect(updates).toBeGreaterThanOrEqual(1);
    expect(updates).toBeLessThanOrEqual(5);
  });

  it("updates the message when the alert resolves", async () => {
    sim.ms += 10 * 60_000;
    expect((await postAlert(alertmanager("resolved"))).status).toBe(200);
    await stack.settle();
    const m = stack.slack.messages(channel().id).find((x) => x.ts === ts)!;
    expect(text(m)).toContain("Resolved: HighErrorRate");
  });

  it("presses Declare on an alert: the modal says monitoring and carries the severity", async () => {
    const m = stack.slack.messages(channel().id).find((x) => x.ts === ts)!;
    const reportId = JSON.stringify(m.blocks).match(/"action_id":"triage_declare","value":"([^"]+)"/)![1]!;
    await stack.client.blockAction({
      userId: IC,
      channelId: channel().id,
      actionId: "triage_declare",
      value: reportId,
    });
    const opened = [...stack.slack.views.values()]
      .filter((v) => v.userId === IC && v.view.callback_id === "incident_declare")
      .at(-1)!;
    const blocks = opened.view.blocks as { block_id?: string; element?: Record<string, unknown> }[];
    const el = (id: string) => blocks.find((b) => b.block_id === id)?.element ?? {};
    expect(el("title").initial_value).toBe("Alert: HighErrorRate");
    expect((el("reportSource").initial_option as { value: string }).value).toBe("monitoring");
    expect((el("severity").initial_option as { value: string }).value).toBe("critical");
    expect(el("components").initial_value).toBe("checkout");
  });

  it("takes the generic JSON format and answers malformed input with 400 in words", async () => {
    const r = await postAlert({ name: "DiskFull", summary: "db-1 at 97%", severity: "warning", component: "database" });
    expect(r.status).toBe(200);
    const bad = await postAlert({ summary: "no name" });
    expect(bad.status).toBe(400);
    expect(String(bad.json.error)).toMatch(/alert is not valid/);
    expect((await postAlert("{not json")).status).toBe(400);
    await stack.settle();
    expect(triageMessages().filter((m) => text(m).includes("DiskFull"))).toHaveLength(1);
  });

  it("declares an alert a configured rule names, as muster, with the rule's IC and source monitoring", async () => {
    const r = await postAlert(alertmanager("firing", "SiteDown"));
    expect(r.status).toBe(200);
    expect(r.json.reports).toEqual([expect.objectContaining({ declared: expect.stringMatching(/^INC-\d+$/) })]);
    const key = (r.json.reports as { declared: string }[])[0]!.declared;
    // The same alert again does not declare a second incident.
    await postAlert(alertmanager("firing", "SiteDown"));
    await stack.settle();
    expect(await show(key)).toMatchObject({
      reportSource: "monitoring",
      reportedBy: "monitoring: SiteDown",
      severity: "critical",
    });
    const issues = stack.github.issues("tailscale/corp").filter((i) => i.title.includes("SiteDown"));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.title).toBe(`[${key}] Alert: SiteDown`);
    const m = triageMessages().find((x) => text(x).includes("SiteDown"))!;
    expect(text(m)).toContain(`Declared as *${key}* by muster (an alert rule)`);
    const incidentChannel = [...stack.slack.channels.values()].find((c) => c.name.startsWith(`${key.toLowerCase()}-`))!;
    expect(incidentChannel.members.has("UBOB")).toBe(true);
  });

  it("keeps the triage message while Slack is down, and posts it when Slack is back", async () => {
    stack.slack.faults.down = true;
    const r = await postAlert({ name: "QueueBacklog", summary: "jobs waiting" });
    expect(r.status).toBe(200);
    await new Promise((res) => setTimeout(res, 500));
    expect(triageMessages().some((m) => text(m).includes("QueueBacklog"))).toBe(false);
    stack.slack.faults.down = false;
    // The outbox retries with backoff, on muster's clock.
    await sim.jumpTo(sim.ms + 60_000, stack);
    expect(triageMessages().filter((m) => text(m).includes("QueueBacklog"))).toHaveLength(1);
  });
});
