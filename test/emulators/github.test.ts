// Drives the GitHub emulator with the real Octokit (plus the retry and throttling plugins muster
// uses), so the emulator is held to what the client actually sends and expects.
import { generateKeyPairSync } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { RequestError } from "@octokit/request-error";
import { Octokit } from "@octokit/rest";
import Bottleneck from "bottleneck";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type GitHubEmulator, type GitHubEmulatorOptions, startGitHubEmulator } from "./github.js";

const MusterOctokit = Octokit.plugin(retry, throttling);
type ClientOptions = NonNullable<ConstructorParameters<typeof MusterOctokit>[0]>;
type LimitHandler = (retryAfter: number, options: object, octokit: object, retryCount: number) => boolean;

const REPO = { owner: "tailscale", repo: "corp" };
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * The client as muster builds it, made fast: both plugins wait `retryAfterBaseValue` ms per
 * "second", and the throttling plugin's write (1 s) and notification (3 s) spacing groups are
 * replaced by unspaced ones. The handlers are spies so tests can see what the plugin was told.
 *
 * Retries are set with `retry.retries`, never `request.retries`: plugin-retry reads
 * `request.retries` as "this error was marked retryable", so setting it for every request makes it
 * retry 4xx answers too (401, 404, 422, and secondary limits before the throttling plugin sees them).
 */
function client(emu: GitHubEmulator, overrides: Partial<ClientOptions> = {}, handlers: Partial<Handlers> = {}) {
  const onRateLimit = vi.fn<LimitHandler>(handlers.onRateLimit ?? ((_a, _o, _k, retryCount) => retryCount < 2));
  const onSecondaryRateLimit = vi.fn<LimitHandler>(
    handlers.onSecondaryRateLimit ?? ((_a, _o, _k, retryCount) => retryCount < 2),
  );
  const octokit = new MusterOctokit({
    auth: "ghp_test",
    baseUrl: emu.url,
    log: quiet,
    retry: { retries: 2, retryAfterBaseValue: 1 },
    throttle: {
      onRateLimit,
      onSecondaryRateLimit,
      retryAfterBaseValue: 1,
      fallbackSecondaryRateRetryAfter: 1,
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
    },
    ...overrides,
  });
  return { octokit, onRateLimit, onSecondaryRateLimit };
}
interface Handlers {
  onRateLimit: LimitHandler;
  onSecondaryRateLimit: LimitHandler;
}

/** The RequestError an Octokit call rejected with. */
async function failure(p: Promise<unknown>): Promise<RequestError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RequestError) return e;
    throw e;
  }
  throw new Error("expected the request to fail");
}

