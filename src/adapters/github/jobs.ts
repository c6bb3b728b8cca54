// GitHub's share of the outbox: one issue per incident in the private corp
// repository, kept current, with comments mirroring the timeline. Creates
// look before they create when an earlier attempt may have succeeded.
import type { Logger } from "pino";
import { EVENT_EFFECTS } from "../../incidents/effects.js";
import type { ClassifiedSeverity, Incident, NewJob, Severity } from "../../incidents/model.js";
import type { IncidentStore, IncidentSummary } from "../../incidents/ports.js";
import { GiveUp, RetryLater } from "../../jobs/errors.js";
import type { JobStore, RefStore } from "../../jobs/ports.js";
import type { JobHandler } from "../../jobs/worker.js";
import { REF } from "../../slack/refs.js";
import type { GitHubClient } from "./client.js";
import { commentBody, eventMarker, incidentMarker, issueBody, issueLabels, issueTitle, quote } from "./render.js";

export interface GitHubJobDeps {
  client: GitHubClient;
  store: IncidentStore;
  refs: RefStore;
  /** To see which comments are still queued when an issue appears late. */
  jobs: Pick<JobStore, "list">;
  repo: string;
  /** Severities that get an issue; "unclassified" included means "before classification too". */
  issueSeverities: Severity[];
  followUpIssues: boolean;
  /** Link to a Slack channel, e.g. https://app.slack.com/client/T123/C123 or slack.com/app_redirect. */
  channelUrl: (channelId: string) => string;
  logger: Logger;
  clock?: () => Date;
}

interface HttpError {
  status?: number;
  response?: { headers?: Record<string, string | undefined> };
}

/** Maps an Octokit error to the outbox's retry rules. */
export function githubFailure(e: unknown, what: string, repo: string): Error {
  const err = e as HttpError;
  const status = err.status ?? 0;
  const headers = err.response?.headers ?? {};
  if (status === 404)
    return new GiveUp(`${what}: repository ${repo} not found, or muster's GitHub credentials can't see it`, {
      cause: e,
    });
  if (status === 410) return new GiveUp(`${what}: issues are disabled in ${repo}`, { cause: e });
  if (status === 401) return new GiveUp(`${what}: GitHub rejected muster's credentials`, { cause: e });
  if (status === 422) return new GiveUp(`${what}: GitHub refused the request as invalid`, { cause: e });
  if (status === 403 || status === 429) {
    const retryAfter = Number(headers["retry-after"]);
    const reset = Number(headers["x-ratelimit-reset"]);
    const ms =
      Number.isFinite(retryAfter) && retryAfter > 0
        ? retryAfter * 1000
        : headers["x-ratelimit-remaining"] === "0" && reset
          ? reset * 1000 - Date.now()
          : 60_000;
    if (
      status === 429 ||
      headers["retry-after"] ||
      headers["x-ratelimit-remaining"] === "0" ||
      /rate limit/i.test(String((e as Error).message))
    )
      return new RetryLater(`${what}: GitHub rate limit`, Math.max(1_000, ms), { cause: e });
    return new GiveUp(`${what}: muster's GitHub credentials lack permission on ${repo}`, { cause: e });
  }
  return new RetryLater(`${what}: GitHub unavailable (${status || "no response"})`, null, { cause: e });
}

