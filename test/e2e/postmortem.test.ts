// The end of the process from Slack: resolve, the post-mortem owed, written
// in Slack and in the doc, completed, closed; the GitHub issue closed as
// completed with the summary. Also vendor answers and follow-ups done.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../helpers/stack.js";

const IC = "UALICE";
const BOB = "UBOB";
const ADMIN = "UADMIN";
const ANNOUNCE = "incident-response";
const REPO = "tailscale/corp";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  stack.slack.users.set(ADMIN, { id: ADMIN, name: "admin", email: "admin@example.com" });
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

const text = (m: { text: string; blocks: unknown[] }) => `${m.text} ${JSON.stringify(m.blocks)}`;
const channelOf = (n: number) =>
  [...stack.slack.channels.values()].find((c) => c.name === `inc-${n}` || c.name.startsWith(`inc-${n}-`))!;
const lastReply = () => JSON.stringify(stack.slack.responseUrlPosts.at(-1)?.body ?? {});
const issueOf = (n: number) => stack.github.issues(REPO).find((i) => i.title.startsWith(`[INC-${n}]`))!;

async function declare(title: string, values: Record<string, unknown>) {
  await stack.client.command({
    userId: IC,
    channelId: stack.slack.channelByName(ANNOUNCE)!.id,
    text: `declare ${title}`,
  });
  await stack.client.submitView({
    userId: IC,
    callbackId: "incident_declare",
    values: { title, summary: "Logins fail", commanderId: { user: IC }, ...values } as never,
  });
  await stack.settle();
}

async function resolve(n: number) {
  await stack.client.command({ userId: IC, channelId: channelOf(n).id, text: "resolve" });
  await stack.client.submitView({
    userId: IC,
    callbackId: "incident_resolve",
    values: { summary: "Rolled back the auth deploy", partiesInformed: "support, status page" },
  });
  await stack.settle();
}

async function command(n: number, words: string, userId = IC) {
  await stack.client.command({ userId, channelId: channelOf(n).id, text: words });
  await stack.settle();
  return lastReply();
}

const openPostmortem = () =>
  [...stack.slack.views.values()].filter((v) => v.view.callback_id === "incident_postmortem").at(-1)!;

