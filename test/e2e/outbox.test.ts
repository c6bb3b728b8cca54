// The outbox against outages, crashes between a call and its record, a
// public repository, and two muster processes sharing one PostgreSQL.
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF } from "../../src/jobs/backoff.js";
import { openStore } from "../../src/store/open-store.js";
import { createPrismaJobStore } from "../../src/store/prisma-job-store.js";
import { type Stack, startEmulators, startStack } from "../helpers/stack.js";
import { available, freshDatabase } from "../helpers/stores.js";

const stacks: Stack[] = [];
afterEach(async () => {
  while (stacks.length) await stacks.pop()!.stop();
});

async function declare(stack: Stack, title: string, user = "UALICE") {
  const announce = stack.slack.channelByName("incident-response")!;
  await stack.client.command({ userId: user, channelId: announce.id, text: `declare ${title}` });
  await stack.client.submitView({
    userId: user,
    callbackId: "incident_declare",
    values: { title, summary: "outbox test", impacts: { options: ["outage"] }, commanderId: { user } },
  });
}

async function inChannel(stack: Stack, n: number, user: string, text: string) {
  const channel = [...stack.slack.channels.values()].find((c) => c.name.startsWith(`inc-${n}-`))!;
  await stack.client.command({ userId: user, channelId: channel.id, text });
  return channel;
}

const incidentDocs = (stack: Stack) => stack.google.files().filter((f) => f.appProperties.musterKind === "google_doc");

describe("outages", () => {
  it("GitHub down for an hour and Google rate-limiting: afterwards every issue and doc exists once, comments in order", async () => {
    // The worker runs on simulated time: backoff delays pass only when the
    // test moves the clock, so an hour takes seconds and every retry the real
    // schedule would make in that hour is made. It starts a minute ahead so
    // that jobs queued at the real time are due at once.
    let simulated = Date.now() + 60_000;
    const clock = () => new Date(simulated);
    const stack = await startStack({
      worker: { clock, backoff: DEFAULT_BACKOFF, pollMs: 20 },
      logLevel: process.env.DEBUG_LOG ?? "silent",
    });
    stacks.push(stack);
    const tick = async (ms: number) => {
      simulated += ms;
      stack.muster.worker.wake();
      expect(await stack.muster.worker.idle(15_000)).toBe(true);
    };
    stack.github.faults.down = true;
    stack.google.faults.rateLimitNext(12);
    for (let n = 1; n <= 5; n++) {
      await declare(stack, `Outage incident ${n}`);
      await stack.muster.drained();
    }
    await tick(0);
    for (let n = 1; n <= 5; n++) {
      await inChannel(stack, n, "UALICE", "severity");
      await stack.client.submitView({
        userId: "UALICE",
        callbackId: "incident_severity",
        values: { severity: { option: "high" }, reason: `first ${n}` },
      });
      await inChannel(stack, n, "UALICE", "update");
      await stack.client.submitView({
        userId: "UALICE",
        callbackId: "incident_update",
        values: { internalText: `second ${n}` },
      });
    }
    // An hour passes two minutes at a time; GitHub stays down throughout.
    for (let minute = 2; minute <= 60; minute += 2) await tick(120_000);
    expect(stack.github.issues("tailscale/corp")).toHaveLength(0);
    const attempts = stack.github.requests.length;
    expect(attempts).toBeGreaterThan(5 * 6); // it kept trying, backing off
    expect(stack.slack.channels.size).toBeGreaterThan(5); // Slack was never held up
    expect(incidentDocs(stack)).toHaveLength(5); // Google's rate limit passed long ago
    stack.github.faults.down = false;
    // Backoff is capped at 10 minutes: within 10 more, everything is through.
    for (let minute = 2; minute <= 12; minute += 2) await tick(120_000);
    const issues = stack.github.issues("tailscale/corp");
    expect(issues.map((i) => i.title).sort()).toEqual(
      [1, 2, 3, 4, 5].map((n) => `[INC-${n}] Outage incident ${n}`).sort(),
    );
    for (const issue of issues) {
      const n = /INC-(\d+)/.exec(issue.title)![1];
      const bodies = issue.comments.map((c) => c.body);
      expect(bodies).toHaveLength(2);
      expect(bodies[0]).toContain(`first ${n}`);
      expect(bodies[1]).toContain(`second ${n}`);
    }
    expect(incidentDocs(stack)).toHaveLength(5);
    const opened = await openStore(stack.databaseUrl);
    const unfinished = await createPrismaJobStore(opened.db, "sqlite").list({ status: ["dead", "pending", "running"] });
    await opened.store.close();
    // Timers waiting for their time (the channels' nudges) are not unfinished work.
    expect(unfinished.filter((j) => !(j.status === "pending" && j.runAt > clock()))).toEqual([]);
  }, 90_000);

  it("a create whose answer was lost is found, not repeated (issue, comment, doc)", async () => {
    const stack = await startStack();
    stacks.push(stack);
    stack.github.faults.failAfterWrite({ method: "POST", path: /\/issues$/ });
    stack.github.faults.failAfterWrite({ method: "POST", path: /\/comments$/ });
    stack.google.faults.failAfterWrite({ method: "POST", path: /\/copy$|\/files$/ });
    await declare(stack, "Lost answers");
    await stack.settle();
    await inChannel(stack, 1, "UALICE", "update");
    await stack.client.submitView({
      userId: "UALICE",
      callbackId: "incident_update",
      values: { internalText: "once only" },
    });
    await stack.settle();
    const issues = stack.github.issues("tailscale/corp");
    expect(issues).toHaveLength(1);
    expect(issues[0]!.comments.filter((c) => c.body.includes("once only"))).toHaveLength(1);
    expect(incidentDocs(stack)).toHaveLength(1);
    // And /incident repair on an intact incident creates nothing.
    await inChannel(stack, 1, "UALICE", "repair");
    await stack.settle();
    expect(stack.github.issues("tailscale/corp")).toHaveLength(1);
    expect(incidentDocs(stack)).toHaveLength(1);
    expect([...stack.slack.channels.values()].filter((c) => c.name.startsWith("inc-1"))).toHaveLength(1);
  });

  it("refuses a public repository, tells the IC with a Retry button, and retries once it is private", async () => {
    const stack = await startStack();
    stacks.push(stack);
    stack.github.setRepo({ owner: "tailscale", name: "corp", private: false });
    await declare(stack, "Public repo test");
    await stack.settle();
    expect(stack.github.issues("tailscale/corp")).toHaveLength(0);
    const channel = [...stack.slack.channels.values()].find((c) => c.name.startsWith("inc-1-"))!;
    const notice = stack.slack.messages(channel.id).find((m) => JSON.stringify(m.blocks).includes("job_retry"))!;
    expect(notice).toBeTruthy();
    const retry = (notice.blocks as { elements?: { action_id: string; value: string }[] }[])
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === "job_retry")!;
    // Work goes on while the issue cannot exist: its comment has nowhere to go yet.
    await stack.client.command({ userId: "UALICE", channelId: channel.id, text: "update" });
    await stack.client.submitView({
      userId: "UALICE",
      callbackId: "incident_update",
      values: { internalText: "Said while the repository was public" },
    });
    await stack.settle();
    expect(stack.github.requests.filter((r) => r.method !== "GET")).toEqual([]);
    stack.github.setRepo({ owner: "tailscale", name: "corp", private: true });
    await stack.client.blockAction({
      userId: "UBOB",
      channelId: channel.id,
      actionId: "job_retry",
      value: retry.value,
      messageTs: notice.ts,
    });
    expect(JSON.stringify(stack.slack.responseUrlPosts.at(-1))).toMatch(/Only the Incident Commander or an admin/);
    await stack.client.blockAction({
      userId: "UALICE",
      channelId: channel.id,
      actionId: "job_retry",
      value: retry.value,
      messageTs: notice.ts,
    });
    await stack.settle();
    const [issue] = stack.github.issues("tailscale/corp");
    expect(issue?.title).toBe("[INC-1] Public repo test");
    // The comment skipped while there was no issue is posted now, once.
    expect(issue!.comments.filter((c) => c.body.includes("Said while the repository was public"))).toHaveLength(1);
  });
});