/** A raw request, for what Octokit hides (headers of errors, malformed bodies). */
function raw(emu: GitHubEmulator, method: string, path: string, body?: string, token = "ghp_test") {
  return fetch(`${emu.url}${path}`, {
    method,
    headers: { authorization: `token ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body }),
  });
}

const emulators: GitHubEmulator[] = [];
async function start(options?: GitHubEmulatorOptions) {
  const emu = await startGitHubEmulator(options);
  emulators.push(emu);
  return emu;
}
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});

/** A settable clock for crossing rate-limit windows without waiting. */
function fakeClock() {
  let t = Date.now();
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("issues", () => {
  it("creates, reads, closes and reopens an issue with its state_reason", async () => {
    const emu = await start();
    const { octokit } = client(emu);

    const created = await octokit.rest.issues.create({
      ...REPO,
      title: "SEV1: checkout down",
      body: "details",
      labels: ["sev1", { name: "incident" }],
      assignees: ["alice"],
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      number: 1,
      title: "SEV1: checkout down",
      body: "details",
      state: "open",
      state_reason: null,
      labels: [
        { name: "sev1", color: "ededed" },
        { name: "incident", color: "ededed" },
      ],
      assignees: [{ login: "alice" }],
      user: { login: "muster-bot" },
      html_url: "https://github.com/tailscale/corp/issues/1",
      comments: 0,
    });
    expect(created.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const second = await octokit.rest.issues.create({ ...REPO, title: "second" });
    expect(second.data.number).toBe(2);
    expect(second.data.body).toBeNull();

    const got = await octokit.rest.issues.get({ ...REPO, issue_number: 1 });
    expect(got.data.title).toBe("SEV1: checkout down");

    const closed = await octokit.rest.issues.update({ ...REPO, issue_number: 1, state: "closed" });
    expect(closed.data).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(closed.data.closed_at).not.toBeNull();

    const notPlanned = await octokit.rest.issues.update({
      ...REPO,
      issue_number: 2,
      state: "closed",
      state_reason: "not_planned",
    });
    expect(notPlanned.data.state_reason).toBe("not_planned");

    const reopened = await octokit.rest.issues.update({ ...REPO, issue_number: 1, state: "open" });
    expect(reopened.data).toMatchObject({ state: "open", state_reason: "reopened", closed_at: null });

    expect(emu.issues("tailscale/corp").map((i) => [i.number, i.state, i.state_reason, i.user])).toEqual([
      [1, "open", "reopened", "muster-bot"],
      [2, "closed", "not_planned", "muster-bot"],
    ]);
    expect((await failure(octokit.rest.issues.get({ ...REPO, issue_number: 3 }))).status).toBe(404);
  });

  it("replaces labels on PATCH, adds them with POST …/labels, and creates unknown ones grey", async () => {
    const emu = await start();
    const { octokit } = client(emu);
    await octokit.rest.issues.createLabel({ ...REPO, name: "SEV1", color: "ff0000" });
    await octokit.rest.issues.create({ ...REPO, title: "t", labels: ["sev1", "db"] });

    // The existing label keeps its own spelling and colour.
    expect(emu.issues("tailscale/corp")[0]?.labels).toEqual(["SEV1", "db"]);

    const patched = await octokit.rest.issues.update({ ...REPO, issue_number: 1, labels: ["network"] });
    expect(patched.data.labels.map((l) => (typeof l === "string" ? l : l.name))).toEqual(["network"]);

    const added = await octokit.rest.issues.addLabels({ ...REPO, issue_number: 1, labels: ["resolved", "network"] });
    expect(added.data.map((l) => l.name)).toEqual(["network", "resolved"]);

    expect(emu.labels("tailscale/corp")).toEqual([
      { name: "SEV1", color: "ff0000", description: null },
      { name: "db", color: "ededed", description: null },
      { name: "network", color: "ededed", description: null },
      { name: "resolved", color: "ededed", description: null },
    ]);
  });

  it("answers 422 in GitHub's shape for a missing title, a long body and a bad state", async () => {
    const emu = await start();
    const { octokit } = client(emu);

    const noTitle = await failure(octokit.rest.issues.create({ ...REPO, title: "" }));
    expect(noTitle.status).toBe(422);
    expect(noTitle.response?.data).toMatchObject({
      message: "Validation Failed",
      errors: [{ resource: "Issue", field: "title", code: "missing_field" }],
    });

    const long = "x".repeat(65_537);
    const tooLong = await failure(octokit.rest.issues.create({ ...REPO, title: "t", body: long }));
    expect(tooLong.status).toBe(422);
    expect(tooLong.response?.data).toMatchObject({
      message: "Validation Failed",
      errors: [
        {
          resource: "Issue",
          code: "custom",
          field: "body",
          message: "body is too long (maximum is 65536 characters)",
        },
      ],
    });
    // Exactly the limit is fine.
    await octokit.rest.issues.create({ ...REPO, title: "t", body: "x".repeat(65_536) });

    const longComment = await failure(octokit.rest.issues.createComment({ ...REPO, issue_number: 1, body: long }));
    expect(longComment.status).toBe(422);

    // Through a literal path, since the typed route would not let us send a bad state.
    const badState = await failure(octokit.request("PATCH /repos/tailscale/corp/issues/1", { state: "done" }));
    expect(badState.status).toBe(422);
    expect(emu.issues("tailscale/corp")[0]?.state).toBe("open");
    // 4xx answers are not retried.
    expect(emu.requests.filter((r) => r.status === 422)).toHaveLength(4);
  });

  it("hides a private repo it cannot see (404) and refuses issues where they are disabled (410)", async () => {
    const emu = await start({
      repos: [
        { owner: "tailscale", name: "corp", private: true },
        { owner: "tailscale", name: "secret", private: true, visible: false },
        { owner: "tailscale", name: "wiki", private: false, hasIssues: false },
      ],
    });
    const { octokit } = client(emu);

    const repo = await octokit.rest.repos.get(REPO);
    expect(repo.data).toMatchObject({
      full_name: "tailscale/corp",
      private: true,
      visibility: "private",
      has_issues: true,
      permissions: { admin: false, push: true, pull: true },
    });

    for (const call of [
      () => octokit.rest.repos.get({ owner: "tailscale", repo: "secret" }),
      () => octokit.rest.issues.create({ owner: "tailscale", repo: "secret", title: "t" }),
      () => octokit.rest.issues.listLabelsForRepo({ owner: "tailscale", repo: "secret" }),
      () => octokit.rest.repos.get({ owner: "tailscale", repo: "nope" }),
    ]) {
      const e = await failure(call());
      expect(e.status).toBe(404);
      expect(e.response?.data).toMatchObject({ message: "Not Found" });
    }

    const disabled = await failure(octokit.rest.issues.create({ owner: "tailscale", repo: "wiki", title: "t" }));
    expect(disabled.status).toBe(410);
    expect(disabled.response?.data).toMatchObject({ message: "Issues are disabled for this repo" });
    expect((await octokit.rest.repos.get({ owner: "tailscale", repo: "wiki" })).data.has_issues).toBe(false);

    emu.setRepo({ owner: "tailscale", name: "secret", private: false });
    const visible = await octokit.rest.repos.get({ owner: "tailscale", repo: "secret" });
    expect(visible.data.visibility).toBe("public");
  });

  it("paginates 250 issues through octokit.paginate with a correct Link header", async () => {
    const emu = await start({ secondaryLimitPerMinute: 1000, secondaryLimitPerHour: 1000 });
    const { octokit } = client(emu);
    // Seeded over raw HTTP in parallel: through the throttling plugin writes go one at a time.
    const seeded = await Promise.all(
      Array.from({ length: 250 }, (_, n) =>
        raw(emu, "POST", "/repos/tailscale/corp/issues", JSON.stringify({ title: `issue ${n}` })),
      ),
    );
    expect(seeded.every((r) => r.status === 201)).toBe(true);

    const first = await raw(emu, "GET", "/repos/tailscale/corp/issues?per_page=100");
    expect(first.headers.get("link")).toBe(
      `<${emu.url}/repos/tailscale/corp/issues?per_page=100&page=2>; rel="next", ` +
        `<${emu.url}/repos/tailscale/corp/issues?per_page=100&page=3>; rel="last"`,
    );
    const last = await raw(emu, "GET", "/repos/tailscale/corp/issues?per_page=100&page=3");
    expect(last.headers.get("link")).toBe(
      `<${emu.url}/repos/tailscale/corp/issues?per_page=100&page=2>; rel="prev", ` +
        `<${emu.url}/repos/tailscale/corp/issues?per_page=100&page=1>; rel="first"`,
    );

    const before = emu.requests.length;
    const all = await octokit.paginate(octokit.rest.issues.listForRepo, { ...REPO, per_page: 100 });
    expect(all).toHaveLength(250);
    expect(all[0]?.number).toBe(250); // newest first by default
    expect(new Set(all.map((i) => i.number)).size).toBe(250);
    expect(emu.requests.length - before).toBe(3);

    const asc = await octokit.paginate(octokit.rest.issues.listForRepo, { ...REPO, direction: "asc" });
    expect(asc.map((i) => i.number)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });

  it("filters the list by state, labels (all of them), creator and since", async () => {
    const clock = fakeClock();
    const { privateKey, publicKey } = keyPair();
    const app = { appId: 42, installationId: 7, publicKeyPem: publicKey };
    const emu = await start({ now: clock.now, app });
    const { octokit } = client(emu);
    const { octokit: asApp } = client(emu, {
      authStrategy: createAppAuth,
      auth: { appId: app.appId, privateKey, installationId: app.installationId },
    });

    await octokit.rest.issues.create({ ...REPO, title: "a", labels: ["incident", "sev1"] });
    clock.advance(10_000);
    const since = new Date(clock.now()).toISOString();
    await octokit.rest.issues.create({ ...REPO, title: "b", labels: ["incident"] });
    await asApp.rest.issues.create({ ...REPO, title: "c", labels: ["Incident", "SEV1"] });
    await octokit.rest.issues.update({ ...REPO, issue_number: 2, state: "closed" });

    const titles = async (query: Record<string, string>) =>
      (await octokit.rest.issues.listForRepo({ ...REPO, direction: "asc", ...query })).data.map((i) => i.title);

    expect(await titles({})).toEqual(["a", "c"]);
    expect(await titles({ state: "all" })).toEqual(["a", "b", "c"]);
    expect(await titles({ state: "closed" })).toEqual(["b"]);
    expect(await titles({ labels: "incident,sev1" })).toEqual(["a", "c"]);
    expect(await titles({ labels: "sev1,incident", creator: "muster-bot" })).toEqual(["a"]);
    expect(await titles({ state: "all", creator: "muster-bot[bot]" })).toEqual(["c"]);
    expect(await titles({ state: "all", since })).toEqual(["b", "c"]);

    // A comment bumps updated_at, so "a" is seen again by `since` and sorts last by update.
    clock.advance(10_000);
    const later = new Date(clock.now()).toISOString();
    await octokit.rest.issues.createComment({ ...REPO, issue_number: 1, body: "update" });
    expect(await titles({ state: "all", since: later })).toEqual(["a"]);
    expect(await titles({ state: "all", sort: "updated" })).toEqual(["b", "c", "a"]);
  });

  it("lists comments oldest first and counts them on the issue", async () => {
    const clock = fakeClock();
    const emu = await start({ now: clock.now });
    const { octokit } = client(emu);
    const issue = await octokit.rest.issues.create({ ...REPO, title: "t" });
    for (const body of ["one", "two", "three"]) {
      clock.advance(1000);
      const c = await octokit.rest.issues.createComment({ ...REPO, issue_number: 1, body });
      expect(c.status).toBe(201);
      expect(c.data).toMatchObject({ body, user: { login: "muster-bot" } });
      expect(c.data.html_url).toBe(`https://github.com/tailscale/corp/issues/1#issuecomment-${c.data.id}`);
    }
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      ...REPO,
      issue_number: 1,
      per_page: 2,
    });
    expect(comments.map((c) => c.body)).toEqual(["one", "two", "three"]);

    const after = await octokit.rest.issues.get({ ...REPO, issue_number: 1 });
    expect(after.data.comments).toBe(3);
    expect(Date.parse(after.data.updated_at)).toBeGreaterThan(Date.parse(issue.data.updated_at));
    expect(emu.issues("tailscale/corp")[0]?.comments.map((c) => c.body)).toEqual(["one", "two", "three"]);

    const empty = await failure(octokit.rest.issues.createComment({ ...REPO, issue_number: 1, body: "" }));
    expect(empty.response?.data).toMatchObject({
      errors: [{ resource: "IssueComment", field: "body", code: "missing_field" }],
    });
    expect((await failure(octokit.rest.issues.createComment({ ...REPO, issue_number: 9, body: "x" }))).status).toBe(
      404,
    );
  });
});

