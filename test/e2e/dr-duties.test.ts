// The yearly BCP/DR duties on a simulated clock: the owner is reminded 14
// days before the due date and then weekly, the channel hears once when a
// duty is overdue, and recording it (from Slack over signed HTTP, or from the
// command line) moves the next due date on and stops the reminders.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { SimulatedClock } from "../helpers/simulated.js";
import { type Stack, startEmulators, startStack } from "../helpers/stack.js";

const OWNER = "UOWNER";
const RESTORER = "URESTORE";
const ADMIN = "UADMIN";
const BYSTANDER = "UBYSTANDER";

// Tuesday 1 December 2026, 09:00 UTC.
const sim = new SimulatedClock(Date.parse("2026-12-01T09:00:00Z"));
const clock = sim.now;
let stack: Stack;
let emulators: Awaited<ReturnType<typeof startEmulators>>;
const dir = mkdtempSync(join(tmpdir(), "muster-dr-"));
const databaseUrl = `file:${join(dir, "muster.db")}`;
const policyFile = join(dir, "policy.yml");
writeFileSync(
  policyFile,
  [
    "duties:",
    "  walkthrough: { owner: UOWNER, firstDue: 2027-01-31 }",
    "  restore_test:",
    "    owner: URESTORE",
    "    firstDue: 2027-03-01",
    "    everyMonths: 12",
    "",
  ].join("\n"),
);
const env = { MUSTER_POLICY: policyFile, MUSTER_ADMINS: ADMIN };

beforeAll(async () => {
  emulators = await startEmulators();
  for (const id of [OWNER, RESTORER, ADMIN, BYSTANDER])
    emulators.slack.users.set(id, { id, name: id.toLowerCase(), email: `${id.toLowerCase()}@example.com` });
  stack = await startStack({ shared: emulators, databaseUrl, clock, env });
}, 30_000);
afterAll(async () => {
  await stack?.stop();
  await Promise.all([emulators.slack.close(), emulators.github.close(), emulators.google.close()]);
});

const dms = (user: string, words: string) => {
  const ch = stack.slack.dmChannelOf(user);
  return ch ? stack.slack.messages(ch).filter((m) => m.text.includes(words)) : [];
};
const walkthroughReminders = () => dms(OWNER, "BCP/DR walkthrough exercise");
const restoreReminders = () => dms(RESTORER, "Production restore test");
const overdueNotices = () =>
  stack.slack.messages(stack.slack.channelByName("incident-response")!.id).filter((m) => m.text.includes("overdue"));

async function until(iso: string, stepMs = 12 * 60 * 60_000) {
  await sim.advanceTo(Date.parse(iso), stepMs, stack);
}

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(
    argv,
    { DATABASE_URL: databaseUrl, ...env },
    {
      out: (s) => {
        out += s;
      },
      err: (s) => {
        err += s;
      },
    },
  );
  return { code, out, err };
}

