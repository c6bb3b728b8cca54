// A small, strict emulator of the parts of api.github.com that muster uses: issues, comments and
// labels, PAT and GitHub App authentication, primary and secondary rate limits, plus switches to
// inject faults. It is driven over HTTP by the real Octokit, so it must answer what GitHub answers
// (status, body shape, headers), not merely what muster happens to read.
import { createPublicKey, type KeyObject, randomBytes, verify } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type ChaosFaults,
  calmChaos,
  cancellableSleeps,
  closeServer,
  newChaosFaults,
  readBody,
  rollChaos,
} from "./http.js";

export interface GitHubRepoSpec {
  owner: string;
  name: string;
  private: boolean;
  /** Default true; false makes issue endpoints answer 410. */
  hasIssues?: boolean;
  /** Default true; false answers 404, like a private repo the token cannot see. */
  visible?: boolean;
}

export interface GitHubEmulatorOptions {
  /** The accepted personal access token, default "ghp_test". */
  token?: string;
  /** Enables GitHub App authentication (JWT → installation token). */
  app?: { appId: number; installationId: number; publicKeyPem: string };
  /** Default [{ owner: "tailscale", name: "corp", private: true }]. */
  repos?: GitHubRepoSpec[];
  /** The authenticated identity, default "muster-bot"; installation tokens act as `${login}[bot]`. */
  login?: string;
  /** Content-creating requests per minute, default 80. */
  secondaryLimitPerMinute?: number;
  /** Content-creating requests per hour, default 500. */
  secondaryLimitPerHour?: number;
  /** Requests per hour per credential, default 5000. */
  primaryLimitPerHour?: number;
  /** Clock in epoch ms, default Date.now; lets tests cross rate-limit windows and token expiry without waiting. */
  now?: () => number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  at: number;
}

export interface EmulatedIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  state_reason: string | null;
  labels: string[];
  assignees: string[];
  comments: { id: number; body: string; created_at: string }[];
  created_at: string;
  updated_at: string;
  user: string;
  html_url: string;
}

export interface GitHubFaults {
  /** Added to every response. */
  latencyMs: number;
  /** When true every request answers 503 {message: "Service Unavailable"} and changes nothing. */
  down: boolean;
  /** The next `count` requests matching (method, path regex) answer `status` with a GitHub-shaped body, WITHOUT performing the action. */
  failNext(match: FaultMatch, opts?: { status?: number; count?: number; message?: string }): void;
  /** The next `count` matching requests PERFORM the write, then answer 502 (as if the connection died after the write). */
  failAfterWrite(match: FaultMatch, count?: number): void;
  /** The next `count` content-creating requests get a secondary rate limit: 403 with retry-after: `retryAfterSeconds`. */
  secondaryRateLimitNext(count: number, retryAfterSeconds: number): void;
  /** Random faults (http.ts): a failure is 502 or 503; a lost answer 502; a rate limit 403 "secondary rate limit" + retry-after. */
  chaos: ChaosFaults;
  reset(): void;
}

export interface FaultMatch {
  method?: string;
  path?: RegExp;
}

export interface GitHubEmulator {
  /** Base URL for Octokit's `baseUrl`, e.g. http://127.0.0.1:PORT */
  url: string;
  requests: RecordedRequest[];
  faults: GitHubFaults;
  /** Snapshot of a repo's issues ("owner/name"), in number order. */
  issues(repo: string): EmulatedIssue[];
  labels(repo: string): { name: string; color: string; description: string | null }[];
  /** Adds a repo or changes one (e.g. makes it public), keeping its issues and labels. */
  setRepo(spec: GitHubRepoSpec): void;
  /** Deletes an issue as a repository admin would: it then answers 410 and leaves every listing (and `issues()`). */
  deleteIssue(repo: string, issueNumber: number): void;
  /** Closes an issue as a person on GitHub would. */
  closeIssue(repo: string, issueNumber: number, reason?: "completed" | "not_planned"): void;
  close(): Promise<void>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const MAX_BODY = 65_536;
const MAX_TITLE = 256;
const MAX_LABEL_NAME = 50;
const MAX_LABEL_DESCRIPTION = 100;
const DOCS = "https://docs.github.com/rest";
const SECONDARY_MESSAGE = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
// Unauthenticated callers get GitHub's anonymous allowance; only its headers are shown.
const ANONYMOUS_LIMIT = 60;

// ---------------------------------------------------------------------------------------------
// State

interface Identity {
  login: string;
  id: number;
  type: "User" | "Bot";
}

interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

interface Comment {
  id: number;
  body: string;
  user: Identity;
  createdAt: number;
}

interface Issue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: string | null;
  labels: string[];
  assignees: string[];
  comments: Comment[];
  user: Identity;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  /** Deleted by an admin: answers 410 "This issue was deleted", listed nowhere. */
  deleted?: boolean;
}

interface Repo {
  id: number;
  spec: Required<GitHubRepoSpec>;
  labels: Label[];
  issues: Issue[];
}

/** Who is calling, and which rate-limit bucket they draw from. */
interface Caller {
  bucket: string;
  limit: number;
  identity: Identity;
  installation: boolean;
  /** Completes GitHub's primary-limit message, e.g. "user ID 1". */
  limitSubject: string;
}

