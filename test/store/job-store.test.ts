// The outbox's job store on SQLite and PostgreSQL: due times, lanes, leases,
// completion with follow-ups, and when the worker should next wake.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { JobKind } from "../../src/incidents/model.js";
import type { JobStore } from "../../src/jobs/ports.js";
import type { OpenedStore } from "../../src/store/open-store.js";
import { createPrismaJobStore } from "../../src/store/prisma-job-store.js";
import { available, openTestStore, PROVIDERS, serviceFor, user } from "../helpers/stores.js";

const T0 = new Date("2026-11-21T10:00:00.000Z");
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const lease = (s: number) => at(s + 300);

describe.each(PROVIDERS)("job store on %s", (provider) => {
  let opened: OpenedStore & { cleanup: () => Promise<void> };
  let jobs: JobStore;
  let a: string;
  let b: string;

  beforeAll(async () => {
    if (!available(provider)) return;
    opened = await openTestStore(provider);
    jobs = createPrismaJobStore(opened.db, provider);
    const svc = serviceFor(opened);
    a = (await svc.declare(user("UIC"), { title: "A" })).incidentId;
    b = (await svc.declare(user("UIC"), { title: "B" })).incidentId;
  });
  afterAll(async () => {
    await opened?.cleanup();
  });
  beforeEach(async () => {
    if (available(provider)) await opened.db.job.deleteMany();
  });

  const job = (incidentId: string | null, kind: JobKind, delayMs?: number) => ({
    incidentId,
    kind,
    payload: { n: 1 },
    ...(delayMs ? { delayMs } : {}),
  });

  it.runIf(available(provider))("claims due jobs only, lane by lane in order, lanes side by side", async () => {
    await jobs.enqueue(
      [
        job(a, "github.sync_issue"),
        job(a, "github.post_comment"),
        job(a, "google.create_doc"),
        job(b, "github.sync_issue"),
        job(a, "slack.handoff_reminder", 60_000),
      ],
      T0,
    );
    const first = await jobs.claim("w1", 10, at(0), lease(0));
    expect(first.map((j) => `${j.incidentId === a ? "a" : "b"}:${j.kind}`).sort()).toEqual([
      "a:github.sync_issue",
      "a:google.create_doc",
      "b:github.sync_issue",
    ]);
    expect(first.every((j) => j.attempts === 1 && j.status === "running")).toBe(true);
    // The comment waits for the issue; the reminder for its time.
    expect(await jobs.claim("w2", 10, at(30), lease(30))).toEqual([]);
    const issueA = first.find((j) => j.incidentId === a && j.kind === "github.sync_issue")!;
    expect(await jobs.complete(issueA.id, "w1", [], at(1))).toBe(true);
    const next = await jobs.claim("w2", 10, at(2), lease(2));
    expect(next.map((j) => j.kind)).toEqual(["github.post_comment"]);
    const reminder = await jobs.claim("w2", 10, at(61), lease(61));
    expect(reminder.map((j) => j.kind)).toEqual(["slack.handoff_reminder"]);
  });

  it.runIf(available(provider))(
    "a job backing off holds its lane, and the worker is not told to wake for the blocked ones",
    async () => {
      await jobs.enqueue([job(a, "github.sync_issue"), job(a, "github.post_comment"), job(b, "google.create_doc")], T0);
      const claimed = await jobs.claim("w1", 10, at(0), lease(0));
      const issue = claimed.find((j) => j.kind === "github.sync_issue")!;
      const doc = claimed.find((j) => j.kind === "google.create_doc")!;
      expect(await jobs.fail(issue.id, "w1", { error: "GitHub unavailable (503)", retryAt: at(120) }, at(1))).toBe(
        true,
      );
      expect(await jobs.fail(doc.id, "w1", { error: "quota", retryAt: at(40) }, at(1))).toBe(true);
      // The comment is due (runAt T0) but blocked: the next wake-up is the doc's retry at +40 s.
      expect((await jobs.nextRunAt())?.toISOString()).toBe(at(40).toISOString());
      expect(await jobs.claim("w1", 10, at(39), lease(39))).toEqual([]);
      expect((await jobs.claim("w1", 10, at(40), lease(40))).map((j) => j.kind)).toEqual(["google.create_doc"]);
      expect((await jobs.nextRunAt())?.toISOString()).toBe(at(120).toISOString());
      const retried = await jobs.claim("w1", 10, at(120), lease(120));
      expect(retried.map((j) => [j.kind, j.attempts])).toEqual([["github.sync_issue", 2]]);
      expect((await jobs.find(retried[0]!.id))?.lastError).toBe("GitHub unavailable (503)");
    },
  );

  it.runIf(available(provider))(
    "a dead worker's job is taken over when its lease runs out, and the old worker cannot finish it",
    async () => {
      await jobs.enqueue([job(a, "slack.create_channel")], T0);
      const [mine] = await jobs.claim("dead-worker", 1, at(0), lease(0));
      expect(await jobs.claim("w2", 1, at(299), lease(299))).toEqual([]);
      const [taken] = await jobs.claim("w2", 1, at(301), lease(301));
      expect(taken?.id).toBe(mine!.id);
      expect(taken?.attempts).toBe(2);
      expect(await jobs.complete(mine!.id, "dead-worker", [], at(302))).toBe(false);
      expect(await jobs.extendLease(mine!.id, "dead-worker", lease(302))).toBe(false);
      expect(await jobs.complete(taken!.id, "w2", [job(a, "slack.sync_bookmarks")], at(303))).toBe(true);
      const follow = await jobs.claim("w2", 5, at(303), lease(303));
      expect(follow.map((j) => j.kind)).toEqual(["slack.sync_bookmarks"]);
    },
  );

  it.runIf(available(provider))(
    "completes several jobs in one transaction: only those still ours, with only their follow-ups",
    async () => {
      await jobs.enqueue(
        [job(a, "slack.create_channel"), job(b, "slack.create_channel"), job(null, "slack.job_failed")],
        T0,
      );
      const [lost, kept, timer] = await jobs.claim("w1", 5, at(0), lease(0));
      // w1 stalls; w2 takes the first job over when its lease runs out.
      await jobs.extendLease(kept!.id, "w1", lease(400));
      await jobs.extendLease(timer!.id, "w1", lease(400));
      const [takenOver] = await jobs.claim("w2", 5, at(301), lease(301));
      expect(takenOver?.id).toBe(lost!.id);
      const ok = await jobs.completeMany(
        "w1",
        [
          { id: lost!.id, followUps: [job(a, "slack.sync_bookmarks")] },
          { id: kept!.id, followUps: [job(b, "slack.sync_bookmarks")] },
          { id: timer!.id, followUps: [] },
        ],
        at(302),
      );
      expect(ok).toEqual([false, true, true]);
      expect((await jobs.find(lost!.id))?.status).toBe("running");
      expect((await jobs.find(timer!.id))?.status).toBe("done");
      const follow = await jobs.claim("w1", 5, at(303), lease(303));
      expect(follow.map((j) => `${j.incidentId === b ? "b" : "a"}:${j.kind}`)).toEqual(["b:slack.sync_bookmarks"]);
    },
  );

  it.runIf(available(provider))("a dead job can be requeued, and its lane moves on meanwhile", async () => {
    await jobs.enqueue([job(a, "github.sync_issue"), job(a, "github.post_comment")], T0);
    const [issue] = await jobs.claim("w1", 5, at(0), lease(0));
    await jobs.fail(issue!.id, "w1", { error: "Refused: the repository is public", retryAt: null }, at(1));
    expect((await jobs.find(issue!.id))?.status).toBe("dead");
    // A dead job no longer holds its lane.
    expect((await jobs.claim("w1", 5, at(2), lease(2))).map((j) => j.kind)).toEqual(["github.post_comment"]);
    const again = await jobs.retry(issue!.id, at(3));
    expect(again?.status).toBe("pending");
    expect(again?.attempts).toBe(0);
    expect((await jobs.list({ status: ["dead"] })).length).toBe(0);
  });

  it.runIf(available(provider))(
    "a rate-limited attempt is refunded: it does not count towards the job's limit",
    async () => {
      await jobs.enqueue([job(a, "slack.sync_bookmarks")], T0);
      const [first] = await jobs.claim("w1", 1, at(0), lease(0));
      expect(first?.attempts).toBe(1);
      await jobs.fail(first!.id, "w1", { error: "Slack rate-limited", retryAt: at(3), refund: true }, at(1));
      const [second] = await jobs.claim("w1", 1, at(3), lease(3));
      expect(second?.attempts).toBe(1);
      await jobs.fail(second!.id, "w1", { error: "Slack unreachable", retryAt: at(10) }, at(4));
      const [third] = await jobs.claim("w1", 1, at(10), lease(10));
      expect(third?.attempts).toBe(2);
    },
  );

  it.runIf(available(provider))("releaseAll hands a crashed single process's running jobs back", async () => {
    await jobs.enqueue([job(a, "slack.create_channel"), job(b, "slack.create_channel")], T0);
    await jobs.claim("crashed", 5, at(0), lease(0));
    expect(await jobs.releaseAll()).toBe(2);
    expect((await jobs.claim("w1", 5, at(1), lease(1))).length).toBe(2);
  });
});