describe("yearly duties", () => {
  it("records a duty from the command line: the next due date moves on a year from when it was done", async () => {
    // Its first reminder would have come on 15 February 2027 (14 days before the first due date).
    const refused = await cli("dr", "log", "restore_test");
    expect(refused.code).toBe(2);
    const logged = await cli(
      "dr",
      "log",
      "restore_test",
      "--notes",
      "Restored last night's backup into staging and checked the row counts",
      "--link",
      "https://tickets.example.com/OPS-1",
      "--by",
      ADMIN,
      "--at",
      "2026-11-20",
    );
    expect(logged.code, logged.err).toBe(0);
    expect(logged.out).toContain("Next due 2027-11-20");
    const text = (await cli("dr", "status")).out;
    expect(text).toMatch(/restore_test\s+Production restore test\s+URESTORE\s+2026-11-20 by UADMIN\s+2027-11-20/);
  });
  it("reminds nobody more than 14 days ahead of the due date", async () => {
    await until("2027-01-16T12:00:00Z");
    expect(walkthroughReminders()).toHaveLength(0);
    expect(overdueNotices()).toHaveLength(0);
  });

  it("DMs the owner 14 days before, with a button to log it, then weekly", async () => {
    await until("2027-01-17T12:00:00Z", 6 * 60 * 60_000);
    expect(walkthroughReminders()).toHaveLength(1);
    const first = walkthroughReminders()[0]!;
    expect(first.text).toContain("2027-01-31");
    expect(JSON.stringify(first.blocks)).toContain("open_dr_duty_log");
    // The policy's own words, verbatim.
    expect(JSON.stringify(first.blocks)).toContain(
      "Tailscale reviews its backups, and any BCP/DR plans annually with a walkthrough exercise.",
    );
    // A restart between two reminders: the chain already waiting is kept, no second one is started.
    await stack.stop();
    stack = await startStack({ shared: emulators, databaseUrl, clock, env });
    await stack.settle();
    await until("2027-01-23T12:00:00Z");
    expect(walkthroughReminders()).toHaveLength(1);
    await until("2027-01-24T12:00:00Z", 6 * 60 * 60_000);
    expect(walkthroughReminders()).toHaveLength(2);
  });

  it("tells the channel once when the duty is overdue (the owner still reminded weekly)", async () => {
    await until("2027-01-31T06:00:00Z", 6 * 60 * 60_000);
    expect(overdueNotices()).toHaveLength(1);
    expect(overdueNotices()[0]!.text).toContain("BCP/DR walkthrough exercise");
    expect(overdueNotices()[0]!.text).toContain("<@UOWNER>");
    expect(walkthroughReminders()).toHaveLength(3);
    await until("2027-02-03T00:00:00Z");
    expect(overdueNotices()).toHaveLength(1);
    const status = await cli("dr", "status", "--format", "json");
    const walkthrough = JSON.parse(status.out).find((d: { duty: string }) => d.duty === "walkthrough");
    expect(walkthrough).toMatchObject({ lastDone: null, nextDueAt: "2027-01-31T00:00:00.000Z" });
    await stack.client.command({ userId: OWNER, channelId: stack.slack.dmChannelOf(OWNER)!, text: "dr status" });
    await stack.settle();
    expect(JSON.stringify(stack.slack.ephemeralsFor(OWNER).at(-1))).toMatch(/OVERDUE\* \*BCP\/DR walkthrough exercise/);
  });

  it("refuses the log form to someone who owns no duty and is no admin", async () => {
    await stack.client.command({
      userId: BYSTANDER,
      channelId: stack.slack.channelByName("incident-response")!.id,
      text: "dr log",
    });
    await stack.settle();
    expect(JSON.stringify(stack.slack.ephemeralsFor(BYSTANDER).at(-1))).toContain("owner or an admin");
    expect([...stack.slack.views.values()].filter((v) => v.userId === BYSTANDER)).toHaveLength(0);
  });

  it("records the duty from the DM's button: the next due date moves on a year and the reminders stop", async () => {
    await stack.client.blockAction({
      userId: OWNER,
      channelId: stack.slack.dmChannelOf(OWNER)!,
      actionId: "open_dr_duty_log",
      value: "walkthrough",
    });
    await stack.client.submitView({
      userId: OWNER,
      callbackId: "dr_duty_log",
      values: {
        notes: "Walked through the DR plan with SRE and Security",
        link: "https://docs.example.com/dr-2027",
        doneAt: { date: "2027-02-02" },
      },
    });
    await stack.settle();
    const status = JSON.parse((await cli("dr", "status", "--format", "json")).out);
    const walkthrough = status.find((d: { duty: string }) => d.duty === "walkthrough");
    expect(walkthrough.overdue).toBe(false);
    expect(walkthrough.lastDone).toMatchObject({
      by: OWNER,
      source: "slack",
      link: "https://docs.example.com/dr-2027",
      at: "2027-02-02T00:00:00.000Z",
    });
    expect(walkthrough.nextDueAt).toBe("2028-02-02T00:00:00.000Z");
    const before = walkthroughReminders().length;
    await until("2027-03-01T00:00:00Z", 24 * 60 * 60_000);
    expect(walkthroughReminders()).toHaveLength(before);
    expect(overdueNotices().filter((m) => m.text.includes("walkthrough"))).toHaveLength(1);
    // Recorded from the command line before its first reminder: the restore test's chain went quiet too.
    expect(restoreReminders()).toHaveLength(0);
  });

  it("shows where each duty stands in Slack", async () => {
    await stack.client.command({ userId: OWNER, channelId: stack.slack.dmChannelOf(OWNER)!, text: "dr status" });
    await stack.settle();
    const shown = JSON.stringify(stack.slack.ephemeralsFor(OWNER).at(-1));
    expect(shown).toContain("next due 2028-02-02");
    expect(shown).toContain("Production restore test");
  });
});
