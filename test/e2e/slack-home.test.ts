// App Home over signed HTTP: the Declare button opens the declare form; the
// incidents I hold a role in; what I owe (follow-ups, soonest due first).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

async function openHome(userId: string): Promise<string> {
  await stack.client.event({ type: "app_home_opened", user: userId, tab: "home", channel: `D0${userId}` });
  await stack.settle();
  return JSON.stringify(stack.slack.homeViews.get(userId));
}

async function followUp(title: string, owner: string, dueDate?: string) {
  await stack.client.command({ userId: IC, channelId: channelOf(1).id, text: "followup" });
  await stack.client.submitView({
    userId: IC,
    callbackId: "incident_follow_up",
    values: { title, ownerId: { user: owner }, ...(dueDate ? { dueDate: { date: dueDate } } : {}) },
  });
}

describe("App Home", () => {
  it("shows my incidents with my role, and what I owe, soonest due first", async () => {
    await stack.client.command({ userId: IC, channelId: announce().id, text: "declare Disk full on db-3" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_declare",
      values: { title: "Disk full on db-3", commanderId: { user: IC } },
    });
    await stack.settle();
    await followUp("Alert at 80% disk", IC);
    await followUp("Rotate db-3 logs daily", IC, "2020-01-15");
    await followUp("Document the runbook", BOB, "2999-01-01");
    await stack.settle();

    const alice = await openHome(IC);
    expect(alice).toContain('"action_id":"open_declare"');
    expect(alice).toContain("Disk full on db-3");
    expect(alice).toContain("You are: *Incident Commander*");
    expect(alice).toContain("What you owe");
    const rotate = alice.indexOf("Rotate db-3 logs daily");
    const alert = alice.indexOf("Alert at 80% disk");
    expect(rotate).toBeGreaterThan(0);
    expect(alert).toBeGreaterThan(rotate); // dated before undated
    expect(alice).toMatch(/Rotate db-3 logs daily · due 2020-01-15 :warning: \*overdue\*/);
    expect(alice).not.toContain("Document the runbook");
    // The commands come from the subcommand table.
    expect(alice).toContain("`/incident times`");

    const bob = await openHome(BOB);
    expect(bob).toContain("Document the runbook · due 2999-01-01");
    expect(bob).not.toContain("overdue");
    const carol = await openHome(CAROL);
    expect(carol).toContain("You hold no role in an open incident.");
    expect(carol).toContain("Nothing: no post-mortem or open follow-up is yours.");
  });

  it("shows the post-mortems I owe once an outage is resolved, with the doc", async () => {
    await stack.client.command({ userId: IC, channelId: announce().id, text: "declare Login outage" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_declare",
      values: { title: "Login outage", commanderId: { user: IC }, impacts: { options: ["outage"] } },
    });
    await stack.settle();
    expect(await openHome(IC)).not.toContain("*Post-mortems*");
    await stack.client.command({ userId: IC, channelId: channelOf(2).id, text: "resolve" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_resolve",
      values: { summary: "Session store restarted", partiesInformed: "support" },
    });
    await stack.settle();
    const home = await openHome(IC);
    expect(home).toMatch(/\*Post-mortems\*\\n• \*INC-2\* Login outage · <https:[^|]+\|post-mortem doc>/);
    expect(await openHome(BOB)).not.toContain("*Post-mortems*");
  });

  it("opens the declare form from the Declare button", async () => {
    const before = stack.slack.callsTo("views.open").length;
    const r = await stack.client.blockAction({ userId: CAROL, actionId: "open_declare", value: "declare" });
    expect(r.status).toBe(200);
    await stack.settle();
    const opened = stack.slack.callsTo("views.open");
    expect(opened.length).toBe(before + 1);
    expect((opened.at(-1)!.args.view as { callback_id: string }).callback_id).toBe("incident_declare");
  });
});