describe("labels", () => {
  it("creates labels, finds them case-insensitively by URL-encoded name, and rejects duplicates and bad colours", async () => {
    const emu = await start();
    const { octokit } = client(emu);
    const created = await octokit.rest.issues.createLabel({
      ...REPO,
      name: "needs review",
      color: "A1B2C3",
      description: "someone look",
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ name: "needs review", color: "a1b2c3", description: "someone look" });

    const got = await octokit.rest.issues.getLabel({ ...REPO, name: "Needs Review" });
    expect(got.data.name).toBe("needs review");
    expect(emu.requests.at(-1)?.path).toBe("/repos/tailscale/corp/labels/Needs%20Review");

    expect((await failure(octokit.rest.issues.getLabel({ ...REPO, name: "missing" }))).status).toBe(404);

    const dup = await failure(octokit.rest.issues.createLabel({ ...REPO, name: "NEEDS REVIEW", color: "000000" }));
    expect(dup.status).toBe(422);
    expect(dup.response?.data).toMatchObject({
      message: "Validation Failed",
      errors: [{ resource: "Label", code: "already_exists", field: "name" }],
    });

    for (const color of ["#ff0000", "red", "fff"]) {
      const bad = await failure(octokit.rest.issues.createLabel({ ...REPO, name: `c-${color}`, color }));
      expect(bad.status).toBe(422);
      expect(bad.response?.data).toMatchObject({ errors: [{ resource: "Label", field: "color", code: "invalid" }] });
    }

    const all = await octokit.paginate(octokit.rest.issues.listLabelsForRepo, REPO);
    expect(all.map((l) => l.name)).toEqual(["needs review"]);
  });
});