export function githubJobHandlers(d: GitHubJobDeps): Record<string, JobHandler> {
  const [owner, repo] = d.repo.split("/") as [string, string];
  const now = () => (d.clock ?? (() => new Date()))();
  let repoCheckedAt = 0;
  const knownLabels = new Set<string>();

  async function gh<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw githubFailure(e, what, d.repo);
    }
  }

  /** Confidentiality: incident details go only to a private repository. Re-checked every 10 minutes. */
  async function assertPrivateRepo() {
    if (Date.now() - repoCheckedAt < 10 * 60_000) return;
    const r = await gh("check the repository", () => d.client.rest.repos.get({ owner, repo }));
    if (!r.data.private) {
      throw new GiveUp(
        `muster refuses to write incident details to ${d.repo}: it is not a private repository. Make it private or set GITHUB_REPO to a private one.`,
      );
    }
    repoCheckedAt = Date.now();
  }

  async function ensureLabels(i: Incident) {
    for (const label of issueLabels(i)) {
      if (knownLabels.has(label.name)) continue;
      try {
        await d.client.rest.issues.getLabel({ owner, repo, name: label.name });
      } catch (e) {
        if ((e as HttpError).status !== 404) throw githubFailure(e, "read labels", d.repo);
        try {
          await d.client.rest.issues.createLabel({ owner, repo, ...label, request: { retries: 0 } });
        } catch (e2) {
          if ((e2 as HttpError).status !== 422) throw githubFailure(e2, "create a label", d.repo);
        }
      }
      knownLabels.add(label.name);
    }
  }

  async function links(incidentId: string) {
    const refs = await d.refs.all(incidentId);
    const ok = (k: string) => (refs.get(k)?.externalId ? refs.get(k)! : null);
    const channel = ok(REF.channel);
    return {
      channelUrl: channel ? d.channelUrl(channel.externalId) : null,
      channelName: (channel?.data?.name as string | undefined) ?? null,
      docUrl: ok(REF.doc)?.url ?? null,
      postmortemDocUrl: ok(REF.postmortemDoc)?.url ?? null,
      followUps: [...refs.values()]
        .filter((r) => r.kind.startsWith("github_follow_up:") && r.url)
        .map((r) => ({ title: String(r.data?.title ?? ""), url: r.url! })),
    };
  }

  /** Finds an issue a previous attempt created: our label, updated since the incident began, carrying our marker. */
  async function findIssue(marker: string, since: Date): Promise<{ number: number; html_url: string } | null> {
    const iterator = d.client.paginate.iterator(d.client.rest.issues.listForRepo, {
      owner,
      repo,
      state: "all",
      labels: "incident",
      since: new Date(since.getTime() - 60_000).toISOString(),
      per_page: 100,
    });
    try {
      for await (const page of iterator) {
        const hit = page.data.find((x) => (x.body ?? "").includes(marker));
        if (hit) return { number: hit.number, html_url: hit.html_url };
      }
    } catch (e) {
      throw githubFailure(e, "look for an existing issue", d.repo);
    }
    return null;
  }

  const wanted = (s: IncidentSummary) => d.issueSeverities.includes(s.incident.severity);

  async function summary(incidentId: string | null): Promise<IncidentSummary> {
    const s = incidentId ? await d.store.incidentSummary({ id: incidentId }) : null;
    if (!s) throw new GiveUp("the incident no longer exists");
    return s;
  }

  const stateOf = (i: Incident) =>
    i.status === "closed"
      ? { state: "closed" as const, state_reason: "completed" as const }
      : i.status === "not_an_incident"
        ? { state: "closed" as const, state_reason: "not_planned" as const }
        : { state: "open" as const };

  /**
   * Comments for events whose comment job ran while there was no issue (it
   * was dead: a public repository, a long outage) and so skipped: queued
   * again, in timeline order, now that the issue exists. Each comment job is
   * idempotent, so one still queued is left to do its work.
   */
  async function missedComments(incidentId: string): Promise<NewJob[]> {
    const record = await d.store.loadIncidentById(incidentId);
    if (!record) return [];
    const refs = await d.refs.all(incidentId);
    const queued = new Set(
      (await d.jobs.list({ status: ["pending", "running"], incidentId, limit: 1000 }))
        .filter((j) => j.kind === "github.post_comment")
        .map((j) => Number(j.payload.eventId)),
    );
    return record.timeline
      .filter((e) => EVENT_EFFECTS[e.kind].includes("github.post_comment"))
      .filter((e) => !queued.has(e.id) && !refs.get(`github_comment:${e.id}`)?.externalId)
      .map((e) => ({ incidentId, kind: "github.post_comment" as const, payload: { eventId: e.id } }));
  }

  return {
    async "github.sync_issue"({ job }) {
      const s = await summary(job.incidentId);
      const ref = await d.refs.get(s.incident.id, REF.issue);
      if (!ref?.externalId && !wanted(s)) return [];
      await assertPrivateRepo();
      await ensureLabels(s.incident);
      const i = s.incident;
      const body = issueBody(i, s.roles, await links(i.id));
      const labels = issueLabels(i).map((l) => l.name);
      if (ref?.externalId) {
        const number = Number(ref.externalId);
        const current = (
          await gh("read the issue", () => d.client.rest.issues.get({ owner, repo, issue_number: number }))
        ).data;
        const state = stateOf(i);
        const currentLabels = current.labels.map((l) => (typeof l === "string" ? l : l.name)).sort();
        const changed =
          current.title !== issueTitle(i) ||
          (current.body ?? "") !== body ||
          current.state !== state.state ||
          JSON.stringify(currentLabels) !== JSON.stringify([...labels].sort());
        if (changed) {
          await gh("update the issue", () =>
            d.client.rest.issues.update({
              owner,
              repo,
              issue_number: number,
              title: issueTitle(i),
              body,
              labels,
              ...state,
              ...(state.state === "open" && current.state === "closed" ? { state_reason: "reopened" as const } : {}),
            }),
          );
        }
        return [];
      }
      const fresh = ref ? false : await d.refs.markIntent(i.id, REF.issue, now());
      let found = fresh ? null : await findIssue(incidentMarker(i.id), i.times.declaredAt);
      if (!found) {
        const created = await gh("create the issue", () =>
          // No in-process retry of a create: a retried POST after a lost answer is a duplicate.
          d.client.rest.issues.create({ owner, repo, title: issueTitle(i), body, labels, request: { retries: 0 } }),
        );
        found = { number: created.data.number, html_url: created.data.html_url };
      }
      await d.refs.put(
        { incidentId: i.id, kind: REF.issue, externalId: String(found.number), url: found.html_url, data: null },
        now(),
      );
      const followUps: NewJob[] = [
        { incidentId: i.id, kind: "slack.sync_bookmarks", payload: {} },
        { incidentId: i.id, kind: "google.sync_doc", payload: {} },
        ...(await missedComments(i.id)),
      ];
      // Closing or reopening before the issue existed: bring its state along.
      if (stateOf(i).state === "closed") followUps.push({ incidentId: i.id, kind: "github.sync_issue", payload: {} });
      return followUps;
    },

    async "github.post_comment"({ job, logger }) {
      const s = await summary(job.incidentId);
      const issue = await d.refs.get(s.incident.id, REF.issue);
      if (!issue?.externalId) {
        logger.info("no GitHub issue for this incident; comment skipped");
        return [];
      }
      const event = await d.store.findEvent(Number(job.payload.eventId));
      const body = event ? commentBody(event, s.incident) : null;
      if (!event || !body) return [];
      const kind = `github_comment:${event.id}`;
      const ref = await d.refs.get(s.incident.id, kind);
      if (ref?.externalId) return [];
      const issueNumber = Number(issue.externalId);
      const fresh = ref ? false : await d.refs.markIntent(s.incident.id, kind, now());
      if (!fresh) {
        const marker = eventMarker(event.id);
        const all = await gh("read comments", () =>
          d.client.paginate(d.client.rest.issues.listComments, {
            owner,
            repo,
            issue_number: issueNumber,
            per_page: 100,
          }),
        );
        const hit = all.find((c) => (c.body ?? "").includes(marker));
        if (hit) {
          await d.refs.put(
            { incidentId: s.incident.id, kind, externalId: String(hit.id), url: hit.html_url, data: null },
            now(),
          );
          return [];
        }
      }
      const c = await gh("comment on the issue", () =>
        d.client.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body, request: { retries: 0 } }),
      );
      await d.refs.put(
        { incidentId: s.incident.id, kind, externalId: String(c.data.id), url: c.data.html_url, data: null },
        now(),
      );
      return [];
    },

    async "github.create_follow_up_issue"({ job }) {
      if (!d.followUpIssues) return [];
      const s = await summary(job.incidentId);
      const issue = await d.refs.get(s.incident.id, REF.issue);
      const event = await d.store.findEvent(Number(job.payload.eventId));
      const followUpId = String(event?.data.followUpId ?? "");
      const title = String(event?.data.title ?? "");
      if (!followUpId || !issue?.externalId) return [];
      await assertPrivateRepo();
      const kind = REF.followUpIssue(followUpId);
      const ref = await d.refs.get(s.incident.id, kind);
      if (ref?.externalId) return [];
      const marker = `<!-- muster:follow-up:${followUpId} -->`;
      const fresh = ref ? false : await d.refs.markIntent(s.incident.id, kind, now());
      let found = fresh ? null : await findIssue(marker, s.incident.times.declaredAt);
      if (!found) {
        const body = `Follow-up from ${s.incident.key}: ${issue.url}\n\nOwner: Slack user \`${String(event?.data.ownerId ?? "")}\`\n${marker}`;
        const created = await gh("create the follow-up issue", () =>
          d.client.rest.issues.create({
            owner,
            repo,
            title: `[${s.incident.key} follow-up] ${quote(title)}`.slice(0, 256),
            body,
            labels: ["incident", "follow-up"],
            request: { retries: 0 },
          }),
        );
        found = { number: created.data.number, html_url: created.data.html_url };
      }
      await d.refs.put(
        { incidentId: s.incident.id, kind, externalId: String(found.number), url: found.html_url, data: { title } },
        now(),
      );
      return [{ incidentId: s.incident.id, kind: "github.sync_issue", payload: {} }];
    },
  };
}

export const ALL_SEVERITIES: Severity[] = ["critical", "high", "medium", "low", "unclassified"] satisfies (
  | ClassifiedSeverity
  | "unclassified"
)[];