interface Bucket {
  windowStart: number;
  used: number;
  /** Times of accepted content-creating requests within the last hour, oldest first. */
  writes: number[];
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Thrown by handlers to answer early with a GitHub-shaped error. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  reply(): Reply {
    return { status: this.status, body: errorBody(this.status, this.message, this.extra), headers: this.headers };
  }
}

function errorBody(status: number, message: string, extra: Record<string, unknown> = {}) {
  return { message, ...extra, documentation_url: DOCS, status: String(status) };
}

interface FieldError {
  resource: string;
  field: string;
  code: "missing_field" | "invalid" | "already_exists" | "custom";
  message?: string;
}

const validationFailed = (...errors: FieldError[]) => new ApiError(422, "Validation Failed", { errors });
const notFound = () => new ApiError(404, "Not Found");

const DEFAULT_MESSAGES: Record<number, string> = {
  400: "Bad Request",
  401: "Bad credentials",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  410: "Gone",
  422: "Validation Failed",
  429: "Too Many Requests",
  500: "Server Error",
  502: "Server Error",
  503: "Service Unavailable",
  504: "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.",
};

// ---------------------------------------------------------------------------------------------
// Faults

interface FailRule {
  method: string | undefined;
  path: RegExp | undefined;
  remaining: number;
  status: number;
  message: string | undefined;
}

class Faults implements GitHubFaults {
  latencyMs = 0;
  down = false;
  chaos = newChaosFaults();
  private failBefore: FailRule[] = [];
  private failAfter: FailRule[] = [];
  private forcedSecondary: { remaining: number; retryAfter: number } | null = null;

  failNext(match: FaultMatch, opts: { status?: number; count?: number; message?: string } = {}): void {
    this.failBefore.push({
      method: match.method?.toUpperCase(),
      path: match.path,
      remaining: opts.count ?? 1,
      status: opts.status ?? 500,
      message: opts.message,
    });
  }

  failAfterWrite(match: FaultMatch, count = 1): void {
    this.failAfter.push({
      method: match.method?.toUpperCase(),
      path: match.path,
      remaining: count,
      status: 502,
      message: undefined,
    });
  }

  secondaryRateLimitNext(count: number, retryAfterSeconds: number): void {
    this.forcedSecondary = { remaining: count, retryAfter: retryAfterSeconds };
  }

  reset(): void {
    calmChaos(this.chaos);
    this.latencyMs = 0;
    this.down = false;
    this.failBefore = [];
    this.failAfter = [];
    this.forcedSecondary = null;
  }

  takeFailNext(method: string, path: string): FailRule | undefined {
    return take(this.failBefore, method, path);
  }

  takeFailAfterWrite(method: string, path: string): FailRule | undefined {
    return take(this.failAfter, method, path);
  }

  /** Retry-after seconds when a forced secondary limit applies to this request. */
  takeForcedSecondary(): number | undefined {
    const forced = this.forcedSecondary;
    if (!forced || forced.remaining <= 0) return undefined;
    forced.remaining--;
    return forced.retryAfter;
  }
}

function take(rules: FailRule[], method: string, path: string): FailRule | undefined {
  const rule = rules.find(
    (r) => r.remaining > 0 && (r.method === undefined || r.method === method) && (r.path?.test(path) ?? true),
  );
  if (rule) rule.remaining--;
  return rule;
}

// ---------------------------------------------------------------------------------------------
// Routing

type ParamsOf<T extends string> = T extends `${string}{${infer P}}${infer Rest}` ? P | ParamsOf<Rest> : never;

interface Ctx {
  caller: Caller;
  body: unknown;
  query: URLSearchParams;
  pathname: string;
}

interface Route {
  method: string;
  pattern: RegExp;
  /** "app" routes take the App's JWT; the rest take a PAT or installation token. */
  auth: "token" | "app";
  /** Counts toward the secondary (content-creation) limits. */
  creates: boolean;
  /** Does not count toward the primary limit (GET /rate_limit). */
  free: boolean;
  handle(ctx: Ctx, params: Record<string, string>): Reply;
}

function route<T extends string>(
  method: string,
  template: T,
  handle: (ctx: Ctx, params: Record<ParamsOf<T>, string>) => Reply,
  opts: { auth?: "token" | "app"; creates?: boolean; free?: boolean } = {},
): Route {
  const source = template.replace(/\{(\w+)\}/g, (_, name: string) => `(?<${name}>[^/]+)`);
  return {
    method,
    pattern: new RegExp(`^${source}$`),
    auth: opts.auth ?? "token",
    creates: opts.creates ?? false,
    free: opts.free ?? false,
    handle: handle as Route["handle"],
  };
}

function matchRoute(routes: Route[], method: string, pathname: string) {
  for (const r of routes) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    try {
      for (const [k, v] of Object.entries(m.groups ?? {})) params[k] = decodeURIComponent(v);
    } catch {
      return undefined; // A malformed %-escape names nothing that exists.
    }
    return { route: r, params };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const repoKey = (owner: string, name: string) => `${owner}/${name}`.toLowerCase();

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (!isRecord(body)) throw new ApiError(400, "Problems parsing JSON");
  return body;
}