describe("authentication", () => {
  it("answers 401 Bad credentials to a wrong or missing token, without retrying", async () => {
    const emu = await start();
    for (const auth of ["ghp_wrong", undefined]) {
      const { octokit } = client(emu, { auth });
      const e = await failure(octokit.rest.issues.create({ ...REPO, title: "t" }));
      expect(e.status).toBe(401);
      expect(e.response?.data).toMatchObject({ message: "Bad credentials", documentation_url: expect.any(String) });
    }
    expect(emu.requests.map((r) => r.status)).toEqual([401, 401]);
    expect(emu.issues("tailscale/corp")).toEqual([]);

    // Both schemes are accepted.
    const { octokit } = client(emu);
    expect((await octokit.rest.users.getAuthenticated()).data).toMatchObject({ login: "muster-bot", type: "User" });
    const bearer = await fetch(`${emu.url}/user`, { headers: { authorization: "Bearer ghp_test" } });
    expect(bearer.status).toBe(200);
  });

  it("works with @octokit/auth-app: JWT → installation token → API calls as the bot", async () => {
    const { privateKey, publicKey } = keyPair();
    const app = { appId: 12345, installationId: 678, publicKeyPem: publicKey };
    const emu = await start({ app });
    const { octokit } = client(emu, {
      authStrategy: createAppAuth,
      auth: { appId: app.appId, privateKey, installationId: app.installationId },
    });

    const issue = await octokit.rest.issues.create({ ...REPO, title: "from the app" });
    expect(issue.data.user).toMatchObject({ login: "muster-bot[bot]", type: "Bot" });
    await octokit.rest.issues.createComment({ ...REPO, issue_number: 1, body: "hi" });

    // One token exchange, then the token is cached by auth-app.
    expect(emu.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /app/installations/678/access_tokens 201",
      "POST /repos/tailscale/corp/issues 201",
      "POST /repos/tailscale/corp/issues/1/comments 201",
    ]);

    // Endpoints that take the app's JWT are routed there by auth-app itself.
    const installation = await octokit.rest.apps.getRepoInstallation(REPO);
    expect(installation.data.id).toBe(678);

    // An installation token is not a user.
    const me = await failure(octokit.rest.users.getAuthenticated());
    expect(me.status).toBe(403);
    expect(me.response?.data).toMatchObject({ message: "Resource not accessible by integration" });
  });

  it("rejects a JWT signed with another key, and expired installation tokens", async () => {
    const clock = fakeClock();
    const good = keyPair();
    const app = { appId: 1, installationId: 2, publicKeyPem: good.publicKey };
    const emu = await start({ app, now: clock.now });

    const impostor = createAppAuth({ appId: 1, privateKey: keyPair().privateKey, installationId: 2 });
    const jwt = (await impostor({ type: "app" })).token;
    const refused = await fetch(`${emu.url}/app/installations/2/access_tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${jwt}` },
    });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ message: "A JSON web token could not be decoded" });

    const appJwt = (await createAppAuth({ appId: 1, privateKey: good.privateKey })({ type: "app" })).token;
    const minted = await fetch(`${emu.url}/app/installations/2/access_tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${appJwt}` },
    });
    expect(minted.status).toBe(201);
    const token = (await minted.json()) as { token: string; expires_at: string; permissions: unknown };
    expect(token).toMatchObject({ token: expect.stringMatching(/^ghs_/), permissions: { issues: "write" } });
    expect(Date.parse(token.expires_at) - clock.now()).toBeGreaterThan(59 * 60_000);

    expect((await raw(emu, "GET", "/repos/tailscale/corp", undefined, token.token)).status).toBe(200);
    const wrongInstallation = await fetch(`${emu.url}/app/installations/3/access_tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${appJwt}` },
    });
    expect(wrongInstallation.status).toBe(404);

    clock.advance(61 * 60_000);
    expect((await raw(emu, "GET", "/repos/tailscale/corp", undefined, token.token)).status).toBe(401);
    // The JWT itself has expired too (ten minutes at most).
    const stale = await fetch(`${emu.url}/app/installations/2/access_tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${appJwt}` },
    });
    expect(stale.status).toBe(401);
  });
});