describe("an outage incident, from declaration to closed", () => {
  it("tells the channel and the owner what is owed on resolve, and refuses to close", async () => {
    await declare("Logins fail", { impacts: { options: ["outage"] } });
    await command(1, "followup");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_follow_up",
      values: { title: "Alert on auth error rate", ownerId: { user: BOB } },
    });
    await stack.settle();
    await resolve(1);
    const owed = stack.slack.messages(channelOf(1).id).find((m) => text(m).includes("needs a post-mortem"))!;
    expect(text(owed)).toContain("because it caused a production outage");
    expect(text(owed)).toContain("Owner: <@UALICE>");
    const doc = stack.google.files().find((f) => f.appProperties.musterKind === "google_postmortem_doc")!;
    expect(text(owed)).toContain(doc.webViewLink);
    expect(text(stack.slack.messages(stack.slack.dmChannelOf(IC)!).at(-1)!)).toContain("needs a post-mortem");
    expect(await command(1, "close")).toMatch(/needs a post-mortem because it caused a production outage/);
  });

  it("saves a draft, pre-filled from what muster knows", async () => {
    await command(1, "postmortem");
    const view = JSON.stringify(openPostmortem().view);
    expect(view).toContain("Declared");
    expect(view).toContain("Impacts: outage");
    expect(view).toContain("Alert on auth error rate");
    const r = await stack.client.submitView({
      userId: IC,
      callbackId: "incident_postmortem",
      values: {
        actionsTaken: "Rolled back the auth deploy",
        followUps: "Alerting follow-up recorded",
      },
    });
    expect(r.status).toBe(200);
    expect(r.body).toBe("");
  });

  it("refuses to mark it complete while parts are empty, naming them", async () => {
    await command(1, "postmortem");
    const r = await stack.client.submitView({
      userId: IC,
      callbackId: "incident_postmortem",
      values: { complete: { option: "complete" } },
    });
    const errors = (r.json as { errors: Record<string, string> }).errors;
    expect(errors.complete).toMatch(/still needs: root causes, newly identified risks .*, the public summary/);
    expect(errors.complete).not.toMatch(/details|timeline|impact,|actions taken|follow-up/);
  });

  it("imports a part from the doc", async () => {
    const doc = stack.google.files().find((f) => f.appProperties.musterKind === "google_postmortem_doc")!;
    stack.google.writeUnderHeading(doc.id, "Root causes", "An expired signing certificate on the auth service");
    await stack.client.blockAction({
      userId: IC,
      channelId: channelOf(1).id,
      actionId: "postmortem_import",
      value: "INC-1",
    });
    await stack.settle();
    expect(lastReply()).toContain("Imported from the doc: root causes");
    expect(stack.google.requests.some((q) => q.method === "GET" && q.path === `/v1/documents/${doc.id}`)).toBe(true);
  });

  it("says so in words when the doc can't be read", async () => {
    stack.google.faults.failNext({ method: "GET", path: /^\/v1\/documents\// }, { status: 503 });
    await stack.client.blockAction({
      userId: IC,
      channelId: channelOf(1).id,
      actionId: "postmortem_import",
      value: "INC-1",
    });
    await stack.settle();
    expect(lastReply()).toContain("could not read the INC-1 post-mortem doc");
  });

  it("completes it, comments the summary on the issue, and closes as completed", async () => {
    await command(1, "postmortem");
    expect(JSON.stringify(openPostmortem().view)).toContain("An expired signing certificate");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_postmortem",
      values: {
        newRisks: "No new risks: certificate expiry is already on the register",
        publicSummary: "Some users could not log in for 40 minutes.",
        complete: { option: "complete" },
      },
    });
    await stack.settle();
    const comment = issueOf(1).comments.find((c) => c.body.includes("Post-mortem completed"))!;
    expect(comment.body).toContain("An expired signing certificate");
    expect(comment.body).toContain("Some users could not log in");
    expect(await command(1, "close")).toContain("INC-1 closed");
    const issue = issueOf(1);
    expect(issue.state).toBe("closed");
    expect(issue.state_reason).toBe("completed");
  });
});

describe("the post-mortem rule, judged on the incident as it stands", () => {
  it("a Critical incident without the outage box needs one; an admin may waive it, visibly", async () => {
    await declare("Card data exposure", { impacts: { options: ["customer_facing"] } });
    await command(2, "severity");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_severity",
      values: { severity: { option: "critical" }, reason: "every EU customer" },
    });
    await stack.settle();
    await resolve(2);
    expect(await command(2, "close")).toMatch(/needs a post-mortem because it is a Critical incident/);
    expect(await command(2, "postmortem waive Duplicate of INC-1")).toMatch(/Only an admin can waive/);
    expect(await command(2, "postmortem waive Duplicate of INC-1", ADMIN)).toContain("waived");
    const control = stack.slack.messages(channelOf(2).id)[0]!;
    expect(text(control)).toContain("waived by <@UADMIN>: Duplicate of INC-1");
    expect(issueOf(2).body).toContain("waived by an admin: Duplicate of INC-1");
    const announced = stack.slack
      .messages(stack.slack.channelByName(ANNOUNCE)!.id)
      .find((m) => text(m).includes("INC-2"))!;
    expect(text(announced)).toContain("waived by <@UADMIN>");
    expect(await command(2, "close")).toContain("INC-2 closed");
  });

  it("a Low incident without outage or data loss closes without one", async () => {
    await declare("Typo on status page", { impacts: { options: ["customer_facing"] }, severity: { option: "low" } });
    await resolve(3);
    expect(stack.slack.messages(channelOf(3).id).some((m) => text(m).includes("needs a post-mortem"))).toBe(false);
    expect(await command(3, "close")).toContain("INC-3 closed");
  });

  it("hands the post-mortem to another owner, who is told", async () => {
    await declare("Database failover", { impacts: { options: ["data_loss"] } });
    await resolve(4);
    expect(await command(4, "postmortem owner <@UBOB|bob>")).toContain("now owns the INC-4 post-mortem");
    const dm = stack.slack.messages(stack.slack.dmChannelOf(BOB)!);
    expect(dm.some((m) => text(m).includes("INC-4 needs a post-mortem") && text(m).includes("Owner: <@UBOB>"))).toBe(
      true,
    );
    // App Home shows what Bob owes.
    await stack.client.event({ type: "app_home_opened", user: BOB, tab: "home", channel: "D0BOB" });
    await stack.settle();
    expect(JSON.stringify(stack.slack.homeViews.get(BOB))).toContain("INC-4");
  });
});