/** GitHub counts characters; UTF-16 units are never fewer, so this reading is the stricter one. */
function checkBodyLength(resource: string, body: string) {
  if (body.length > MAX_BODY)
    throw validationFailed({
      resource,
      code: "custom",
      field: "body",
      message: `body is too long (maximum is ${MAX_BODY} characters)`,
    });
}

function parseTitle(value: unknown): string {
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === ""))
    throw validationFailed({ resource: "Issue", field: "title", code: "missing_field" });
  // GitHub accepts a number as a title and stores its text.
  if (typeof value !== "string" && typeof value !== "number")
    throw validationFailed({ resource: "Issue", field: "title", code: "invalid" });
  const title = String(value);
  if (title.length > MAX_TITLE)
    throw validationFailed({
      resource: "Issue",
      code: "custom",
      field: "title",
      message: `title is too long (maximum is ${MAX_TITLE} characters)`,
    });
  return title;
}

function parseIssueBody(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw validationFailed({ resource: "Issue", field: "body", code: "invalid" });
  checkBodyLength("Issue", value);
  return value;
}

/** Labels may be given as names or as {name} objects. */
function parseLabelNames(value: unknown, resource = "Issue"): string[] {
  if (!Array.isArray(value)) throw validationFailed({ resource, field: "labels", code: "invalid" });
  return value.map((l) => {
    const name = typeof l === "string" ? l : isRecord(l) && typeof l.name === "string" ? l.name : undefined;
    if (name === undefined) throw validationFailed({ resource, field: "labels", code: "invalid" });
    return name;
  });
}

function parseAssignees(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((a): a is string => typeof a === "string"))
    throw validationFailed({ resource: "Issue", field: "assignees", code: "invalid" });
  return [...new Set(value)];
}

function parsePaging(query: URLSearchParams) {
  const perPageRaw = Number.parseInt(query.get("per_page") ?? "", 10);
  const pageRaw = Number.parseInt(query.get("page") ?? "", 10);
  return {
    perPage: Number.isFinite(perPageRaw) && perPageRaw >= 1 ? Math.min(perPageRaw, 100) : 30,
    page: Number.isFinite(pageRaw) && pageRaw >= 1 ? pageRaw : 1,
  };
}

function parseSince(query: URLSearchParams): number | undefined {
  const raw = query.get("since");
  if (raw === null) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw validationFailed({ resource: "Issue", field: "since", code: "invalid" });
  // Timestamps are shown to the second, so compare at that precision.
  return Math.floor(ms / 1000) * 1000;
}

const floorSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

// ---------------------------------------------------------------------------------------------
// Emulator