describe("rate limits", () => {
  it("sends x-ratelimit headers on every response and answers 403 when the primary limit is spent", async () => {
    const clock = fakeClock();
    const emu = await start({ primaryLimitPerHour: 3, now: clock.now });
    const { octokit, onRateLimit } = client(emu, {}, { onRateLimit: () => false });

    const first = await octokit.rest.users.getAuthenticated();
    expect(first.headers).toMatchObject({
      "x-ratelimit-limit": "3",
      "x-ratelimit-remaining": "2",
      "x-ratelimit-used": "1",
      "x-ratelimit-resource": "core",
    });
    const reset = Number(first.headers["x-ratelimit-reset"]);
    expect(reset).toBe(Math.floor(clock.now() / 1000) + 3600);
    await octokit.rest.users.getAuthenticated();
    await octokit.rest.users.getAuthenticated();

    const spent = await failure(octokit.rest.users.getAuthenticated());
    expect(spent.status).toBe(403);
    expect(spent.response?.data).toMatchObject({ message: "API rate limit exceeded for user ID 1." });
    expect(spent.response?.headers["x-ratelimit-remaining"]).toBe("0");
    // The throttling plugin recognised it and offered to wait until the reset (+1 s). It counts
    // from the real clock, so on a busy machine a second may have passed since the reset was set.
    expect(onRateLimit).toHaveBeenCalledOnce();
    expect([3600, 3601]).toContain(onRateLimit.mock.calls[0]?.[0]);

    // Errors carry the headers too.
    const notFound = await raw(emu, "GET", "/nope");
    expect(notFound.headers.get("x-ratelimit-remaining")).toBe("0");

    clock.advance(3600_000);
    expect((await octokit.rest.users.getAuthenticated()).headers["x-ratelimit-remaining"]).toBe("2");
  });

  it("surfaces a secondary limit's retry-after, and the throttling plugin retries it successfully", async () => {
    const emu = await start();
    const { octokit, onSecondaryRateLimit } = client(emu);
    emu.faults.secondaryRateLimitNext(1, 1);

    const created = await octokit.rest.issues.create({ ...REPO, title: "t" });
    expect(created.status).toBe(201);
    expect(onSecondaryRateLimit).toHaveBeenCalledOnce();
    expect(onSecondaryRateLimit.mock.calls[0]?.[0]).toBe(1);
    expect(emu.requests.map((r) => r.status)).toEqual([403, 201]);
    expect(emu.issues("tailscale/corp")).toHaveLength(1);

    // When muster gives up, the error carries GitHub's message and retry-after.
    const { octokit: impatient } = client(emu, {}, { onSecondaryRateLimit: () => false });
    emu.faults.secondaryRateLimitNext(1, 30);
    const e = await failure(impatient.rest.issues.createComment({ ...REPO, issue_number: 1, body: "x" }));
    expect(e.status).toBe(403);
    expect(e.message).toMatch(/secondary rate limit/);
    expect(e.response?.headers["retry-after"]).toBe("30");
    expect(emu.issues("tailscale/corp")[0]?.comments).toEqual([]);
    // Reads are not content-creating and pass untouched.
    emu.faults.secondaryRateLimitNext(1, 30);
    expect((await impatient.rest.issues.get({ ...REPO, issue_number: 1 })).status).toBe(200);
  });

  it("counts content-creating requests in sliding per-minute and per-hour windows", async () => {
    const clock = fakeClock();
    const emu = await start({ now: clock.now, secondaryLimitPerMinute: 2, secondaryLimitPerHour: 3 });
    const post = (title: string) => raw(emu, "POST", "/repos/tailscale/corp/issues", JSON.stringify({ title }));

    expect((await post("1")).status).toBe(201);
    clock.advance(20_000);
    expect((await post("2")).status).toBe(201);
    // Reads do not count.
    expect((await raw(emu, "GET", "/repos/tailscale/corp/issues")).status).toBe(200);

    const limited = await post("3");
    expect(limited.status).toBe(403);
    expect(limited.headers.get("retry-after")).toBe("40"); // until "1" leaves the minute
    expect(await limited.json()).toMatchObject({
      message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
    });

    clock.advance(40_000);
    expect((await post("3")).status).toBe(201);
    clock.advance(60_000);
    const hourly = await post("4");
    expect(hourly.status).toBe(403);
    expect(hourly.headers.get("retry-after")).toBe(String(3600 - 120)); // until "1" leaves the hour
    clock.advance(3480_000);
    expect((await post("4")).status).toBe(201);
    expect(emu.issues("tailscale/corp").map((i) => i.title)).toEqual(["1", "2", "3", "4"]);
  });
});

