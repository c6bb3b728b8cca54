// Corrections and the blast radius from Slack, end to end over signed HTTP:
// times (in date-time pickers, an order mistake refused on its own field),
// the impact edited after declaration, a role removed, a report dismissed as
// not an incident.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_COMPANY_POLICY } from "../../src/incidents/company-policy.js";
import type { IncidentRecord } from "../../src/incidents/ports.js";
import { openStore } from "../../src/store/open-store.js";
import { type Stack, startStack } from "../helpers/stack.js";

const IC = "UALICE";
const BOB = "UBOB";
const CAROL = "UCAROL";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

const announce = () => stack.slack.channelByName("incident-response")!;
const channelOf = (n: number) =>
  [...stack.slack.channels.values()].find((c) => c.name === `inc-${n}` || c.name.startsWith(`inc-${n}-`))!;
const text = (m: { text: string; blocks: unknown[] }) => `${m.text} ${JSON.stringify(m.blocks)}`;
const lastOpened = () => stack.slack.callsTo("views.open").at(-1)!.args.view as { blocks: Record<string, unknown>[] };
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

async function record(key: string): Promise<IncidentRecord> {
  const opened = await openStore(stack.databaseUrl);
  try {
    return (await opened.store.loadIncident(key))!;
  } finally {
    await opened.store.close();
  }
}

async function declare(title: string, by = IC) {
  await stack.client.command({ userId: by, channelId: announce().id, text: `declare ${title}` });
  await stack.client.submitView({
    userId: by,
    callbackId: "incident_declare",
    values: { title, commanderId: { user: by }, impacts: { options: ["degraded_performance"] } },
  });
  await stack.settle();
}

