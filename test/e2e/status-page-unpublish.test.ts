// Taking an incident off the public status page, end to end through the real
// Bolt app over signed HTTP: after the IC's /incident unpublish nothing of the
// publication is left on any public page, feed or API (the detail page is a
// 404, every ETag moves); others are refused before a form opens; an incident
// that is not published gets a plain answer; publishing again gives a new id.
// The control message shows the publication with an Unpublish button.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUBLIC_PATHS } from "../helpers/public-pages.js";
import { type Stack, startStack } from "../helpers/stack.js";

const IC = { id: "UIRIS", name: "iris", email: "iris@example.com", tz: "UTC" };
const COMMS = { id: "UJONAS", name: "jonas", email: "jonas@example.com", tz: "UTC" };
const PUBLIC_TITLE = "Login failures for some dashboards";
const PUBLIC_UPDATE = "Some customers cannot sign in to the dashboard; we are on it.";

let stack: Stack;
let base: string;
let channelId: string;
const get = (path: string) => fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) });

async function publicIds(): Promise<string[]> {
  const body = (await (await get("/api/v2/incidents.json")).json()) as { incidents: { id: string }[] };
  return body.incidents.map((i) => i.id);
}

/** Every public answer: path → status, ETag and body. */
async function snapshot(paths: string[]) {
  const out = new Map<string, { status: number; etag: string | null; body: string }>();
  for (const path of paths) {
    const res = await get(path);
    out.set(path, { status: res.status, etag: res.headers.get("etag"), body: await res.text() });
  }
  return out;
}

/** What a person was shown after `mark`: their ephemerals and the modals opened with their trigger. */
function shownSince(userId: string, mark: number, triggerId: string) {
  const ephemerals = stack.slack
    .ephemeralsFor(userId)
    .slice(mark)
    .map((m) => m.text);
  const opened = stack.slack.callsTo("views.open").filter((c) => c.ok && c.args.trigger_id === triggerId);
  return { ephemerals, opened };
}

/** The pinned control message in the incident channel, as it is now. */
function control(): string {
  const msg = stack.slack
    .allMessages()
    .find(
      (m) => m.channel === channelId && JSON.stringify(m.blocks ?? []).includes("Commands here act on this incident"),
    );
  return JSON.stringify(msg?.blocks ?? []);
}

async function unpublishCommand(userId: string) {
  const mark = stack.slack.ephemeralsFor(userId).length;
  const r = await stack.client.command({ userId, channelId, text: "unpublish" });
  expect(r.status).toBe(200);
  await stack.settle();
  return shownSince(userId, mark, r.triggerId);
}

beforeAll(async () => {
  stack = await startStack({
    slack: { users: [IC, COMMS] },
    env: { STATUS_PAGE_NAME: "Example Status", PUBLIC_URL: "https://status.example.com" },
  });
  base = `http://127.0.0.1:${stack.muster.port}`;
  const announce = stack.slack.channelByName("incident-response")!;
  await stack.client.command({ userId: IC.id, channelId: announce.id, text: "declare" });
  await stack.client.submitView({
    userId: IC.id,
    callbackId: "incident_declare",
    values: {
      title: "SSO misconfiguration after the IdP rollout",
      commanderId: { user: IC.id },
      severity: { option: "high" },
      impacts: { options: ["outage"] },
      publish: { options: ["publish"] },
      publicTitle: PUBLIC_TITLE,
    },
  });
  await stack.settle();
  channelId = [...stack.slack.channels.values()].find((c) => c.name.startsWith("inc-1-"))!.id;
  await stack.client.command({ userId: IC.id, channelId, text: "update" });
  await stack.client.submitView({
    userId: IC.id,
    callbackId: "incident_update",
    values: { internalText: "Reverted the IdP metadata", publicText: PUBLIC_UPDATE },
  });
  // The communications lead: a responder, not the IC.
  await stack.client.command({ userId: IC.id, channelId, text: "role" });
  await stack.client.submitView({
    userId: IC.id,
    callbackId: "incident_role",
    values: { role: { option: "communications" }, userId: { user: COMMS.id } },
  });
  await stack.settle();
}, 90_000);
afterAll(async () => {
  await stack?.stop();
});