describe("faults", () => {
  it("failAfterWrite performs the write and answers 502, so plugin-retry's retry makes a duplicate", async () => {
    const emu = await start();
    const { octokit } = client(emu);
    emu.faults.failAfterWrite({ method: "POST", path: /\/issues$/ });

    const created = await octokit.rest.issues.create({ ...REPO, title: "once, please" });
    expect(created.data.number).toBe(2);
    expect(emu.requests.map((r) => `${r.method} ${r.status}`)).toEqual(["POST 502", "POST 201"]);
    // Every attempt wrote: a POST is not idempotent, and plugin-retry retries it anyway.
    expect(emu.issues("tailscale/corp").map((i) => i.title)).toEqual(["once, please", "once, please"]);
  });

  it("failNext answers the status without performing the action", async () => {
    const emu = await start();
    const { octokit } = client(emu);
    emu.faults.failNext({ method: "POST", path: /\/issues$/ }, { status: 500, count: 2 });

    const created = await octokit.rest.issues.create({ ...REPO, title: "t" });
    expect(created.data.number).toBe(1);
    expect(emu.requests.map((r) => r.status)).toEqual([500, 500, 201]);
    expect(emu.issues("tailscale/corp")).toHaveLength(1);

    // A 4xx is passed straight to the caller.
    emu.faults.failNext({ path: /comments/ }, { status: 422, message: "nope" });
    const e = await failure(octokit.rest.issues.createComment({ ...REPO, issue_number: 1, body: "x" }));
    expect(e.status).toBe(422);
    expect(e.response?.data).toMatchObject({ message: "nope" });
    expect(emu.issues("tailscale/corp")[0]?.comments).toEqual([]);
  });

  it("down answers 503 to everything and changes nothing", async () => {
    const emu = await start();
    const { octokit } = client(emu);
    emu.faults.down = true;

    const e = await failure(octokit.rest.issues.create({ ...REPO, title: "t" }));
    expect(e.status).toBe(503);
    expect(e.response?.data).toMatchObject({ message: "Service Unavailable" });
    // plugin-retry tried three times in all (retries: 2).
    expect(emu.requests.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(emu.issues("tailscale/corp")).toEqual([]);
    expect(emu.labels("tailscale/corp")).toEqual([]);

    emu.faults.reset();
    expect((await octokit.rest.issues.create({ ...REPO, title: "t" })).data.number).toBe(1);
  });

  it("adds latency without serialising concurrent requests", async () => {
    const emu = await start();
    const { octokit } = client(emu);
    emu.faults.latencyMs = 400;
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 5 }, () => octokit.rest.repos.get(REPO)));
    const elapsed = Date.now() - started;
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(1600); // one after another would take 2 s
  });
});