describe.runIf(available("postgresql"))("several muster processes on one PostgreSQL", () => {
  it("two workers process 500+ jobs; every outside effect happens exactly once", async () => {
    const db = await freshDatabase("postgresql");
    // This test is about two processes sharing the work, not about quotas
    // (the outage test and the emulators' own tests cover those): Docs' 60
    // writes and GitHub's 80 content creations a minute would stretch 50
    // incidents over minutes of Retry-After.
    const shared = await startEmulators({
      slack: { enforceRateLimits: false },
      github: { secondaryLimitPerMinute: 10_000, secondaryLimitPerHour: 10_000 },
      google: { docsWritesPerMinute: 10_000 },
    });
    try {
      const logLevel = process.env.DEBUG_LOG ?? "silent";
      const a = await startStack({ databaseUrl: db.url, shared, env: { DATABASE_POOL_SIZE: "4" }, logLevel });
      stacks.push(a);
      const b = await startStack({ databaseUrl: db.url, shared, env: { DATABASE_POOL_SIZE: "4" }, logLevel });
      stacks.push(b);
      for (let n = 1; n <= 50; n++) {
        await declare(n % 2 ? a : b, `Replica incident ${n}`, n % 3 ? "UALICE" : "UBOB");
        if (n % 5 === 0) {
          await inChannel(n % 2 ? a : b, n - 1, "UALICE", "note").catch(() => undefined);
        }
      }
      await Promise.all([a.settle(60_000), b.settle(60_000)]);
      await Promise.all([a.settle(60_000), b.settle(60_000)]);
      const opened = await openStore(db.url);
      const jobs = createPrismaJobStore(opened.db, "postgresql");
      const all = await jobs.list({ limit: 5000 });
      await opened.store.close();
      expect(all.length).toBeGreaterThanOrEqual(500);
      // Timers waiting for their time (the channels' nudges) are not unfinished work.
      expect(all.filter((j) => j.status !== "done" && !(j.status === "pending" && j.runAt > new Date()))).toEqual([]);
      const channels = [...shared.slack.channels.values()].filter((c) => c.name.startsWith("inc-"));
      expect(channels).toHaveLength(50);
      const issues = shared.github.issues("tailscale/corp");
      expect(issues).toHaveLength(50);
      expect(new Set(issues.map((i) => i.title)).size).toBe(50);
      expect(shared.google.files().filter((f) => f.appProperties.musterKind === "google_doc")).toHaveLength(50);
      const refs = shared.slack
        .allMessages()
        .map((m) => m.metadata?.event_payload)
        .filter(Boolean)
        .map((p) => `${String(p!.incident_id)}:${String(p!.ref)}`);
      expect(new Set(refs).size).toBe(refs.length);
      expect(a.muster.worker.stats().completed).toBeGreaterThan(0);
      expect(b.muster.worker.stats().completed).toBeGreaterThan(0);
    } finally {
      while (stacks.length) await stacks.pop()!.stop();
      await Promise.all([shared.slack.close(), shared.github.close(), shared.google.close()]);
      await db.cleanup();
    }
  }, 120_000);
});
