// `/incident repair` fixes what it finds (archived or deleted channel, deleted
// issue, trashed or deleted doc, removed bookmarks) exactly once; and a
// private incident keeps its words out of channel names and the shared repo.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../helpers/stack.js";

const IC = "UALICE";
const ANNOUNCE = "incident-response";
const REPO = "tailscale/corp";
const CONFIDENTIAL = "tailscale/security";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

const text = (m: { text: string; blocks: unknown[] }) => `${m.text} ${JSON.stringify(m.blocks)}`;

async function declare(s: Stack, title: string, values: Record<string, unknown> = {}) {
  await s.client.command({ userId: IC, channelId: s.slack.channelByName(ANNOUNCE)!.id, text: `declare ${title}` });
  await s.client.submitView({
    userId: IC,
    callbackId: "incident_declare",
    values: {
      title,
      summary: "Card payments fail in the EU",
      commanderId: { user: IC },
      impacts: { options: ["outage"] },
      ...values,
    } as never,
  });
  await s.settle();
}

const channelOf = (s: Stack, n: number) =>
  [...s.slack.channels.values()].find((c) => c.name === `inc-${n}` || c.name.startsWith(`inc-${n}-`));

/** Writes muster made to the outside world, to show a second repair changes nothing. */
function writes(s: Stack) {
  const slack = [
    "conversations.create",
    "conversations.unarchive",
    "conversations.invite",
    "chat.postMessage",
    "pins.add",
    "bookmarks.add",
  ].reduce((n, m) => n + s.slack.callsTo(m).length, 0);
  const github = s.github.requests.filter((r) => r.method !== "GET").length;
  const google = s.google.requests.filter((r) => r.method !== "GET").length;
  return { slack, github, google };
}

async function repair(s: Stack, key = "INC-1") {
  await s.client.command({ userId: IC, channelId: s.slack.channelByName(ANNOUNCE)!.id, text: `repair ${key}` });
  await s.settle();
}

describe("/incident repair", () => {
  it("changes nothing on an intact incident", async () => {
    await declare(stack, "Payments API 500s");
    const before = writes(stack);
    await repair(stack);
    const after = writes(stack);
    expect(after.github).toBe(before.github);
    expect(after.google).toBe(before.google);
    expect(after.slack).toBe(before.slack);
  });

  it("unarchives an archived channel, once", async () => {
    const channel = channelOf(stack, 1)!;
    stack.slack.archiveChannel(channel.id);
    await repair(stack);
    expect(channel.isArchived).toBe(false);
    expect(stack.slack.callsTo("conversations.unarchive")).toHaveLength(1);
    expect(text(stack.slack.messages(channel.id).at(-1)!)).toContain("it is unarchived");
  });

  it("recreates a deleted channel with its members, pinned control message and bookmarks", async () => {
    const old = channelOf(stack, 1)!;
    stack.slack.deleteChannel(old.id);
    const created = stack.slack.callsTo("conversations.create").length;
    await repair(stack);
    expect(stack.slack.callsTo("conversations.create").length - created).toBe(1);
    const channel = channelOf(stack, 1)!;
    expect(channel.id).not.toBe(old.id);
    expect(channel.name).toBe("inc-1-payments-api-500s");
    expect(channel.members.has(IC)).toBe(true);
    expect(channel.pins.size).toBe(1);
    const messages = stack.slack.messages(channel.id);
    expect(text(messages[0]!)).toContain("Hand off IC");
    expect(messages.some((m) => text(m).includes("this new one has its members"))).toBe(true);
    expect(channel.bookmarks.map((b) => b.title).sort()).toEqual(["GitHub issue", "Incident doc"]);
    // The issue links to the new channel.
    expect(stack.github.issues(REPO)[0]!.body).toContain(channel.id);
  });

  it("re-adds a removed bookmark", async () => {
    const channel = channelOf(stack, 1)!;
    stack.slack.removeBookmark(channel.id, "Incident doc");
    await repair(stack);
    expect(channel.bookmarks.map((b) => b.title).sort()).toEqual(["GitHub issue", "Incident doc"]);
  });

  it("recreates a deleted issue, once", async () => {
    const [issue] = stack.github.issues(REPO);
    stack.github.deleteIssue(REPO, issue!.number);
    await repair(stack);
    const issues = stack.github.issues(REPO);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.number).not.toBe(issue!.number);
    expect(issues[0]!.title).toBe("[INC-1] Payments API 500s");
    const channel = channelOf(stack, 1)!;
    expect(channel.bookmarks.find((b) => b.title === "GitHub issue")!.link).toBe(issues[0]!.html_url);
    expect(stack.slack.messages(channel.id).some((m) => text(m).includes("the GitHub issue was deleted"))).toBe(true);
  });

  it("restores a trashed doc and recreates a deleted one", async () => {
    const doc = stack.google.files().find((f) => f.appProperties.musterKind === "google_doc")!;
    stack.google.trashFile(doc.id);
    await repair(stack);
    expect(stack.google.file(doc.id)!.trashed).toBe(false);

    stack.google.deleteFile(doc.id);
    await repair(stack);
    const docs = stack.google.files().filter((f) => f.appProperties.musterKind === "google_doc");
    expect(docs).toHaveLength(1);
    expect(docs[0]!.id).not.toBe(doc.id);
    expect(stack.google.documentHeadings(docs[0]!.id).map((h) => h.text)).toContain("Summary");
    const channel = channelOf(stack, 1)!;
    const said = stack.slack.messages(channel.id).map(text).join("\n");
    expect(said).toContain("the incident doc was in the trash; it is restored");
    expect(said).toContain("the incident doc was deleted; a new one was made");
  });

  it("a second repair changes nothing", async () => {
    const before = writes(stack);
    await repair(stack);
    expect(writes(stack)).toEqual(before);
  });
});