describe("the Octokit plugins, as observed against the emulator", () => {
  it("retry every error, 4xx included, when `request.retries` is set instead of `retry.retries`", async () => {
    const emu = await start();
    const { octokit: careful } = client(emu);
    const { octokit: misconfigured } = client(emu, { request: { retries: 2 } });
    expect((await failure(careful.rest.repos.get({ owner: "x", repo: "y" }))).status).toBe(404);
    expect(emu.requests).toHaveLength(1);
    expect((await failure(misconfigured.rest.repos.get({ owner: "x", repo: "y" }))).status).toBe(404);
    expect(emu.requests).toHaveLength(4);
  });
});

describe("protocol", () => {
  it("answers malformed JSON with 400, unknown routes with 404, always as JSON, and records everything", async () => {
    const emu = await start();
    const bad = await raw(emu, "POST", "/repos/tailscale/corp/issues", "{not json");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await bad.json()).toMatchObject({ message: "Problems parsing JSON" });

    const unknown = await raw(emu, "GET", "/repos/tailscale/corp/pulls/1/nothing?x=1");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ message: "Not Found" });

    expect(emu.requests).toEqual([
      {
        method: "POST",
        path: "/repos/tailscale/corp/issues",
        query: {},
        body: "{not json",
        status: 400,
        at: expect.any(Number),
      },
      {
        method: "GET",
        path: "/repos/tailscale/corp/pulls/1/nothing",
        query: { x: "1" },
        body: undefined,
        status: 404,
        at: expect.any(Number),
      },
    ]);
    expect(emu.issues("tailscale/corp")).toEqual([]);
  });

  it("closes with keep-alive connections and a request still waiting out its latency", async () => {
    const emu = await startGitHubEmulator();
    const { octokit } = client(emu);
    await octokit.rest.repos.get(REPO);
    emu.faults.latencyMs = 10_000;
    // Once the connection drops, plugin-retry retries and then gives up: only its failure matters.
    const pending = failure(octokit.rest.repos.get(REPO));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await emu.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await pending).status).toBe(500);
  });
});

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { privateKey, publicKey };
}

