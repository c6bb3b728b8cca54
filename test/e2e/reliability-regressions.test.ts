// Bugs the reliability suite (test/reliability/) found, each pinned here on
// its own, quickly.
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { type Stack, startEmulators, startStack } from "../helpers/stack.js";
import { available, freshDatabase } from "../helpers/stores.js";

const stacks: Stack[] = [];
afterEach(async () => {
  while (stacks.length) await stacks.pop()!.stop();
});

describe("found by the reliability suite", () => {
  it("a Slack error on auth.test while muster starts is retried, not an unhandled rejection that leaves it unable to serve", async () => {
    const shared = await startEmulators();
    try {
      shared.slack.faults.failNext("auth.test", "internal_error", 2);
      const stack = await startStack({ shared });
      stacks.push(stack);
      const announce = shared.slack.channelByName("incident-response")!;
      const ack = await stack.client.command({ userId: "UALICE", channelId: announce.id, text: "declare Startup" });
      expect(ack.status).toBe(200);
      expect(shared.slack.callsTo("views.open").filter((c) => c.ok)).toHaveLength(1);
      expect(shared.slack.callsTo("auth.test").map((c) => c.ok)).toEqual([false, false, true]);
    } finally {
      await Promise.all([shared.slack.close(), shared.github.close(), shared.google.close()]);
    }
  });

  it("a DM answering a request is sent once although Slack posted it and lost the answer (it was retried and posted twice)", async () => {
    const stack = await startStack();
    stacks.push(stack);
    const { slack } = stack;
    const announce = slack.channelByName("incident-response")!;
    await stack.client.command({ userId: "UALICE", channelId: announce.id, text: "declare Lost answer" });
    // The confirmation cannot be shown in the channel, so it goes by DM; Slack posts that DM and the answer is lost.
    slack.faults.failNext("chat.postEphemeral", "internal_error");
    slack.faults.loseNextReply("chat.postMessage", { when: (a) => String(a.channel).startsWith("U") });
    const submitted = await stack.client.submitView({
      userId: "UALICE",
      callbackId: "incident_declare",
      values: { title: "Lost answer", summary: "a DM", commanderId: { user: "UALICE" } },
    });
    expect(submitted.status).toBe(200);
    const dmChannel = () => [...slack.channels.values()].find((c) => c.isIm && c.members.has("UALICE"))?.id;
    const replies = () =>
      slack
        .allMessages()
        .filter((m) => m.channel === dmChannel() && m.text.includes("INC-1") && !m.metadata?.event_payload.incident_id);
    await expect.poll(() => replies().length, { timeout: 5_000 }).toBe(1);
    // Bolt's client would have retried within a second: nothing more comes.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(replies()).toHaveLength(1);
    expect(slack.callsTo("chat.postMessage").filter((c) => String(c.args.channel).startsWith("U"))).toHaveLength(1);
  });

  it("a doc is shared with its IC although Slack failed the look-up of their email (the person was skipped and the job completed)", async () => {
    const stack = await startStack();
    stacks.push(stack);
    const { slack, google } = stack;
    const announce = slack.channelByName("incident-response")!;
    await stack.client.command({ userId: "UALICE", channelId: announce.id, text: "declare Unshared doc" });
    // Slack fails every look-up until the doc exists and its sharing has met the failure.
    slack.faults.failNext("users.info", "internal_error", 10_000);
    await stack.client.submitView({
      userId: "UALICE",
      callbackId: "incident_declare",
      values: { title: "Unshared doc", summary: "users.info down", commanderId: { user: "UALICE" } },
    });
    const doc = () => google.files().find((f) => f.appProperties.musterIncident);
    await expect.poll(() => doc(), { timeout: 10_000 }).toBeTruthy();
    await new Promise((r) => setTimeout(r, 300));
    slack.faults.reset();
    const email = slack.users.get("UALICE")!.email;
    const shared = () => doc()!.permissions.filter((p) => p.emailAddress === email && p.role === "writer").length;
    // The job waits out its backoff, then shares.
    await expect.poll(shared, { timeout: 5_000 }).toBe(1);
    await stack.settle();
    expect(shared()).toBe(1);
  });

  it.runIf(available("postgresql"))(
    "a submission still saving when Slack's 3 s run out says so, then says it was saved; it never closes as if done",
    async () => {
      const db = await freshDatabase("postgresql");
      const stack = await startStack({ databaseUrl: db.url });
      stacks.push(stack);
      const announce = stack.slack.channelByName("incident-response")!;
      await stack.client.command({ userId: "UALICE", channelId: announce.id, text: "declare Slow database" });
      // Another session locks the incidents for 4 s: the declaration waits for it.
      const holder = new pg.Client({ connectionString: db.url });
      await holder.connect();
      await holder.query("BEGIN");
      await holder.query('LOCK TABLE "Incident" IN ACCESS EXCLUSIVE MODE');
      const released = new Promise<void>((r) =>
        setTimeout(async () => {
          await holder.query("COMMIT");
          await holder.end();
          r();
        }, 4_000),
      );
      const viewId = [...stack.slack.views.values()].find((v) => v.view.callback_id === "incident_declare")!.id;
      const submitted = await stack.client.submitView({
        userId: "UALICE",
        callbackId: "incident_declare",
        values: { title: "Slow database", summary: "held lock", commanderId: { user: "UALICE" } },
      });
      await released;
      expect(submitted.ms).toBeLessThan(3_000);
      expect(submitted.json).toMatchObject({ response_action: "update", view: { callback_id: "incident_saving" } });
      await expect
        .poll(() => stack.slack.views.get(viewId)?.view.callback_id, { timeout: 10_000 })
        .toBe("incident_saved");
      await stack.settle();
      expect(stack.github.issues("tailscale/corp").map((i) => i.title)).toEqual(["[INC-1] Slow database"]);
      await stacks.pop()!.stop();
      await db.cleanup();
    },
    60_000,
  );
});
