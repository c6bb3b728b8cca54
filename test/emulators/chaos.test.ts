// The emulators' random faults (faults.chaos, http.ts): a failed call changes
// nothing, a lost answer hides a change that happened, a rate-limit burst
// answers each service's own way, and reset() turns them all off.
import { afterAll, describe, expect, it } from "vitest";
import { GITHUB_TOKEN, GOOGLE_TOKEN, startEmulators } from "../helpers/stack.js";

const emulators = await startEmulators();
const { slack, github, google } = emulators;
afterAll(() => Promise.all([slack.close(), github.close(), google.close()]));

const slackCall = (method: string, args: Record<string, string>) =>
  fetch(`${slack.url}${method}`, {
    method: "POST",
    headers: { authorization: `Bearer ${slack.botToken}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(args).toString(),
  });
const createIssue = (title: string) =>
  fetch(`${github.url}/repos/tailscale/corp/issues`, {
    method: "POST",
    headers: { authorization: `token ${GITHUB_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ title }),
  });
const createDoc = (title: string) =>
  fetch(`${google.url}v1/documents`, {
    method: "POST",
    headers: { authorization: `Bearer ${GOOGLE_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ title }),
  });
const docTitles = () => google.files().map((f) => f.name);

describe("random faults", () => {
  it("a failed call changes nothing", async () => {
    for (const f of [slack.faults, github.faults, google.faults]) f.chaos.failureRate = 1;
    const s = await slackCall("conversations.create", { name: "chaos-failed" });
    expect(s.status === 503 || ((await s.json()) as { error: string }).error === "internal_error").toBe(true);
    expect(slack.channelByName("chaos-failed")).toBeUndefined();
    expect([502, 503]).toContain((await createIssue("Failed")).status);
    expect(github.issues("tailscale/corp").map((i) => i.title)).not.toContain("Failed");
    expect([500, 503]).toContain((await createDoc("Failed")).status);
    expect(docTitles()).not.toContain("Failed");
    for (const f of [slack.faults, github.faults, google.faults]) {
      expect(f.chaos.injected.failed).toBe(1);
      f.reset();
    }
  });

  it("a lost answer hides a change that happened", async () => {
    for (const f of [slack.faults, github.faults, google.faults]) f.chaos.lostReplyRate = 1;
    expect((await slackCall("conversations.create", { name: "chaos-lost" })).status).toBe(502);
    expect(slack.channelByName("chaos-lost")).toBeDefined();
    expect((await createIssue("Lost")).status).toBe(502);
    expect(github.issues("tailscale/corp").map((i) => i.title)).toContain("Lost");
    expect((await createDoc("Lost")).status).toBe(500);
    expect(docTitles()).toContain("Lost");
    for (const f of [slack.faults, github.faults, google.faults]) {
      expect(f.chaos.injected.lostReplies).toBe(1);
      f.reset();
    }
  });

  it("a burst of rate limits answers each service's way, then ends", async () => {
    for (const f of [slack.faults, github.faults, google.faults]) {
      f.chaos.rateLimitedUntil = Date.now() + 60_000;
      f.chaos.retryAfterSeconds = 2;
    }
    const s = await slackCall("conversations.create", { name: "chaos-limited" });
    expect(s.status).toBe(429);
    expect(s.headers.get("retry-after")).toBe("2");
    const g = await createIssue("Limited");
    expect(g.status).toBe(403);
    expect(g.headers.get("retry-after")).toBe("2");
    expect(((await g.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    expect((await createDoc("Limited")).status).toBe(429);
    for (const f of [slack.faults, github.faults, google.faults]) f.reset();
    expect((await slackCall("conversations.create", { name: "chaos-limited" })).status).toBe(200);
    expect((await createIssue("Limited")).status).toBe(201);
    expect((await createDoc("Limited")).status).toBe(200);
  });
});