describe("correcting times from Slack", () => {
  it("edits impact started and detected in date-time pickers; declared is shown, not editable", async () => {
    await declare("Checkout latency");
    const channel = channelOf(1);
    await stack.client.command({ userId: IC, channelId: channel.id, text: "times" });
    const view = lastOpened();
    const inputs = view.blocks.filter((b) => b.type === "input");
    expect(inputs.map((b) => b.block_id)).toEqual(["impactStartedAt", "detectedAt", "reason"]);
    for (const b of inputs.slice(0, 2)) expect((b.element as { type: string }).type).toBe("datetimepicker");
    expect(JSON.stringify(view.blocks)).toContain("Declared");

    const declaredAt = (await record("INC-1")).incident.times.declaredAt;
    const started = new Date(declaredAt.getTime() - 3_600_000);
    const detected = new Date(declaredAt.getTime() - 1_200_000);
    const r = await stack.client.submitView({
      userId: IC,
      callbackId: "incident_times",
      values: {
        impactStartedAt: { dateTime: seconds(started) },
        detectedAt: { dateTime: seconds(detected) },
        reason: "Latency graphs rise from 13:00",
      },
    });
    expect(r.body).toBe("");
    await stack.settle();
    const rec = await record("INC-1");
    expect(rec.incident.times.impactStartedAt?.getTime()).toBe(seconds(started) * 1000);
    expect(rec.incident.times.detectedAt?.getTime()).toBe(seconds(detected) * 1000);
    const event = rec.timeline.find((e) => e.kind === "times_corrected")!;
    expect(Object.keys(event.data.changed as object).sort()).toEqual(["detectedAt", "impactStartedAt"]);
    expect(stack.slack.messages(channel.id).some((m) => text(m).includes("corrected the incident's times"))).toBe(true);

    // Opened again, the pickers start from the corrected times (epoch seconds, as Slack wants).
    await stack.client.command({ userId: IC, channelId: channel.id, text: "times" });
    const again = lastOpened().blocks.find((b) => b.block_id === "impactStartedAt")!;
    expect((again.element as { initial_date_time: number }).initial_date_time).toBe(seconds(started));
  });

  it("refuses an order mistake with an error on exactly the field that was changed", async () => {
    const before = await record("INC-1");
    const started = before.incident.times.impactStartedAt!;
    await stack.client.command({ userId: IC, channelId: channelOf(1).id, text: "times" });
    const r = await stack.client.submitView({
      userId: IC,
      callbackId: "incident_times",
      values: { detectedAt: { dateTime: seconds(started) - 600 } },
    });
    const body = r.json as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe("errors");
    expect(Object.keys(body.errors)).toEqual(["detectedAt"]);
    expect(body.errors.detectedAt).toMatch(/^Detected .* can't be before impact started/);
    const after = await record("INC-1");
    expect(after.incident.times).toEqual(before.incident.times);
    expect(after.timeline.length).toBe(before.timeline.length);
  });

  it("once resolved, the resolution time is editable too, and kept after mitigation", async () => {
    const channel = channelOf(1);
    await stack.client.command({ userId: IC, channelId: channel.id, text: "mitigate" });
    await stack.client.command({ userId: IC, channelId: channel.id, text: "resolve" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_resolve",
      values: { summary: "Cache warmed", partiesInformed: "support" },
    });
    await stack.settle();
    const { times } = (await record("INC-1")).incident;
    await stack.client.command({ userId: IC, channelId: channel.id, text: "times" });
    const ids = lastOpened()
      .blocks.filter((b) => b.type === "input")
      .map((b) => b.block_id);
    expect(ids).toEqual(["impactStartedAt", "detectedAt", "mitigatedAt", "resolvedAt", "reason"]);
    const refused = await stack.client.submitView({
      userId: IC,
      callbackId: "incident_times",
      values: { resolvedAt: { dateTime: seconds(times.mitigatedAt!) - 60 } },
    });
    expect(Object.keys((refused.json as { errors: object }).errors)).toEqual(["resolvedAt"]);
    const resolvedAt = new Date(times.resolvedAt!.getTime() - 60_000);
    const mitigatedAt = new Date(times.mitigatedAt!.getTime() - 120_000);
    const ok = await stack.client.submitView({
      userId: IC,
      callbackId: "incident_times",
      values: { mitigatedAt: { dateTime: seconds(mitigatedAt) }, resolvedAt: { dateTime: seconds(resolvedAt) } },
    });
    expect(ok.body).toBe("");
    const after = (await record("INC-1")).incident.times;
    expect(after.resolvedAt?.getTime()).toBe(seconds(resolvedAt) * 1000);
    expect(after.mitigatedAt?.getTime()).toBe(seconds(mitigatedAt) * 1000);
  });

  it("does not open the times form for someone who is not the IC", async () => {
    const opened = stack.slack.callsTo("views.open").length;
    await stack.client.command({ userId: BOB, channelId: channelOf(1).id, text: "times" });
    await stack.settle();
    expect(stack.slack.callsTo("views.open").length).toBe(opened);
    expect(JSON.stringify(stack.slack.responseUrlPosts.at(-1))).toMatch(/Only the Incident Commander or an admin/);
  });
});

describe("the blast radius after declaration", () => {
  it("edits impacts, customers affected, components, regions and asset risk without touching severity", async () => {
    await declare("Sync delays");
    const channel = channelOf(2);
    await stack.client.command({ userId: IC, channelId: channel.id, text: "severity" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_severity",
      values: { severity: { option: "medium" }, reason: "Some customers see delays" },
    });
    await stack.settle();
    await stack.client.command({ userId: IC, channelId: channel.id, text: "impact" });
    const form = lastOpened();
    const impacts = form.blocks.find((b) => b.block_id === "impacts")!;
    expect(JSON.stringify(impacts)).toContain('"initial_options"');
    const r = await stack.client.submitView({
      userId: IC,
      callbackId: "incident_impact",
      values: {
        impacts: { options: ["outage", "data_loss"] },
        customersAffected: "120",
        components: "sync, api",
        regions: "eu-west",
        assetRisk: "Customer configs may be stale",
        reason: "Support tickets show full outage for EU",
      },
    });
    expect(r.body).toBe("");
    await stack.settle();
    const rec = await record("INC-2");
    expect(rec.incident.severity).toBe("medium");
    expect(rec.incident.impacts).toEqual(["outage", "data_loss"]);
    expect(rec.incident.scope).toEqual({
      components: ["sync", "api"],
      regions: ["eu-west"],
      customersAffected: 120,
      customers: [],
    });
    expect(rec.incident.assetRisk).toBe("Customer configs may be stale");
    // A data loss now recorded: the BCP/DR recovery checklist starts with it.
    expect(rec.timeline.slice(-2).map((e) => e.kind)).toEqual(["impact_updated", "recovery_checklist_opened"]);
    const posted = stack.slack.messages(channel.id).map(text).join("\n");
    expect(posted).toContain("BCP/DR recovery checklist");
    expect(posted).toContain("customers affected: 120 (was none)");
    const issue = stack.github.issues("tailscale/corp").find((i) => i.title.startsWith("[INC-2]"))!;
    expect(issue.comments.some((c) => c.body.includes("**Impact updated**"))).toBe(true);

    // Only customers affected changes; the rest comes back as it was shown and stays.
    await stack.client.command({ userId: IC, channelId: channel.id, text: "impact" });
    await stack.client.submitView({ userId: IC, callbackId: "incident_impact", values: { customersAffected: "200" } });
    const after = (await record("INC-2")).incident;
    expect(after.scope.customersAffected).toBe(200);
    expect(after.impacts).toEqual(["outage", "data_loss"]);
    expect(after.scope.components).toEqual(["sync", "api"]);
    // Nothing changed: said so, nothing recorded.
    await stack.client.command({ userId: IC, channelId: channel.id, text: "impact" });
    const same = await stack.client.submitView({ userId: IC, callbackId: "incident_impact", values: {} });
    expect(JSON.stringify(same.json)).toContain("nothing changed");
  });
});

describe("the control message's buttons", () => {
  it("open the impact form while the incident is open, and the times form once it is resolved", async () => {
    await stack.client.blockAction({ userId: IC, channelId: channelOf(2).id, actionId: "open_impact", value: "INC-2" });
    expect(stack.slack.callsTo("views.open").at(-1)!.args.view).toMatchObject({ callback_id: "incident_impact" });
    await stack.client.blockAction({ userId: IC, channelId: channelOf(1).id, actionId: "open_times", value: "INC-1" });
    expect(stack.slack.callsTo("views.open").at(-1)!.args.view).toMatchObject({ callback_id: "incident_times" });
  });
});

describe("severity picked outside the incident's channel", () => {
  it("leaves the recorded scope alone (the form does not offer fields it cannot prefill)", async () => {
    const before = (await record("INC-2")).incident;
    await stack.client.command({ userId: IC, channelId: announce().id, text: "severity" });
    const ids = lastOpened()
      .blocks.filter((b) => b.type === "input")
      .map((b) => b.block_id);
    expect(ids).toEqual(["key", "severity", "reason"]);
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_severity",
      values: { key: { option: "INC-2" }, severity: { option: "high" }, reason: "EU fully down" },
    });
    const after = (await record("INC-2")).incident;
    expect(after.severity).toBe("high");
    expect(after.scope).toEqual(before.scope);
    expect(after.assetRisk).toBe(before.assetRisk);
  });
});

