// The outbox process killed with SIGKILL while its jobs are talking to
// GitHub and Google, then started again on the same database: every effect
// exists once, nothing queued is lost.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { createPrismaJobStore } from "../../src/store/prisma-job-store.js";
import { killMusterProcess, type MusterProcess, startMusterProcess } from "../helpers/muster-process.js";
import { SlackTestClient } from "../helpers/slack-client.js";
import { musterEnv, SIGNING_SECRET, startEmulators } from "../helpers/stack.js";

const children: MusterProcess[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map(killMusterProcess));
});

async function startChild(env: Record<string, string>): Promise<MusterProcess> {
  const p = await startMusterProcess(env, 20_000);
  children.push(p);
  return p;
}

const waitFor = async (what: string, ok: () => boolean | Promise<boolean>, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe("a muster process killed mid-jobs", () => {
  it("restarts on the same database: no duplicate issue, comment, doc or channel, and nothing lost", async () => {
    const dir = mkdtempSync(join(tmpdir(), "muster-crash-"));
    const emulators = await startEmulators();
    const { slack, github, google } = emulators;
    try {
      const databaseUrl = `file:${join(dir, "muster.db")}`;
      const env = musterEnv(emulators, databaseUrl);
      // Slow services: the kill lands while calls are in flight, and the
      // services finish what they were asked after muster is gone.
      // GitHub's issue create comes after a repository check and labels, so
      // Google is slower still, for both creates to be in flight at once.
      github.faults.latencyMs = 300;
      google.faults.latencyMs = 4_000;
      const first = await startChild(env);
      const client = new SlackTestClient({
        url: `http://127.0.0.1:${first.port}/slack/events`,
        signingSecret: SIGNING_SECRET,
        emulator: slack,
      });
      const announce = slack.channelByName("incident-response")!;
      for (let n = 1; n <= 3; n++) {
        await client.command({ userId: "UALICE", channelId: announce.id, text: `declare Crash ${n}` });
        // The modal opens just after the acknowledgement.
        await waitFor("the declare modal", () => slack.callsTo("views.open").filter((c) => c.ok).length >= n);
        await client.submitView({
          userId: "UALICE",
          callbackId: "incident_declare",
          values: {
            title: `Crash ${n}`,
            summary: "crash test",
            impacts: { options: ["outage"] },
            commanderId: { user: "UALICE" },
          },
        });
      }
      // Kill while an issue and a doc are being created: muster has recorded
      // its intent and sent the create, the (slow) service has not answered.
      const before = await openStore(databaseUrl);
      let inFlight = new Set<string>();
      let requestsAtKill = 0;
      await waitFor(
        "creates in flight",
        async () => {
          const intents = await before.db.externalRef.findMany({ where: { externalId: "" } });
          inFlight = new Set(intents.map((r) => r.kind));
          if (!inFlight.has("github_issue") || !inFlight.has("google_doc")) return false;
          requestsAtKill = github.requests.length;
          first.child.kill("SIGKILL");
          return true;
        },
        30_000,
      );
      await first.exited;
      const events = await before.db.timelineEvent.count();
      const jobs = await before.db.job.count();
      const running = (await createPrismaJobStore(before.db, "sqlite").list({ status: ["running"] })).length;
      await before.store.close();
      expect(running).toBeGreaterThan(0);
      // Let the services finish the calls the dead process made.
      await new Promise((r) => setTimeout(r, 4_200));
      github.faults.latencyMs = 50;
      google.faults.latencyMs = 50;

      const second = await startChild(env);
      const client2 = new SlackTestClient({
        url: `http://127.0.0.1:${second.port}/slack/events`,
        signingSecret: SIGNING_SECRET,
        emulator: slack,
      });
      await waitFor("the incident channels", () =>
        [1, 2, 3].every((n) => [...slack.channels.values()].some((c) => c.name.startsWith(`inc-${n}-`))),
      );
      for (let n = 1; n <= 3; n++) {
        const channel = [...slack.channels.values()].find((c) => c.name.startsWith(`inc-${n}-`))!;
        const opened = slack.callsTo("views.open").filter((c) => c.ok).length;
        await client2.command({ userId: "UALICE", channelId: channel.id, text: "update" });
        await waitFor("the update modal", () => slack.callsTo("views.open").filter((c) => c.ok).length > opened);
        await client2.submitView({
          userId: "UALICE",
          callbackId: "incident_update",
          values: { internalText: `Rolled back deploy ${n}` },
        });
      }
      await waitFor(
        "every job to finish",
        async () => {
          const o = await openStore(databaseUrl);
          const left = await createPrismaJobStore(o.db, "sqlite").list({ status: ["pending", "running", "dead"] });
          await o.store.close();
          // Timers waiting for their time (the channels' nudges) are not unfinished work.
          return left.filter((j) => !(j.status === "pending" && j.runAt > new Date())).length === 0;
        },
        30_000,
      );
      const after = await openStore(databaseUrl);
      expect(await after.db.timelineEvent.count()).toBe(events + 3); // and the three updates
      expect(await after.db.job.count()).toBeGreaterThanOrEqual(jobs);
      await after.store.close();

      // The restarted process found a create whose answer the dead one never heard, and looked before creating again.
      const lookups = github.requests
        .slice(requestsAtKill)
        .filter((r) => r.method === "GET" && /\/issues$/.test(r.path) && r.query.labels);
      expect(lookups.length).toBeGreaterThan(0);
      const docLookup = google.requests.some(
        (r) => r.method === "GET" && /\/files$/.test(r.path) && /appProperties/.test(String(r.query.q)),
      );
      expect(docLookup).toBe(true);
      const issues = github.issues("tailscale/corp");
      expect(issues.map((i) => i.title).sort()).toEqual(["[INC-1] Crash 1", "[INC-2] Crash 2", "[INC-3] Crash 3"]);
      for (const issue of issues) {
        const n = /INC-(\d+)/.exec(issue.title)![1];
        expect(issue.comments.filter((c) => c.body.includes(`Rolled back deploy ${n}`))).toHaveLength(1);
      }
      const docs = google.files().filter((f) => f.appProperties.musterKind === "google_doc");
      expect(docs.map((f) => f.name).sort()).toEqual(["[INC-1] Crash 1", "[INC-2] Crash 2", "[INC-3] Crash 3"]);
      expect([...slack.channels.values()].filter((c) => c.name.startsWith("inc-"))).toHaveLength(3);
      const announcements = slack
        .messages(announce.id)
        .filter((m) => /INC-\d/.test(m.text ?? "") && m.metadata?.event_payload);
      expect(announcements).toHaveLength(3);
    } finally {
      await Promise.all(children.splice(0).map(killMusterProcess));
      await Promise.all([slack.close(), github.close(), google.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
