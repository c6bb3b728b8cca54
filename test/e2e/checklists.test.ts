// The BCP/DR recovery checklist and the resolution-communication checklist,
// end to end through the real Bolt app over signed HTTP and the emulators,
// on a simulated clock: a data-loss incident can't close until its checklist
// is ticked (or an admin waives it, with a reason); ticks go on the timeline
// and as GitHub comments (delayed, not lost, by a GitHub outage); a
// customer-facing incident can't be resolved with "none affected"; a party
// still to tell is reminded in the channel.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { SimulatedClock } from "../helpers/simulated.js";
import { type Stack, startStack } from "../helpers/stack.js";

const IC = "UALICE";
const BOB = "UBOB";
const CAROL = "UCAROL";
const ADMIN = "UADMIN";
const REPO = "tailscale/corp";
const MIN = 60_000;
const sim = new SimulatedClock(Date.now() + MIN);
const clock = sim.now;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ clock });
  for (const [id, name] of [
    [CAROL, "carol"],
    [ADMIN, "admin"],
  ] as const)
    stack.slack.users.set(id, { id, name, email: `${name}@example.com` });
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

const channelOf = (n: number) =>
  [...stack.slack.channels.values()].find((c) => c.name === `inc-${n}` || c.name.startsWith(`inc-${n}-`))!;
const text = (m: { text: string; blocks: unknown[] }) => `${m.text} ${JSON.stringify(m.blocks)}`;
const lastReply = () => JSON.stringify(stack.slack.responseUrlPosts.at(-1)?.body ?? {});
const issueOf = (n: number) => stack.github.issues(REPO).find((i) => i.title.startsWith(`[INC-${n}]`))!;
const channelText = (n: number) => stack.slack.messages(channelOf(n).id).map(text);
const openView = (callbackId: string) =>
  [...stack.slack.views.values()].filter((v) => v.view.callback_id === callbackId).at(-1);

async function advance(minutes: number, step = 5) {
  await sim.advanceTo(sim.ms + minutes * MIN, step * MIN, stack);
}

async function declare(title: string, values: Record<string, unknown>) {
  await stack.client.command({
    userId: IC,
    channelId: stack.slack.channelByName("incident-response")!.id,
    text: `declare ${title}`,
  });
  await stack.client.submitView({
    userId: IC,
    callbackId: "incident_declare",
    values: { title, summary: "x", commanderId: { user: IC }, ...values } as never,
  });
  await stack.settle();
}

async function command(n: number, words: string, userId = IC) {
  await stack.client.command({ userId, channelId: channelOf(n).id, text: words });
  await stack.settle();
  return lastReply();
}

async function press(n: number, value: string, userId = IC, actionId = "checklist_tick") {
  await stack.client.blockAction({ userId, channelId: channelOf(n).id, actionId, value });
  await stack.settle();
  return lastReply();
}

async function timeline(key: string, kind: string) {
  const { store } = await openStore(stack.databaseUrl, { poolSize: 1 });
  try {
    return (await store.loadIncident(key))!.timeline.filter((e) => e.kind === kind);
  } finally {
    await store.close();
  }
}

async function resolve(n: number, values: Record<string, unknown> = { partiesInformed: "support" }) {
  await command(n, "resolve");
  return stack.client.submitView({
    userId: IC,
    callbackId: "incident_resolve",
    values: { summary: "Restored", ...values } as never,
  });
}