describe("roles and reports", () => {
  it("removes a role: the holder is no longer listed and the channel is told", async () => {
    const channel = channelOf(2);
    await stack.client.command({ userId: IC, channelId: channel.id, text: "role" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_role",
      values: { role: { option: "communications" }, userId: { user: CAROL } },
    });
    await stack.settle();
    expect((await record("INC-2")).roles.map((r) => r.role)).toContain("communications");

    await stack.client.command({ userId: IC, channelId: channel.id, text: "unrole" });
    const form = JSON.stringify(lastOpened());
    expect(form).toContain("<@UCAROL>");
    expect(form).not.toContain('"value":"commander"');
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_unrole",
      values: { role: { option: "communications" } },
    });
    await stack.settle();
    const roles = (await record("INC-2")).roles.filter((r) => r.endedAt === null).map((r) => r.role);
    expect(roles).toEqual(["commander"]);
    expect(
      stack.slack.messages(channel.id).some((m) => text(m).includes("removed <@UCAROL> as Communications lead")),
    ).toBe(true);
    // With only the IC left there is nothing to remove: said at once, no form.
    await stack.client.command({ userId: IC, channelId: channel.id, text: "remove-role" });
    await stack.settle();
    expect(JSON.stringify(stack.slack.responseUrlPosts.at(-1))).toContain("besides the Incident Commander");
  });

  it("dismisses a report as not an incident, showing the policy's definition and vulnerability note", async () => {
    await declare("Scanner flagged an old OpenSSL", BOB);
    const channel = channelOf(3);
    await stack.client.command({ userId: BOB, channelId: channel.id, text: "dismiss" });
    const form = JSON.stringify(lastOpened());
    expect(form).toContain(DEFAULT_COMPANY_POLICY.incidentDefinition);
    expect(form).toContain(DEFAULT_COMPANY_POLICY.vulnerabilityNote);
    await stack.client.submitView({
      userId: BOB,
      callbackId: "incident_dismiss",
      values: { reason: "Not exploitable here: the vulnerable code path is never reached" },
    });
    await stack.settle();
    const rec = await record("INC-3");
    expect(rec.incident.status).toBe("not_an_incident");
    expect(rec.timeline.at(-1)!.data.reason).toMatch(/never reached/);
    expect(channel.topic).toContain("Not an incident");
    expect(JSON.stringify(stack.slack.ephemeralsFor(BOB).at(-1))).toContain("INC-3 is marked not an incident");
  });
});