describe("a private incident", () => {
  it("has a channel named by its key and a minimal issue in the shared repository", async () => {
    await declare(stack, "Leaked signing keys", { private: { options: ["private"] } });
    const channel = channelOf(stack, 2)!;
    expect(channel.isPrivate).toBe(true);
    expect(channel.name).toBe("inc-2");
    const issue = stack.github.issues(REPO).find((i) => i.title.startsWith("[INC-2]"))!;
    expect(issue.title).not.toMatch(/Leaked|signing/i);
    expect(issue.body).not.toMatch(/Leaked|signing|Card payments/i);
    expect(issue.body).toContain("**Severity:**");
    expect(issue.body).toContain("UALICE");
  });

  it("refuses to comment once the repository has become public", async () => {
    stack.github.setRepo({ owner: "tailscale", name: "corp", private: false });
    const channel = channelOf(stack, 2)!;
    const issue = () => stack.github.issues(REPO).find((i) => i.title.startsWith("[INC-2]"))!;
    const comments = issue().comments.length;
    await stack.client.command({ userId: IC, channelId: channel.id, text: "severity" });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_severity",
      values: { severity: { option: "high" }, reason: "keys were used" },
    });
    await stack.settle();
    expect(issue().comments.length).toBe(comments);
    // The refusal reaches the IC in the channel, with a Retry button.
    expect(
      stack.slack.messages(channel.id).some((m) => text(m).includes("could not *comment on the GitHub issue*")),
    ).toBe(true);
    expect(
      stack.github.requests.filter((r) => r.method === "POST" && r.path.endsWith("/comments")).at(-1)?.path ?? "",
    ).not.toContain(`/issues/${issue().number}/`);
    stack.github.setRepo({ owner: "tailscale", name: "corp", private: true });
  });

  it("goes in full to GITHUB_CONFIDENTIAL_REPO when one is set", async () => {
    const s = await startStack({
      github: {
        repos: [
          { owner: "tailscale", name: "corp", private: true },
          { owner: "tailscale", name: "security", private: true },
        ],
      },
      env: { GITHUB_CONFIDENTIAL_REPO: CONFIDENTIAL },
    });
    try {
      await declare(s, "Leaked signing keys", { private: { options: ["private"] } });
      expect(s.github.issues(REPO)).toHaveLength(0);
      const [issue] = s.github.issues(CONFIDENTIAL);
      expect(issue!.title).toBe("[INC-1] Leaked signing keys");
      expect(issue!.body).toContain("Card payments fail in the EU");
    } finally {
      await s.stop();
    }
  });
});