describe("/incident unpublish", () => {
  let oldId: string;
  let before: Awaited<ReturnType<typeof snapshot>>;

  it("the published incident is on every public page, feed and API", async () => {
    [oldId] = (await publicIds()) as [string];
    expect(oldId).toMatch(/^[0-9a-z]{12}$/);
    before = await snapshot([...PUBLIC_PATHS, `/status/incidents/${oldId}`]);
    for (const [path, r] of before) {
      expect(r.status, path).toBe(200);
      expect(r.etag, path).toMatch(/^"[\w-]+"$/);
    }
    // Open: on the front page, in the summary and the unresolved list, and with its update wherever updates show.
    for (const path of ["/status", "/status/history", "/api/v2/summary.json", "/api/v2/incidents.json"]) {
      expect(before.get(path)!.body, path).toContain(PUBLIC_TITLE);
    }
    expect(before.get("/api/v2/incidents/unresolved.json")!.body).toContain(oldId);
    for (const path of ["/history.atom", "/history.rss", `/status/incidents/${oldId}`, "/api/v2/incidents.json"]) {
      expect(before.get(path)!.body, path).toContain(PUBLIC_UPDATE);
    }
    // The overall state shows the outage (status.json, components.json carry no title).
    expect(JSON.parse(before.get("/api/v2/status.json")!.body).status.indicator).not.toBe("none");
    // The channel's control message says so, with the button to take it down.
    expect(control()).toContain(`On the public status page as “${PUBLIC_TITLE}”`);
    expect(control()).toContain('"action_id":"open_unpublish"');
  });

  it("refuses a responder who is not the IC, without opening a form", async () => {
    const shown = await unpublishCommand(COMMS.id);
    expect(shown.opened).toHaveLength(0);
    expect(shown.ephemerals.join("\n")).toContain(
      "Only the Incident Commander or an admin can take it off the status page for INC-1.",
    );
    // The control message's button too.
    const mark = stack.slack.ephemeralsFor(COMMS.id).length;
    const click = await stack.client.blockAction({
      userId: COMMS.id,
      channelId,
      actionId: "open_unpublish",
      value: "INC-1",
    });
    await stack.settle();
    const byButton = shownSince(COMMS.id, mark, click.triggerId);
    expect(byButton.opened).toHaveLength(0);
    expect(byButton.ephemerals.join("\n")).toContain("Only the Incident Commander or an admin");
    expect((await publicIds()).includes(oldId)).toBe(true);
  });

  it("the IC confirms with a reason in a modal showing the public title, and every public trace goes", async () => {
    const shown = await unpublishCommand(IC.id);
    expect(shown.opened).toHaveLength(1);
    const modal = JSON.stringify(shown.opened[0]!.args);
    expect(modal).toContain("incident_unpublish");
    expect(modal).toContain(PUBLIC_TITLE);
    const submitted = await stack.client.submitView({
      userId: IC.id,
      callbackId: "incident_unpublish",
      values: { reason: "Published the wrong incident: this one is internal only" },
    });
    expect(submitted.status).toBe(200);
    await stack.settle();

    const after = await snapshot([...PUBLIC_PATHS, `/status/incidents/${oldId}`]);
    for (const [path, r] of after) {
      for (const s of [PUBLIC_TITLE, PUBLIC_UPDATE, oldId])
        expect(r.body.includes(s), `${path} shows "${s}"`).toBe(false);
      expect(r.etag, path).not.toBe(before.get(path)!.etag);
    }
    expect(after.get(`/status/incidents/${oldId}`)!.status).toBe(404);
    for (const path of PUBLIC_PATHS) expect(after.get(path)!.status, path).toBe(200);
    expect(JSON.parse(after.get("/api/v2/status.json")!.body).status.indicator).toBe("none");
    expect(JSON.parse(after.get("/api/v2/incidents.json")!.body).incidents).toEqual([]);

    // The channel is told in one line, with the reason; the IC gets the confirmation.
    const line = stack.slack
      .allMessages()
      .filter((m) => m.channel === channelId)
      .find((m) => m.text.includes("off the public status page"));
    expect(line?.text).toContain("Published the wrong incident");
    expect(stack.slack.ephemeralsFor(IC.id).map((m) => m.text)).toContain("INC-1 is off the public status page.");
    expect(control()).not.toContain("open_unpublish");
    expect(control()).not.toContain(PUBLIC_TITLE);
  });

  it("answers plainly when the incident is not on the status page, without opening a form", async () => {
    const shown = await unpublishCommand(IC.id);
    expect(shown.opened).toHaveLength(0);
    expect(shown.ephemerals.join("\n")).toContain("INC-1 is not on the status page.");
  });

  it("publishing again gives the incident a new public id; the old link stays dead", async () => {
    await stack.client.command({ userId: IC.id, channelId, text: "update" });
    await stack.client.submitView({
      userId: IC.id,
      callbackId: "incident_update",
      values: {
        internalText: "It is customer-facing after all",
        publish: { options: ["publish"] },
        publicTitle: PUBLIC_TITLE,
      },
    });
    await stack.settle();
    const ids = await publicIds();
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^[0-9a-z]{12}$/);
    expect(ids[0]).not.toBe(oldId);
    expect((await get(`/status/incidents/${ids[0]}`)).status).toBe(200);
    expect((await get(`/status/incidents/${oldId}`)).status).toBe(404);

    // The control message's button is back; the IC takes it down from there.
    expect(control()).toContain('"action_id":"open_unpublish"');
    const click = await stack.client.blockAction({
      userId: IC.id,
      channelId,
      actionId: "open_unpublish",
      value: "INC-1",
    });
    await stack.settle();
    expect(shownSince(IC.id, 0, click.triggerId).opened).toHaveLength(1);
    await stack.client.submitView({
      userId: IC.id,
      callbackId: "incident_unpublish",
      values: { reason: "Still internal only" },
    });
    await stack.settle();
    expect(await publicIds()).toEqual([]);
    expect((await get(`/status/incidents/${ids[0]}`)).status).toBe(404);
    expect(control()).not.toContain("open_unpublish");
  });
});