describe("issues deleted or closed by people", () => {
  it("answers 410 for a deleted issue and leaves it out of every listing", async () => {
    const emu = await start();
    const { octokit } = client(emu);
    const a = await octokit.rest.issues.create({ ...REPO, title: "one" });
    await octokit.rest.issues.create({ ...REPO, title: "two" });
    emu.deleteIssue("tailscale/corp", a.data.number);
    expect((await failure(octokit.rest.issues.get({ ...REPO, issue_number: a.data.number }))).status).toBe(410);
    expect(
      (await failure(octokit.rest.issues.createComment({ ...REPO, issue_number: a.data.number, body: "x" }))).status,
    ).toBe(410);
    const listed = await octokit.rest.issues.listForRepo({ ...REPO, state: "all" });
    expect(listed.data.map((i) => i.title)).toEqual(["two"]);
    expect(emu.issues("tailscale/corp").map((i) => i.title)).toEqual(["two"]);
  });

  it("closes an issue as a person would, with its reason", async () => {
    const emu = await start();
    const { octokit } = client(emu);
    const a = await octokit.rest.issues.create({ ...REPO, title: "follow-up" });
    emu.closeIssue("tailscale/corp", a.data.number);
    const read = await octokit.rest.issues.get({ ...REPO, issue_number: a.data.number });
    expect(read.data).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(read.data.closed_at).not.toBeNull();
  });
});