describe("the recovery checklist of a data-loss incident", () => {
  it("is posted in the channel; items are ticked by responders, signed off last by the IC", async () => {
    await declare("Orders lost", { impacts: { options: ["data_loss"] } });
    const posted = channelText(1).find((m) => m.includes("BCP/DR recovery checklist"));
    expect(posted).toContain("records a loss or corruption of data");
    expect(posted).toContain("INC-1|recovery|backup_identified");
    // The pinned control message shows it too, to whoever asks.
    expect(await press(1, "INC-1", CAROL, "show_recovery_checklist")).toContain("INC-1|recovery|backup_identified");

    // Somebody with no role in it may not tick; the sign-off waits for the work above it.
    expect(await press(1, "INC-1|recovery|backup_identified", CAROL)).toContain(
      "Only someone with a role in the incident or an admin can tick the recovery checklist",
    );
    expect(await press(1, "INC-1|recovery|sign_off")).toContain(
      "Sign-off comes last. Still open: last good backup identified, restore performed",
    );

    // A tick made while GitHub is down reaches the issue once it is back.
    stack.github.faults.down = true;
    expect(await press(1, "INC-1|recovery|backup_identified")).toContain("Ticked: Last good backup identified.");
    await advance(2, 1);
    expect(issueOf(1).comments.some((c) => c.body.includes("Last good backup identified"))).toBe(false);
    stack.github.faults.down = false;
    await advance(15);
    expect(issueOf(1).comments.filter((c) => c.body.includes("Last good backup identified"))).toHaveLength(1);

    // From `/incident recovery` (the ephemeral checklist) as well as the channel's message.
    expect(await command(1, "recovery")).toContain("INC-1|recovery|restore_performed");
    await stack.client.blockAction({
      userId: IC,
      actionId: "checklist_tick",
      value: "INC-1|recovery|restore_performed",
    });
    await stack.settle();
    await stack.client.command({ userId: IC, channelId: channelOf(1).id, text: "role" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_role",
      values: { role: { option: "communications" }, userId: { user: BOB } },
    });
    await stack.settle();
    await press(1, "INC-1|recovery|restore_verified", BOB);
    expect(await press(1, "INC-1|recovery|sign_off", BOB)).toContain(
      "Only the Incident Commander or an admin can sign off the recovery",
    );
  });

  it("refuses to close while items are open, saying which; closes once all are ticked", async () => {
    await resolve(1);
    await stack.settle();
    const refused = await command(1, "close");
    expect(refused).toContain("INC-1 can't be closed yet: it records a loss or corruption of data");
    expect(refused).toContain("Still open: affected customers' data checked, sign-off.");
    await press(1, "INC-1|recovery|customers_checked");
    expect(await press(1, "INC-1|recovery|sign_off")).toContain("Ticked: Sign-off.");
    await advance(1, 1);

    // Each tick: who and when on the timeline, a line in the channel, a comment on the issue.
    const ticks = await timeline("INC-1", "checklist_ticked");
    expect(ticks.map((e) => [e.data.item, e.actorId])).toEqual([
      ["backup_identified", IC],
      ["restore_performed", IC],
      ["restore_verified", BOB],
      ["customers_checked", IC],
      ["sign_off", IC],
    ]);
    const comments = issueOf(1).comments.map((c) => c.body);
    for (const label of ["Restore performed", "Restore verified", "Sign-off"])
      expect(comments.filter((b) => b.includes(`Recovery checklist: ${label}, done.`))).toHaveLength(1);
    expect(
      channelText(1).some((m) => m.includes("Recovery checklist: Restore verified, done.") && m.includes(BOB)),
    ).toBe(true);
    // The channel's checklist message was brought up to date in place: no buttons left.
    const checklist = channelText(1).find((m) => m.includes("BCP/DR recovery checklist"))!;
    expect(checklist).not.toContain("checklist_tick");
    expect(checklist).toContain("Every item is done");

    // The data loss owes a post-mortem too: then it closes.
    expect(await command(1, "close")).toContain("needs a post-mortem");
    await command(1, "postmortem waive Rehearsal on staging data", ADMIN);
    expect(await command(1, "close")).toContain("INC-1 closed.");
  });

  it("an admin may waive it with a reason; anyone else is refused the form before writing a word", async () => {
    await declare("Billing export stalled", { disrupted: { options: ["disrupted"] } });
    expect(channelText(2).some((m) => m.includes("data or processes were flagged as disrupted"))).toBe(true);
    await resolve(2);
    await stack.settle();
    expect(await command(2, "close")).toContain("Still open: last good backup identified");

    const views = stack.slack.views.size;
    expect(await press(2, "INC-2", IC, "open_recovery_waive")).toContain(
      "Only an admin can waive the recovery checklist for INC-2",
    );
    expect(await command(2, "recovery waive")).toContain("Only an admin can waive the recovery checklist");
    expect(stack.slack.views.size).toBe(views);

    await command(2, "recovery waive", ADMIN);
    expect(openView("incident_recovery_waive")).toBeDefined();
    const blank = await stack.client.submitView({
      userId: ADMIN,
      callbackId: "incident_recovery_waive",
      values: { reason: "   " },
    });
    expect(JSON.stringify(blank.json)).toContain("Please give why the recovery checklist is not needed");
    await stack.client.submitView({
      userId: ADMIN,
      callbackId: "incident_recovery_waive",
      values: { reason: "The export re-ran from source; nothing to restore" },
    });
    await advance(1, 1);
    expect((await timeline("INC-2", "recovery_waived"))[0]).toMatchObject({
      actorId: ADMIN,
      data: { reason: "The export re-ran from source; nothing to restore" },
    });
    expect(issueOf(2).comments.some((c) => c.body.includes("Recovery checklist waived by an admin"))).toBe(true);
    expect(await command(2, "close")).toContain("INC-2 closed.");
  });
});

