// GitHub's share of the outbox: one issue per incident in the private corp
// repository, kept current, with comments mirroring the timeline. Creates
// look before they create when an earlier attempt may have succeeded.

import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { CompanyPolicy } from "../../incidents/company-policy.js";
import { EVENT_EFFECTS } from "../../incidents/effects.js";
import type { Incident, NewJob, Severity } from "../../incidents/model.js";
import type { IncidentStore, IncidentSummary } from "../../incidents/ports.js";
import { GiveUp, RetryLater } from "../../jobs/errors.js";
import { type GitHubKind, jobHandlers, parsePayload } from "../../jobs/kinds.js";
import type { ExternalRef, JobStore, RefStore } from "../../jobs/ports.js";
import { REF } from "../../jobs/refs.js";
import type { JobHandler } from "../../jobs/worker.js";
import type { GitHubClient } from "./client.js";
import {
  commentBody,
  eventMarker,
  incidentMarker,
  issueBody,
  issueLabels,
  issueTitle,
  minimalIssueBody,
  minimalIssueTitle,
  quote,
} from "./render.js";

export interface GitHubJobDeps {
  client: GitHubClient;
  store: IncidentStore;
  refs: RefStore;
  /** To see which comments are still queued when an issue appears late. */
  jobs: Pick<JobStore, "list">;
  repo: string;
  /**
   * Where private incidents' issues go with their full record. Without it a
   * private incident's issue in `repo` carries only its key, severity,
   * status, IC and links.
   */
  confidentialRepo?: string | null;
  /** Severities that get an issue; "unclassified" included means "before classification too". */
  issueSeverities: Severity[];
  /** The severity definitions the issue shows; the policy's own when absent. */
  company?: CompanyPolicy;
  followUpIssues: boolean;
  /** Link to a Slack channel, e.g. https://app.slack.com/client/T123/C123 or slack.com/app_redirect. */
  channelUrl: (channelId: string) => string;
  logger: Logger;
  /** A follow-up's issue was closed on GitHub: record it as done (a domain command, wired in main.ts). */
  markFollowUpDone?: (incidentId: string, followUpId: string) => Promise<void>;
  /** How often open follow-up issues are read back from GitHub. */
  followUpSyncMs?: number;
  clock?: () => Date;
}

export const FOLLOW_UP_SYNC_MS = 60 * 60_000;

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