export async function startGitHubEmulator(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const now = options.now ?? Date.now;
  const pat = options.token ?? "ghp_test";
  const login = options.login ?? "muster-bot";
  const perMinute = options.secondaryLimitPerMinute ?? 80;
  const perHour = options.secondaryLimitPerHour ?? 500;
  const primaryLimit = options.primaryLimitPerHour ?? 5000;
  const app = options.app;
  const appKey: KeyObject | undefined = app ? createPublicKey(app.publicKeyPem) : undefined;

  const user: Identity = { login, id: 1, type: "User" };
  const bot: Identity = { login: `${login}[bot]`, id: 2, type: "Bot" };

  const faults = new Faults();
  const requests: RecordedRequest[] = [];
  const repos = new Map<string, Repo>();
  const buckets = new Map<string, Bucket>();
  const installationTokens = new Map<string, { expiresAt: number }>();
  let nextId = 1000;
  let baseUrl = "";

  function setRepo(spec: GitHubRepoSpec) {
    const full: Required<GitHubRepoSpec> = { hasIssues: true, visible: true, ...spec };
    const key = repoKey(spec.owner, spec.name);
    const existing = repos.get(key);
    if (existing) existing.spec = full;
    else repos.set(key, { id: nextId++, spec: full, labels: [], issues: [] });
  }
  for (const spec of options.repos ?? [{ owner: "tailscale", name: "corp", private: true }]) setRepo(spec);

  // --- authentication ----------------------------------------------------------------------

  type AuthResult = { caller: Caller } | { error: ApiError };
  const badCredentials = () => new ApiError(401, "Bad credentials");

  function credentialsOf(header: string | undefined): string | undefined {
    const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header ?? "");
    return m?.[1];
  }

  function authenticate(kind: "token" | "app", header: string | undefined): AuthResult {
    const credential = credentialsOf(header);
    if (credential === undefined) return { error: badCredentials() };
    if (kind === "app") {
      const problem = verifyAppJwt(credential);
      if (problem) return { error: new ApiError(401, problem) };
      return {
        caller: {
          bucket: `app:${app?.appId}`,
          limit: primaryLimit,
          identity: bot,
          installation: false,
          limitSubject: `app ID ${app?.appId}`,
        },
      };
    }
    if (credential === pat)
      return {
        caller: { bucket: "pat", limit: primaryLimit, identity: user, installation: false, limitSubject: "user ID 1" },
      };
    const installation = installationTokens.get(credential);
    if (installation && installation.expiresAt > now())
      return {
        caller: {
          bucket: "installation",
          limit: primaryLimit,
          identity: bot,
          installation: true,
          limitSubject: `installation ID ${app?.installationId}`,
        },
      };
    return { error: badCredentials() };
  }

  /** Returns GitHub's complaint about the JWT, or undefined when it is good. */
  function verifyAppJwt(jwt: string): string | undefined {
    const undecodable = "A JSON web token could not be decoded";
    if (!app || !appKey) return undecodable;
    const [head, payload, signature, ...rest] = jwt.split(".");
    if (head === undefined || payload === undefined || signature === undefined || rest.length > 0) return undecodable;
    let header: unknown;
    let claims: unknown;
    try {
      header = JSON.parse(Buffer.from(head, "base64url").toString("utf8"));
      claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    } catch {
      return undecodable;
    }
    if (!isRecord(header) || header.alg !== "RS256" || !isRecord(claims)) return undecodable;
    const signed = verify("RSA-SHA256", Buffer.from(`${head}.${payload}`), appKey, Buffer.from(signature, "base64url"));
    if (!signed || String(claims.iss) !== String(app.appId)) return undecodable;
    const nowSec = Math.floor(now() / 1000);
    const { iat, exp } = claims;
    if (typeof iat !== "number" || !Number.isInteger(iat))
      return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";
    if (iat > nowSec + 60) return "'Issued at' claim ('iat') must be an Integer representing a time in the past";
    if (typeof exp !== "number" || exp <= nowSec)
      return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
    // GitHub allows at most ten minutes; a minute of slack for clock drift.
    if (exp > nowSec + 11 * 60) return "'Expiration time' claim ('exp') is too far in the future";
    return undefined;
  }

  // --- rate limits -------------------------------------------------------------------------

  function bucketFor(key: string): Bucket {
    const t = now();
    let b = buckets.get(key);
    if (!b || t >= b.windowStart + HOUR) {
      b = { windowStart: t, used: 0, writes: b?.writes ?? [] };
      buckets.set(key, b);
    }
    return b;
  }

  function rateHeaders(bucket: Bucket, limit: number): Record<string, string> {
    return {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(Math.max(0, limit - bucket.used)),
      "x-ratelimit-used": String(Math.min(limit, bucket.used)),
      "x-ratelimit-reset": String(Math.floor((bucket.windowStart + HOUR) / 1000)),
      "x-ratelimit-resource": "core",
    };
  }

  /** Seconds until the sliding windows admit another content-creating request, or 0 if they do now. */
  function secondaryWait(bucket: Bucket): number {
    const t = now();
    bucket.writes = bucket.writes.filter((w) => w > t - HOUR);
    const lastMinute = bucket.writes.filter((w) => w > t - MINUTE);
    let waitMs = 0;
    // The window frees once enough of the oldest entries leave it to drop below the limit.
    const minuteBlocker = lastMinute[lastMinute.length - perMinute];
    if (lastMinute.length >= perMinute && minuteBlocker !== undefined) waitMs = minuteBlocker + MINUTE - t;
    const hourBlocker = bucket.writes[bucket.writes.length - perHour];
    if (bucket.writes.length >= perHour && hourBlocker !== undefined) waitMs = Math.max(waitMs, hourBlocker + HOUR - t);
    return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : 0;
  }

  // --- serialisers -------------------------------------------------------------------------

  const htmlRepo = (repo: Repo) => `https://github.com/${repo.spec.owner}/${repo.spec.name}`;
  const apiRepo = (repo: Repo) => `${baseUrl}/repos/${repo.spec.owner}/${repo.spec.name}`;
  const userJson = (u: Identity) => ({ login: u.login, id: u.id, type: u.type });

  function repoJson(repo: Repo) {
    const { spec } = repo;
    return {
      id: repo.id,
      node_id: `R_${repo.id}`,
      name: spec.name,
      full_name: `${spec.owner}/${spec.name}`,
      owner: { login: spec.owner, type: "Organization" },
      private: spec.private,
      visibility: spec.private ? "private" : "public",
      has_issues: spec.hasIssues,
      html_url: htmlRepo(repo),
      url: apiRepo(repo),
      default_branch: "main",
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    };
  }

  function labelJson(repo: Repo, label: Label) {
    return {
      id: label.id,
      node_id: `LA_${label.id}`,
      url: `${apiRepo(repo)}/labels/${encodeURIComponent(label.name)}`,
      name: label.name,
      color: label.color,
      default: false,
      description: label.description,
    };
  }

  function issueJson(repo: Repo, issue: Issue) {
    const url = `${apiRepo(repo)}/issues/${issue.number}`;
    return {
      id: issue.id,
      node_id: `I_${issue.id}`,
      number: issue.number,
      url,
      repository_url: apiRepo(repo),
      comments_url: `${url}/comments`,
      labels_url: `${url}/labels{/name}`,
      html_url: `${htmlRepo(repo)}/issues/${issue.number}`,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      state_reason: issue.stateReason,
      locked: false,
      user: userJson(issue.user),
      labels: labelsJson(repo, issue.labels),
      assignee: issue.assignees[0] ? { login: issue.assignees[0] } : null,
      assignees: issue.assignees.map((a) => ({ login: a })),
      milestone: null,
      comments: issue.comments.length,
      author_association: "MEMBER",
      created_at: iso(issue.createdAt),
      updated_at: iso(issue.updatedAt),
      closed_at: issue.closedAt === null ? null : iso(issue.closedAt),
    };
  }

  /** Issues hold label names; labels are never deleted, so each name has its label. */
  function labelsJson(repo: Repo, names: string[]) {
    return names.flatMap((name) => {
      const label = findLabel(repo, name);
      return label ? [labelJson(repo, label)] : [];
    });
  }

  function commentJson(repo: Repo, issue: Issue, comment: Comment) {
    return {
      id: comment.id,
      node_id: `IC_${comment.id}`,
      url: `${apiRepo(repo)}/issues/comments/${comment.id}`,
      html_url: `${htmlRepo(repo)}/issues/${issue.number}#issuecomment-${comment.id}`,
      issue_url: `${apiRepo(repo)}/issues/${issue.number}`,
      body: comment.body,
      user: userJson(comment.user),
      author_association: "MEMBER",
      created_at: iso(comment.createdAt),
      updated_at: iso(comment.createdAt),
    };
  }

  // --- lookups -----------------------------------------------------------------------------

  function findRepo(owner: string, name: string, needIssues: boolean): Repo {
    const repo = repos.get(repoKey(owner, name));
    if (!repo?.spec.visible) throw notFound();
    if (needIssues && !repo.spec.hasIssues) throw new ApiError(410, "Issues are disabled for this repo");
    return repo;
  }

  function findIssue(repo: Repo, raw: string): Issue {
    const issue = /^\d+$/.test(raw) ? repo.issues[Number(raw) - 1] : undefined;
    if (!issue) throw notFound();
    if (issue.deleted) throw new ApiError(410, "This issue was deleted");
    return issue;
  }

  const findLabel = (repo: Repo, name: string) => repo.labels.find((l) => l.name.toLowerCase() === name.toLowerCase());

  /** As GitHub does, naming a label that does not exist creates it (grey). */
  function ensureLabel(repo: Repo, name: string): Label {
    const found = findLabel(repo, name);
    if (found) return found;
    const label: Label = { id: nextId++, name, color: "ededed", description: null };
    repo.labels.push(label);
    return label;
  }

  const canonicalLabels = (repo: Repo, names: string[]) => [
    ...new Set(names.filter((n) => n.trim() !== "").map((n) => ensureLabel(repo, n).name)),
  ];

  /** One page of `items` plus GitHub's RFC 5988 Link header, so `octokit.paginate` can follow it. */
  function page<T>(ctx: Ctx, items: T[]): Reply {
    const { perPage, page: n } = parsePaging(ctx.query);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number, rel: string) => {
      const q = new URLSearchParams(ctx.query);
      q.set("page", String(p));
      return `<${baseUrl}${ctx.pathname}?${q}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (n > 1) links.push(link(Math.min(n - 1, last), "prev"));
    if (n < last) links.push(link(n + 1, "next"), link(last, "last"));
    if (n > 1) links.push(link(1, "first"));
    return {
      status: 200,
      body: items.slice((n - 1) * perPage, n * perPage),
      headers: links.length > 0 ? { link: links.join(", ") } : {},
    };
  }

  // --- handlers ----------------------------------------------------------------------------

  const routes: Route[] = [
    route("GET", "/user", ({ caller }) => {
      // Installation tokens are not users: GitHub refuses this endpoint to them.
      if (caller.installation) throw new ApiError(403, "Resource not accessible by integration");
      return { status: 200, body: { ...userJson(caller.identity), name: caller.identity.login } };
    }),

    route(
      "GET",
      "/rate_limit",
      ({ caller }) => {
        const b = bucketFor(caller.bucket);
        const core = {
          limit: caller.limit,
          remaining: Math.max(0, caller.limit - b.used),
          used: b.used,
          reset: Math.floor((b.windowStart + HOUR) / 1000),
        };
        return { status: 200, body: { resources: { core }, rate: core } };
      },
      { free: true },
    ),

    route("GET", "/repos/{owner}/{repo}", (_, p) => ({
      status: 200,
      body: repoJson(findRepo(p.owner, p.repo, false)),
    })),

    route("GET", "/repos/{owner}/{repo}/labels", (ctx, p) => {
      const repo = findRepo(p.owner, p.repo, false);
      return page(
        ctx,
        repo.labels.map((l) => labelJson(repo, l)),
      );
    }),

    route("GET", "/repos/{owner}/{repo}/labels/{name}", (_, p) => {
      const repo = findRepo(p.owner, p.repo, false);
      const label = findLabel(repo, p.name);
      if (!label) throw notFound();
      return { status: 200, body: labelJson(repo, label) };
    }),

    route(
      "POST",
      "/repos/{owner}/{repo}/labels",
      (ctx, p) => {
        const repo = findRepo(p.owner, p.repo, false);
        const input = objectBody(ctx.body);
        const { name, color = "ededed", description = null } = input;
        if (typeof name !== "string" || name.trim() === "")
          throw validationFailed({ resource: "Label", field: "name", code: "missing_field" });
        if (name.length > MAX_LABEL_NAME)
          throw validationFailed({
            resource: "Label",
            field: "name",
            code: "custom",
            message: `name is too long (maximum is ${MAX_LABEL_NAME} characters)`,
          });
        if (typeof color !== "string" || !/^[0-9a-f]{6}$/i.test(color))
          throw validationFailed({ resource: "Label", field: "color", code: "invalid" });
        if (description !== null && typeof description !== "string")
          throw validationFailed({ resource: "Label", field: "description", code: "invalid" });
        if (description !== null && description.length > MAX_LABEL_DESCRIPTION)
          throw validationFailed({
            resource: "Label",
            field: "description",
            code: "custom",
            message: `description is too long (maximum is ${MAX_LABEL_DESCRIPTION} characters)`,
          });
        if (findLabel(repo, name)) throw validationFailed({ resource: "Label", code: "already_exists", field: "name" });
        const label: Label = { id: nextId++, name, color: color.toLowerCase(), description };
        repo.labels.push(label);
        return { status: 201, body: labelJson(repo, label) };
      },
      { creates: true },
    ),

    route("GET", "/repos/{owner}/{repo}/issues", (ctx, p) => {
      const repo = findRepo(p.owner, p.repo, true);
      const q = ctx.query;
      const state = q.get("state") ?? "open";
      if (!["open", "closed", "all"].includes(state))
        throw validationFailed({ resource: "Issue", field: "state", code: "invalid" });
      const sort = q.get("sort") ?? "created";
      if (!["created", "updated", "comments"].includes(sort))
        throw validationFailed({ resource: "Issue", field: "sort", code: "invalid" });
      const direction = q.get("direction") ?? "desc";
      if (direction !== "asc" && direction !== "desc")
        throw validationFailed({ resource: "Issue", field: "direction", code: "invalid" });
      const wanted = (q.get("labels") ?? "")
        .split(",")
        .map((l) => l.trim().toLowerCase())
        .filter((l) => l !== "");
      const creator = q.get("creator")?.toLowerCase();
      const assignee = q.get("assignee");
      const since = parseSince(q);

      const key = (i: Issue) =>
        sort === "updated" ? i.updatedAt : sort === "comments" ? i.comments.length : i.createdAt;
      const matches = repo.issues
        .filter((i) => !i.deleted)
        .filter((i) => state === "all" || i.state === state)
        .filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
        .filter((i) => creator === undefined || i.user.login.toLowerCase() === creator)
        .filter((i) =>
          assignee === null
            ? true
            : assignee === "none"
              ? i.assignees.length === 0
              : assignee === "*"
                ? i.assignees.length > 0
                : i.assignees.some((a) => a.toLowerCase() === assignee.toLowerCase()),
        )
        .filter((i) => since === undefined || floorSecond(i.updatedAt) >= since)
        .sort((a, b) => key(a) - key(b) || a.number - b.number);
      if (direction === "desc") matches.reverse();
      return page(
        ctx,
        matches.map((i) => issueJson(repo, i)),
      );
    }),

    route(
      "POST",
      "/repos/{owner}/{repo}/issues",
      (ctx, p) => {
        const repo = findRepo(p.owner, p.repo, true);
        const input = objectBody(ctx.body);
        const title = parseTitle(input.title);
        const body = parseIssueBody(input.body);
        const labelNames = input.labels === undefined || input.labels === null ? [] : parseLabelNames(input.labels);
        const assignees =
          input.assignees === undefined || input.assignees === null ? [] : parseAssignees(input.assignees);
        const t = now();
        const issue: Issue = {
          id: nextId++,
          number: repo.issues.length + 1,
          title,
          body,
          state: "open",
          stateReason: null,
          labels: canonicalLabels(repo, labelNames),
          assignees,
          comments: [],
          user: ctx.caller.identity,
          createdAt: t,
          updatedAt: t,
          closedAt: null,
        };
        repo.issues.push(issue);
        return {
          status: 201,
          body: issueJson(repo, issue),
          headers: { location: `${apiRepo(repo)}/issues/${issue.number}` },
        };
      },
      { creates: true },
    ),

    route("GET", "/repos/{owner}/{repo}/issues/{issue_number}", (_, p) => {
      const repo = findRepo(p.owner, p.repo, true);
      return { status: 200, body: issueJson(repo, findIssue(repo, p.issue_number)) };
    }),

    route(
      "PATCH",
      "/repos/{owner}/{repo}/issues/{issue_number}",
      (ctx, p) => {
        const repo = findRepo(p.owner, p.repo, true);
        const issue = findIssue(repo, p.issue_number);
        const input = objectBody(ctx.body);
        // Validate everything before changing anything, so a 422 leaves the issue as it was.
        const title = input.title === undefined ? undefined : parseTitle(input.title);
        const body = "body" in input ? parseIssueBody(input.body) : undefined;
        const state = input.state;
        if (state !== undefined && state !== "open" && state !== "closed")
          throw validationFailed({ resource: "Issue", field: "state", code: "invalid" });
        const reason = input.state_reason;
        if (
          reason !== undefined &&
          reason !== null &&
          !["completed", "not_planned", "reopened"].includes(String(reason))
        )
          throw validationFailed({ resource: "Issue", field: "state_reason", code: "invalid" });
        const nextState = state ?? issue.state;
        if (nextState === "closed" && reason === "reopened")
          throw validationFailed({ resource: "Issue", field: "state_reason", code: "invalid" });
        const labelNames =
          input.labels === undefined ? undefined : input.labels === null ? [] : parseLabelNames(input.labels);
        const assignees =
          input.assignees === undefined ? undefined : input.assignees === null ? [] : parseAssignees(input.assignees);

        const t = now();
        if (title !== undefined) issue.title = title;
        if (body !== undefined) issue.body = body;
        if (labelNames !== undefined) issue.labels = canonicalLabels(repo, labelNames);
        if (assignees !== undefined) issue.assignees = assignees;
        if (nextState === "closed") {
          if (issue.state === "open") issue.closedAt = t;
          // Closing without a reason means "completed"; an explicit one (even on a closed issue) wins.
          if (typeof reason === "string") issue.stateReason = reason;
          else if (issue.state === "open" || issue.stateReason === null) issue.stateReason = "completed";
        } else if (issue.state === "closed") {
          issue.closedAt = null;
          issue.stateReason = "reopened";
        }
        issue.state = nextState;
        issue.updatedAt = t;
        return { status: 200, body: issueJson(repo, issue) };
      },
      { creates: true },
    ),

    route("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", (ctx, p) => {
      const repo = findRepo(p.owner, p.repo, true);
      const issue = findIssue(repo, p.issue_number);
      const since = parseSince(ctx.query);
      return page(
        ctx,
        issue.comments
          .filter((c) => since === undefined || floorSecond(c.createdAt) >= since)
          .map((c) => commentJson(repo, issue, c)),
      );
    }),

    route(
      "POST",
      "/repos/{owner}/{repo}/issues/{issue_number}/comments",
      (ctx, p) => {
        const repo = findRepo(p.owner, p.repo, true);
        const issue = findIssue(repo, p.issue_number);
        const { body } = objectBody(ctx.body);
        if (body === undefined || body === null || body === "")
          throw validationFailed({ resource: "IssueComment", field: "body", code: "missing_field" });
        if (typeof body !== "string")
          throw validationFailed({ resource: "IssueComment", field: "body", code: "invalid" });
        checkBodyLength("IssueComment", body);
        const t = now();
        const comment: Comment = { id: nextId++, body, user: ctx.caller.identity, createdAt: t };
        issue.comments.push(comment);
        issue.updatedAt = t;
        return { status: 201, body: commentJson(repo, issue, comment) };
      },
      { creates: true },
    ),

    route(
      "POST",
      "/repos/{owner}/{repo}/issues/{issue_number}/labels",
      (ctx, p) => {
        const repo = findRepo(p.owner, p.repo, true);
        const issue = findIssue(repo, p.issue_number);
        // GitHub takes either a bare array or {labels: [...]}.
        const raw = Array.isArray(ctx.body) ? ctx.body : objectBody(ctx.body).labels;
        const added = canonicalLabels(repo, parseLabelNames(raw ?? [], "Label"));
        issue.labels = [...new Set([...issue.labels, ...added])];
        issue.updatedAt = now();
        return { status: 200, body: labelsJson(repo, issue.labels) };
      },
      { creates: true },
    ),

    // --- GitHub App endpoints (JWT) ---

    route(
      "GET",
      "/app",
      () => ({ status: 200, body: { id: app?.appId, slug: login, name: login, owner: { login: firstOwner() } } }),
      { auth: "app" },
    ),

    route(
      "GET",
      "/app/installations/{installation_id}",
      (_, p) => ({ status: 200, body: installationJson(p.installation_id) }),
      {
        auth: "app",
      },
    ),

    route(
      "POST",
      "/app/installations/{installation_id}/access_tokens",
      (_, p) => {
        installationJson(p.installation_id); // 404 for another installation
        const token = `ghs_${randomBytes(18).toString("hex")}`;
        const expiresAt = floorSecond(now()) + HOUR;
        installationTokens.set(token, { expiresAt });
        return {
          status: 201,
          body: {
            token,
            expires_at: iso(expiresAt),
            permissions: { issues: "write" },
            repository_selection: "selected",
          },
        };
      },
      { auth: "app" },
    ),

    route(
      "GET",
      "/repos/{owner}/{repo}/installation",
      (_, p) => {
        const repo = findRepo(p.owner, p.repo, false);
        return {
          status: 200,
          body: { ...installationJson(String(app?.installationId)), account: { login: repo.spec.owner } },
        };
      },
      { auth: "app" },
    ),
  ];

  function firstOwner(): string {
    return [...repos.values()][0]?.spec.owner ?? login;
  }

  function installationJson(rawId: string) {
    if (!app || rawId !== String(app.installationId)) throw notFound();
    return {
      id: app.installationId,
      app_id: app.appId,
      app_slug: login,
      account: { login: firstOwner() },
      target_type: "Organization",
      repository_selection: "selected",
      permissions: { issues: "write", metadata: "read" },
    };
  }

  // --- one request, decided synchronously so its state change is atomic --------------------

  function decide(
    method: string,
    pathname: string,
    query: URLSearchParams,
    authHeader: string | undefined,
    body: unknown,
    malformed: boolean,
  ): Reply {
    const matched = matchRoute(routes, method, pathname);
    const auth = authenticate(matched?.route.auth ?? "token", authHeader);
    const caller = "caller" in auth ? auth.caller : undefined;
    const bucketKey = caller?.bucket ?? "anonymous";
    const limit = caller?.limit ?? ANONYMOUS_LIMIT;
    const bucket = bucketFor(bucketKey);
    const withRate = (reply: Reply): Reply => ({
      ...reply,
      headers: { ...rateHeaders(bucket, limit), ...reply.headers },
    });

    if (faults.down) return withRate({ status: 503, body: { message: "Service Unavailable" } });
    const injected = faults.takeFailNext(method, pathname);
    if (injected) {
      const message = injected.message ?? DEFAULT_MESSAGES[injected.status] ?? "Server Error";
      return withRate({ status: injected.status, body: errorBody(injected.status, message) });
    }

    if ("error" in auth) {
      bucket.used++;
      return withRate(auth.error.reply());
    }
    const who = auth.caller;
    const chaos = rollChaos(faults.chaos);
    if (chaos === "rate_limit")
      return withRate(
        new ApiError(403, SECONDARY_MESSAGE, {}, { "retry-after": String(faults.chaos.retryAfterSeconds) }).reply(),
      );
    if (chaos === "fail") {
      const status = Math.random() < 0.5 ? 502 : 503;
      return withRate({ status, body: errorBody(status, DEFAULT_MESSAGES[status] ?? "Server Error") });
    }

    if (!matched?.route.free) {
      if (bucket.used >= who.limit)
        return withRate(new ApiError(403, `API rate limit exceeded for ${who.limitSubject}.`).reply());
      bucket.used++;
    }
    if (!matched) return withRate(notFound().reply());
    if (malformed) return withRate(new ApiError(400, "Problems parsing JSON").reply());

    const { route: r, params } = matched;
    if (r.creates) {
      const retryAfter = faults.takeForcedSecondary() ?? secondaryWait(bucket);
      if (retryAfter > 0)
        return withRate(new ApiError(403, SECONDARY_MESSAGE, {}, { "retry-after": String(retryAfter) }).reply());
      bucket.writes.push(now());
    }

    let reply: Reply;
    try {
      reply = r.handle({ caller: who, body, query, pathname }, params);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      reply = e.reply();
    }
    if (faults.takeFailAfterWrite(method, pathname)) reply = { status: 502, body: errorBody(502, "Server Error") };
    else if (chaos === "lose_reply" && reply.status < 300) {
      faults.chaos.injected.lostReplies++;
      reply = { status: 502, body: errorBody(502, "Server Error") };
    }
    return withRate(reply);
  }

  // --- HTTP --------------------------------------------------------------------------------

  const { sleep, cancelAll } = cancellableSleeps();

  async function onRequest(req: IncomingMessage, res: ServerResponse) {
    const at = now();
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", baseUrl);
    const raw = await readBody(req);
    let body: unknown;
    let malformed = false;
    if (raw.trim() !== "") {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        malformed = true;
      }
    }
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);

    let reply: Reply;
    try {
      reply = decide(method, url.pathname, url.searchParams, req.headers.authorization, body, malformed);
    } catch (e) {
      // An emulator bug: answer like GitHub's 500 but make it loud in the test output.
      console.error("github emulator:", e);
      reply = { status: 500, body: errorBody(500, "Server Error") };
    }
    requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      status: reply.status,
      at,
    });
    res.writeHead(reply.status, {
      "content-type": "application/json; charset=utf-8",
      // The emulator's clock, so auth-app's clock-skew correction sees the same time as the JWT check.
      date: new Date(now()).toUTCString(),
      "x-github-media-type": "github.v3; format=json",
      "x-github-api-version-selected": "2022-11-28",
      "x-github-request-id": randomBytes(8).toString("hex").toUpperCase(),
      ...reply.headers,
    });
    res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((e: unknown) => {
      console.error("github emulator:", e);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(errorBody(500, "Server Error")));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function repoByName(full: string): Repo {
    const repo = repos.get(full.toLowerCase());
    if (!repo) throw new Error(`github emulator: no repo ${full}`);
    return repo;
  }

  return {
    url: baseUrl,
    requests,
    faults,
    issues(full) {
      const repo = repoByName(full);
      return repo.issues
        .filter((i) => !i.deleted)
        .map((i) => ({
          number: i.number,
          title: i.title,
          body: i.body ?? "",
          state: i.state,
          state_reason: i.stateReason,
          labels: [...i.labels],
          assignees: [...i.assignees],
          comments: i.comments.map((c) => ({ id: c.id, body: c.body, created_at: iso(c.createdAt) })),
          created_at: iso(i.createdAt),
          updated_at: iso(i.updatedAt),
          user: i.user.login,
          html_url: `${htmlRepo(repo)}/issues/${i.number}`,
        }));
    },
    labels(full) {
      return repoByName(full).labels.map((l) => ({ name: l.name, color: l.color, description: l.description }));
    },
    setRepo,
    deleteIssue(full, issueNumber) {
      const issue = repoByName(full).issues[issueNumber - 1];
      if (!issue) throw new Error(`No issue ${full}#${issueNumber} in the emulator`);
      issue.deleted = true;
    },
    closeIssue(full, issueNumber, reason = "completed") {
      const issue = repoByName(full).issues[issueNumber - 1];
      if (!issue || issue.deleted) throw new Error(`No issue ${full}#${issueNumber} in the emulator`);
      const t = now();
      if (issue.state === "open") issue.closedAt = t;
      issue.state = "closed";
      issue.stateReason = reason;
      issue.updatedAt = t;
    },
    async close() {
      cancelAll();
      await closeServer(server);
    },
  };
}