describe("the resolution-communication checklist", () => {
  it("proposes the parties from the incident and does not offer “none affected” when customers can see it", async () => {
    await declare("Dashboard errors", { impacts: { options: ["customer_facing"] } });
    await command(3, "impact");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_impact",
      values: { impacts: { options: ["customer_facing"] }, customers: "Acme Corp, Globex" },
    });
    await stack.settle();
    await command(3, "resolve");
    const blocks = (openView("incident_resolve")!.view.blocks as { block_id?: string; label?: { text: string } }[])
      .map((b) => `${b.block_id}=${b.label?.text ?? ""}`)
      .join("\n");
    expect(blocks).toContain("party.customer:acme-corp=Acme Corp");
    expect(blocks).toContain("party.customer:globex=Globex");
    expect(blocks).toContain("party.status_page=The public status page");
    expect(blocks).toContain("party.incident_channel=The incident channel");
    expect(blocks).not.toContain("noneAffected");

    // Typed in the free-text field instead, it is refused in plain words.
    const typed = await stack.client.submitView({
      userId: IC,
      callbackId: "incident_resolve",
      values: { summary: "Fixed", partiesInformed: "none affected" },
    });
    expect(JSON.stringify(typed.json)).toContain("customer-facing, so it can't be resolved with “none affected”");
  });

  it("refuses “none affected” in the command too, on the field, when the incident became customer-facing meanwhile", async () => {
    await declare("Sync slow", {});
    await command(4, "resolve");
    expect(JSON.stringify(openView("incident_resolve")!.view.blocks)).toContain("noneAffected");
    // Meanwhile an admin records customer impact, before the IC submits the resolve form.
    await stack.client.command({ userId: ADMIN, channelId: channelOf(4).id, text: "impact" });
    await stack.client.submitView({
      userId: ADMIN,
      callbackId: "incident_impact",
      values: { impacts: { options: ["customer_facing"] } },
    });
    await stack.settle();
    const refused = await stack.client.submitView({
      userId: IC,
      callbackId: "incident_resolve",
      values: { summary: "Fixed", noneAffected: { options: ["none"] } },
    });
    const body = refused.json as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe("errors");
    expect(Object.keys(body.errors)).toEqual(["noneAffected"]);
    expect(body.errors.noneAffected).toContain("INC-4 is customer-facing");
  });

  it("the IC ticks parties off; one still untold is reminded in the channel until it is", async () => {
    await command(3, "resolve");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_resolve",
      values: {
        summary: "Fixed the dashboard query",
        "party.status_page": { option: "done" },
        "party.customer:globex": { option: "not_applicable" },
        "partyReason.customer:globex": "Their tenant was not on the affected shard",
      },
    });
    await stack.settle();
    const resolved = (await timeline("INC-3", "status_changed")).at(-1)!;
    expect(resolved.data.partiesInformed).toEqual([
      "The incident channel",
      "The announcement channel (#incident-response)",
      "The public status page",
    ]);
    const posted = channelText(3).find((m) => m.includes("Resolution communication checklist"))!;
    expect(await press(3, "INC-3", IC, "show_comms_checklist")).toContain("INC-3|comms|customer:acme-corp");
    expect(posted).toContain("INC-3|comms|customer:acme-corp");
    expect(posted).toContain("Their tenant was not on the affected shard");

    const reminders = () => channelText(3).filter((m) => m.includes("still to be told it is resolved"));
    await advance(110, 10);
    expect(reminders()).toHaveLength(0);
    await advance(15, 5);
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]).toContain("Acme Corp");
    expect(reminders()[0]).toContain(`<@${IC}>`);
    expect((await timeline("INC-3", "nudged")).some((e) => e.data.what === "comms_untold")).toBe(true);

    // Only the IC (or the comms lead, or an admin) ticks it off.
    expect(await press(3, "INC-3|comms|customer:acme-corp", CAROL)).toContain(
      "Only the Incident Commander or an admin can tick off who was told",
    );
    expect(await press(3, "INC-3|comms|customer:acme-corp")).toContain("Ticked off: Acme Corp told it is resolved.");
    await advance(24 * 60, 60);
    expect(reminders()).toHaveLength(1);
    const comments = issueOf(3).comments.map((c) => c.body);
    expect(comments.some((b) => b.includes("Resolution checklist: Acme Corp told it is resolved."))).toBe(true);
    expect((await command(3, "comms")).includes("checklist_tick")).toBe(false);
  });

  it("“Not applicable…” asks why; an incident resolved with the old free-text list still shows it", async () => {
    await declare("Cron drift", {});
    await resolve(5, { "party.announcement": { option: "open" } });
    await stack.settle();
    await stack.client.blockAction({
      userId: IC,
      channelId: channelOf(5).id,
      actionId: "open_comms_not_applicable",
      value: "INC-5|announcement",
    });
    await stack.settle();
    const noReason = await stack.client
      .submitView({
        userId: IC,
        callbackId: "incident_comms_not_applicable",
        values: { reason: "", item: { option: "announcement" } },
      })
      .catch((e: Error) => e);
    // Slack's client refuses an empty required field; the form never reaches muster without a reason.
    expect(String(noReason)).toContain("required input reason is empty");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_comms_not_applicable",
      values: { reason: "Nobody outside the team noticed", item: { option: "announcement" } },
    });
    await stack.settle();
    const na = (await timeline("INC-5", "checklist_ticked")).at(-1)!;
    expect(na.data).toMatchObject({ list: "comms", item: "announcement", state: "not_applicable" });
    expect(await command(5, "comms")).toContain("Nobody outside the team noticed");

    // Resolved by a muster from before the checklist: the list as it was typed then.
    await declare("Old style", {});
    const { store } = await openStore(stack.databaseUrl, { poolSize: 1 });
    try {
      const old = (await store.loadIncident("INC-6"))!.incident;
      await store.appendEvents([
        {
          incidentId: old.id,
          at: clock(),
          actorId: IC,
          kind: "status_changed",
          visibility: "internal",
          data: { from: "investigating", to: "resolved", summary: "Fixed", partiesInformed: ["support", "Acme Corp"] },
        },
      ]);
    } finally {
      await store.close();
    }
    expect(await command(6, "comms")).toContain("Parties told, as recorded then: support, Acme Corp.");
  });
});