describe("vendor checks and follow-ups", () => {
  it("answers a vendor check from the buttons on its message", async () => {
    await declare("Suspicious CDN behaviour", {});
    await command(5, "vendor");
    const deadline = Math.floor(Date.now() / 1000) + 4 * 3600;
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_vendor",
      values: { vendor: "Fastly", deadline: { dateTime: deadline } as never },
    });
    await stack.settle();
    const msg = stack.slack.messages(channelOf(5).id).find((m) => text(m).includes("recorded a check with *Fastly*"))!;
    expect(text(msg)).toContain("Not affected");
    expect(text(msg)).toContain(`Answer needed by <!date^${deadline}`);
    await stack.client.blockAction({
      userId: IC,
      channelId: channelOf(5).id,
      actionId: "vendor_not_affected",
      value: `INC-5|${JSON.stringify(msg.blocks).match(/INC-5\|([^"]+)/)![1]}`,
    });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_vendor_answer",
      values: { notes: "Their security team confirmed" },
    });
    await stack.settle();
    expect(stack.slack.messages(channelOf(5).id).some((m) => text(m).includes("*Fastly* answered: not affected"))).toBe(
      true,
    );
  });

  it("raises a check still waiting at its deadline", async () => {
    await command(5, "vendor");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_vendor",
      values: { vendor: "Okta", deadline: { dateTime: Math.floor(Date.now() / 1000) + 2 } as never },
    });
    await stack.settle();
    const late = () => stack.slack.messages(channelOf(5).id).filter((m) => text(m).includes("*Okta* has not answered"));
    expect(late()).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 2_500));
    await stack.settle();
    expect(late()).toHaveLength(1);
    expect(text(late()[0]!)).toContain("Still waiting");
  });

  it("marks a follow-up done in Slack (its issue closes) and reads another closed on GitHub as done", async () => {
    for (const title of ["Rotate CDN keys", "Add CDN alerting"]) {
      await command(5, "followup");
      await stack.client.submitView({
        userId: IC,
        callbackId: "incident_follow_up",
        values: { title, ownerId: { user: BOB } },
      });
      await stack.settle();
    }
    const issues = () => stack.github.issues(REPO).filter((i) => i.title.startsWith("[INC-5 follow-up]"));
    expect(issues()).toHaveLength(2);
    expect(await command(5, "followups")).toContain("Rotate CDN keys");
    const list = stack.slack.ephemeralsFor(IC).at(-1)!;
    const value = JSON.stringify(list.blocks).match(/"value":"(INC-5\|[^"]+)"/)![1]!;
    await stack.client.blockAction({ userId: IC, channelId: channelOf(5).id, actionId: "follow_up_done", value });
    await stack.settle();
    const rotate = issues().find((i) => i.title.includes("Rotate"))!;
    expect(rotate.state).toBe("closed");
    expect(rotate.state_reason).toBe("completed");

    const alerting = issues().find((i) => i.title.includes("alerting"))!;
    stack.github.closeIssue(REPO, alerting.number);
    await command(5, "followups");
    await stack.settle();
    expect(stack.slack.messages(channelOf(5).id).some((m) => text(m).includes("its issue was closed on GitHub"))).toBe(
      true,
    );
    const listed = await command(5, "followups");
    expect(listed).not.toContain('"action_id":"follow_up_done"');
  });
});