export function githubJobHandlers(d: GitHubJobDeps): Record<GitHubKind, JobHandler> {
  const now = () => (d.clock ?? (() => new Date()))();
  const knownLabels = new Set<string>();

  const split = (full: string) => {
    const [owner, repo] = full.split("/") as [string, string];
    return { owner, repo };
  };

  async function gh<T>(what: string, fn: () => Promise<T>, repo = d.repo): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw githubFailure(e, what, repo);
    }
  }

  /** The repository an incident's issue belongs in. */
  const repoFor = (i: Incident) => (i.private && d.confidentialRepo ? d.confidentialRepo : d.repo);
  /** A private incident in the shared repository: only key, severity, status, IC and links. */
  const minimal = (i: Incident, repo: string) => i.private && repo !== d.confidentialRepo;

  /**
   * Confidentiality: incident details go only to a private repository. Asked
   * before every write, comments included: a repository made public a minute
   * ago must not receive the next comment.
   */
  async function assertPrivateRepo(full: string) {
    const r = await gh("check the repository", () => d.client.rest.repos.get(split(full)), full);
    if (!r.data.private) {
      throw new GiveUp(
        `muster refuses to write incident details to ${full}: it is not a private repository. Make it private or set GITHUB_REPO to a private one.`,
      );
    }
  }

  async function ensureLabels(i: Incident, full: string) {
    for (const label of issueLabels(i)) {
      const known = `${full}:${label.name}`;
      if (knownLabels.has(known)) continue;
      try {
        await d.client.rest.issues.getLabel({ ...split(full), name: label.name });
      } catch (e) {
        if ((e as HttpError).status !== 404) throw githubFailure(e, "read labels", full);
        try {
          await d.client.rest.issues.createLabel({ ...split(full), ...label, request: { retries: 0 } });
        } catch (e2) {
          if ((e2 as HttpError).status !== 422) throw githubFailure(e2, "create a label", full);
        }
      }
      knownLabels.add(known);
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
      postmortem: await d.store.findPostmortem(incidentId),
    };
  }

  /** Finds an issue a previous attempt created: our label, updated since the incident began, carrying our marker. */
  async function findIssue(
    full: string,
    marker: string,
    since: Date,
  ): Promise<{ number: number; html_url: string } | null> {
    const iterator = d.client.paginate.iterator(d.client.rest.issues.listForRepo, {
      ...split(full),
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
      throw githubFailure(e, "look for an existing issue", full);
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

  /** The repository an existing ref points into (refs written before confidential repos lack it). */
  const refRepo = (ref: ExternalRef | null, i: Incident) => (ref?.data?.repo as string | undefined) ?? repoFor(i);
  const gone = (e: unknown) => [404, 410].includes((e as HttpError).status ?? 0);

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
        .map((j) => parsePayload("github.post_comment", j.payload)?.eventId),
    );
    return record.timeline
      .filter((e) => EVENT_EFFECTS[e.kind].includes("github.post_comment"))
      .filter((e) => !queued.has(e.id) && !refs.get(`github_comment:${e.id}`)?.externalId)
      .map((e) => ({ incidentId, kind: "github.post_comment" as const, payload: { eventId: e.id } }));
  }

  /** The follow-up issues' periodic read-back: one chain per incident, the newest token wins. */
  async function scheduleFollowUpSync(incidentId: string): Promise<NewJob> {
    const token = randomUUID();
    await d.refs.put({ incidentId, kind: FOLLOW_UP_SYNC_REF, externalId: token, url: null, data: null }, now());
    return {
      incidentId,
      kind: "github.sync_follow_ups",
      payload: { periodic: token },
      delayMs: d.followUpSyncMs ?? FOLLOW_UP_SYNC_MS,
    };
  }

  return jobHandlers<GitHubKind>({
    async "github.sync_issue"({ job }) {
      const s = await summary(job.incidentId);
      let ref = await d.refs.get(s.incident.id, REF.issue);
      if (!ref?.externalId && !wanted(s)) return [];
      const i = s.incident;
      const full = refRepo(ref, i);
      const { owner, repo } = split(full);
      await assertPrivateRepo(full);
      await ensureLabels(i, full);
      const short = minimal(i, full);
      const body = short
        ? minimalIssueBody(i, s.roles, await links(i.id), d.company)
        : issueBody(i, s.roles, await links(i.id), d.company);
      const title = short ? minimalIssueTitle(i) : issueTitle(i);
      const labels = issueLabels(i).map((l) => l.name);
      const notices: NewJob[] = [];
      if (ref?.externalId) {
        const number = Number(ref.externalId);
        let current: Awaited<ReturnType<typeof d.client.rest.issues.get>>["data"] | null = null;
        try {
          current = (await d.client.rest.issues.get({ owner, repo, issue_number: number })).data;
        } catch (e) {
          if (!gone(e)) throw githubFailure(e, "read the issue", full);
        }
        if (current) {
          const state = stateOf(i);
          const currentLabels = current.labels.map((l) => (typeof l === "string" ? l : l.name)).sort();
          const changed =
            current.title !== title ||
            (current.body ?? "") !== body ||
            current.state !== state.state ||
            JSON.stringify(currentLabels) !== JSON.stringify([...labels].sort());
          if (changed) {
            await gh(
              "update the issue",
              () =>
                d.client.rest.issues.update({
                  owner,
                  repo,
                  issue_number: number,
                  title,
                  body,
                  labels,
                  ...state,
                  ...(state.state === "open" && current.state === "closed"
                    ? { state_reason: "reopened" as const }
                    : {}),
                }),
              full,
            );
          }
          return [];
        }
        // Deleted on GitHub (404/410): forget it and make a new one, once.
        ref = { ...ref, externalId: "", url: null, data: { repo: full } };
        await d.refs.put(ref, now());
        notices.push({ incidentId: i.id, kind: "slack.repair_report", payload: { fixed: "issue_recreated" } });
      }
      const fresh = ref ? false : await d.refs.markIntent(i.id, REF.issue, now());
      let found = fresh ? null : await findIssue(full, incidentMarker(i.id), i.times.declaredAt);
      if (!found) {
        const created = await gh(
          "create the issue",
          () =>
            // No in-process retry of a create: a retried POST after a lost answer is a duplicate.
            d.client.rest.issues.create({ owner, repo, title, body, labels, request: { retries: 0 } }),
          full,
        );
        found = { number: created.data.number, html_url: created.data.html_url };
      }
      await d.refs.put(
        {
          incidentId: i.id,
          kind: REF.issue,
          externalId: String(found.number),
          url: found.html_url,
          data: { repo: full },
        },
        now(),
      );
      const followUps: NewJob[] = [
        ...notices,
        { incidentId: i.id, kind: "slack.sync_bookmarks", payload: {} },
        { incidentId: i.id, kind: "google.sync_doc", payload: {} },
        ...(await missedComments(i.id)),
      ];
      // Closing or reopening before the issue existed: bring its state along.
      if (stateOf(i).state === "closed") followUps.push({ incidentId: i.id, kind: "github.sync_issue", payload: {} });
      return followUps;
    },

    async "github.post_comment"({ job, payload, logger }) {
      const s = await summary(job.incidentId);
      const issue = await d.refs.get(s.incident.id, REF.issue);
      if (!issue?.externalId) {
        logger.info("no GitHub issue for this incident; comment skipped");
        return [];
      }
      const full = refRepo(issue, s.incident);
      const event = await d.store.findEvent(payload.eventId);
      const body = event
        ? commentBody(event, s.incident, {
            minimal: minimal(s.incident, full),
            ...(d.company ? { company: d.company } : {}),
            postmortem:
              event.kind === "postmortem_completed"
                ? ((await d.store.loadIncidentById(s.incident.id))?.postmortem ?? null)
                : null,
          })
        : null;
      if (!event || !body) return [];
      const kind = `github_comment:${event.id}`;
      const ref = await d.refs.get(s.incident.id, kind);
      if (ref?.externalId) return [];
      const issueNumber = Number(issue.externalId);
      await assertPrivateRepo(full);
      const fresh = ref ? false : await d.refs.markIntent(s.incident.id, kind, now());
      if (!fresh) {
        const marker = eventMarker(event.id);
        const all = await gh(
          "read comments",
          () =>
            d.client.paginate(d.client.rest.issues.listComments, {
              ...split(full),
              issue_number: issueNumber,
              per_page: 100,
            }),
          full,
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
      const c = await gh(
        "comment on the issue",
        () =>
          d.client.rest.issues.createComment({
            ...split(full),
            issue_number: issueNumber,
            body,
            request: { retries: 0 },
          }),
        full,
      );
      await d.refs.put(
        { incidentId: s.incident.id, kind, externalId: String(c.data.id), url: c.data.html_url, data: null },
        now(),
      );
      return [];
    },

    async "github.create_follow_up_issue"({ job, payload }) {
      if (!d.followUpIssues) return [];
      const s = await summary(job.incidentId);
      const issue = await d.refs.get(s.incident.id, REF.issue);
      const event = await d.store.findEvent(payload.eventId);
      const followUpId = String(event?.data.followUpId ?? "");
      const title = String(event?.data.title ?? "");
      if (!followUpId || !issue?.externalId) return [];
      const full = refRepo(issue, s.incident);
      await assertPrivateRepo(full);
      const kind = REF.followUpIssue(followUpId);
      const ref = await d.refs.get(s.incident.id, kind);
      if (ref?.externalId) return [];
      const marker = `<!-- muster:follow-up:${followUpId} -->`;
      const fresh = ref ? false : await d.refs.markIntent(s.incident.id, kind, now());
      let found = fresh ? null : await findIssue(full, marker, s.incident.times.declaredAt);
      if (!found) {
        const short = minimal(s.incident, full);
        const body = `Follow-up from ${s.incident.key}: ${issue.url}\n\nOwner: Slack user \`${String(event?.data.ownerId ?? "")}\`\n${marker}`;
        const created = await gh(
          "create the follow-up issue",
          () =>
            d.client.rest.issues.create({
              ...split(full),
              title: short
                ? `[${s.incident.key} follow-up]`
                : `[${s.incident.key} follow-up] ${quote(title)}`.slice(0, 256),
              body,
              labels: ["incident", "follow-up"],
              request: { retries: 0 },
            }),
          full,
        );
        found = { number: created.data.number, html_url: created.data.html_url };
      }
      await d.refs.put(
        {
          incidentId: s.incident.id,
          kind,
          externalId: String(found.number),
          url: found.html_url,
          data: { title, repo: full },
        },
        now(),
      );
      return [
        { incidentId: s.incident.id, kind: "github.sync_issue", payload: {} },
        await scheduleFollowUpSync(s.incident.id),
      ];
    },

    /** Marked done in muster: its issue is closed as completed (already closed: nothing to do). */
    async "github.close_follow_up_issue"({ job, payload }) {
      const s = await summary(job.incidentId);
      const event = await d.store.findEvent(payload.eventId);
      const followUpId = String(event?.data.followUpId ?? "");
      const ref = followUpId ? await d.refs.get(s.incident.id, REF.followUpIssue(followUpId)) : null;
      if (!ref?.externalId) return [];
      const full = refRepo(ref, s.incident);
      const issue_number = Number(ref.externalId);
      let current: { state: string } | null = null;
      try {
        current = (await d.client.rest.issues.get({ ...split(full), issue_number })).data;
      } catch (e) {
        if (gone(e)) return [];
        throw githubFailure(e, "read the follow-up issue", full);
      }
      if (current.state === "closed") return [];
      await assertPrivateRepo(full);
      await gh(
        "close the follow-up issue",
        () => d.client.rest.issues.update({ ...split(full), issue_number, state: "closed", state_reason: "completed" }),
        full,
      );
      return [];
    },

    /**
     * Reads the follow-up issues back: one closed on GitHub counts as done.
     * Runs hourly while an incident has open follow-ups with issues, and
     * whenever someone lists the follow-ups in Slack.
     */
    async "github.sync_follow_ups"({ job, payload }) {
      const s = await summary(job.incidentId);
      const periodic = payload.periodic ?? null;
      if (periodic && (await d.refs.get(s.incident.id, FOLLOW_UP_SYNC_REF))?.externalId !== periodic) return [];
      const record = await d.store.loadIncidentById(s.incident.id);
      if (!record) return [];
      const refs = await d.refs.all(s.incident.id);
      let stillOpen = 0;
      for (const f of record.followUps.filter((x) => x.status === "open")) {
        const ref = refs.get(REF.followUpIssue(f.id));
        if (!ref?.externalId) continue;
        const full = refRepo(ref, s.incident);
        let state: string;
        try {
          state = (await d.client.rest.issues.get({ ...split(full), issue_number: Number(ref.externalId) })).data.state;
        } catch (e) {
          if (gone(e)) continue;
          throw githubFailure(e, "read a follow-up issue", full);
        }
        if (state === "closed" && d.markFollowUpDone) await d.markFollowUpDone(s.incident.id, f.id);
        else stillOpen++;
      }
      return periodic && stillOpen > 0 ? [await scheduleFollowUpSync(s.incident.id)] : [];
    },
  });
}

const FOLLOW_UP_SYNC_REF = "github_follow_ups_sync";
