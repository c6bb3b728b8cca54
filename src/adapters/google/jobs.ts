// Google's share of the outbox: the incident doc (a copy of a template, or a
// clean doc with headings), shared with the responders by e-mail and never by
// link; the post-mortem doc with the timeline as a table. A Drive
// appProperty marks each doc so a retried job finds the one it made.

import type { docs_v1 } from "@googleapis/docs";
import type { drive_v3 } from "@googleapis/drive";
import type { WebClient } from "@slack/web-api";
import type { CompanyPolicy } from "../../incidents/company-policy.js";
import type { Incident, NewJob, RoleAssignment, TimelineEvent } from "../../incidents/model.js";
import type { IncidentStore, IncidentSummary } from "../../incidents/ports.js";
import { severityLabel } from "../../incidents/severity.js";
import { STATUS_LABELS } from "../../incidents/transitions.js";
import { GiveUp, RetryLater } from "../../jobs/errors.js";
import { type GoogleKind, jobHandlers } from "../../jobs/kinds.js";
import type { ExternalRef, RefStore } from "../../jobs/ports.js";
import { REF } from "../../jobs/refs.js";
import type { JobHandler } from "../../jobs/worker.js";

export interface GoogleJobDeps {
  docs: docs_v1.Docs;
  drive: drive_v3.Drive;
  store: IncidentStore;
  refs: RefStore;
  /** For responders' e-mail addresses and private channels' members. */
  slack: WebClient;
  templateId: string | null;
  postmortemTemplateId: string | null;
  folderId: string | null;
  channelUrl: (channelId: string) => string;
  /** Whose severity names the {{severity}} placeholder uses; the policy's own when absent. */
  company?: CompanyPolicy;
  clock?: () => Date;
}

const DOC_MIME = "application/vnd.google-apps.document";
const FILE_FIELDS = "id,name,webViewLink,appProperties,trashed";

export function googleFailure(e: unknown, what: string): Error {
  const err = e as {
    status?: number;
    code?: number | string;
    response?: { data?: { error?: { errors?: { reason?: string }[] } } };
  };
  const status = err.status ?? (typeof err.code === "number" ? err.code : 0);
  const reason = err.response?.data?.error?.errors?.[0]?.reason ?? "";
  if (status === 429 || /rateLimitExceeded|userRateLimitExceeded|quotaExceeded/.test(reason))
    return new RetryLater(`${what}: Google quota`, null, { cause: e });
  if (status === 404)
    return new GiveUp(`${what}: a template or folder was not found (check GOOGLE_*_ID settings)`, { cause: e });
  if (status === 401 || status === 403) return new GiveUp(`${what}: Google refused muster's credentials`, { cause: e });
  if (status === 400) return new GiveUp(`${what}: Google refused the request as invalid`, { cause: e });
  return new RetryLater(`${what}: Google unavailable (${status || "no response"})`, null, { cause: e });
}

async function g<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw googleFailure(e, what);
  }
}

const fmt = (d: Date | null) => (d ? `${d.toISOString().replace("T", " ").slice(0, 16)} UTC` : "—");

export function googleJobHandlers(d: GoogleJobDeps): Record<GoogleKind, JobHandler> {
  const now = () => (d.clock ?? (() => new Date()))();
  const emails = new Map<string, string | null>();

  /**
   * A person's email, null for one who has none (a bot, a deactivated or
   * unknown user). `orThrow`: a failed look-up (Slack down) throws, so the job
   * is retried. Sharing skipped the person instead and completed: the
   * reliability suite found a doc never shared with its IC.
   */
  async function emailOf(userId: string, o: { orThrow?: boolean } = {}): Promise<string | null> {
    if (emails.has(userId)) return emails.get(userId) ?? null;
    try {
      const r = await d.slack.users.info({ user: userId });
      const email = (r.user?.profile?.email as string | undefined) ?? null;
      emails.set(userId, r.user?.is_bot || r.user?.deleted ? null : email);
    } catch (e) {
      if ((e as { data?: { error?: string } }).data?.error === "user_not_found") emails.set(userId, null);
      else if (o.orThrow) throw e;
      else return null;
    }
    return emails.get(userId) ?? null;
  }

  async function summary(incidentId: string | null): Promise<IncidentSummary> {
    const s = incidentId ? await d.store.incidentSummary({ id: incidentId }) : null;
    if (!s) throw new GiveUp("the incident no longer exists");
    return s;
  }

  async function placeholders(i: Incident, roles: RoleAssignment[]): Promise<Record<string, string | null>> {
    const refs = await d.refs.all(i.id);
    const channel = refs.get(REF.channel);
    const issue = refs.get(REF.issue);
    const ic = roles.find((r) => r.role === "commander")?.userId;
    return {
      key: i.key,
      title: i.title,
      severity: severityLabel(i.severity, d.company),
      status: STATUS_LABELS[i.status],
      summary: i.summary || "—",
      ic: ic ? ((await emailOf(ic)) ?? ic) : "—",
      declared_at: fmt(i.times.declaredAt),
      impact_started_at: fmt(i.times.impactStartedAt),
      // Unknown until they exist: left in place and filled by a later sync.
      channel: channel?.externalId ? `#${String(channel.data?.name ?? channel.externalId)}` : null,
      channel_url: channel?.externalId ? d.channelUrl(channel.externalId) : null,
      issue_url: issue?.externalId ? (issue.url ?? null) : null,
    };
  }

  /** Finds the doc an earlier attempt made, by its appProperties. */
  async function findDoc(incidentId: string, kind: string): Promise<drive_v3.Schema$File | null> {
    const q = `appProperties has { key='musterIncident' and value='${incidentId}' } and appProperties has { key='musterKind' and value='${kind}' } and trashed = false`;
    const r = await g("look for an existing doc", () =>
      d.drive.files.list({
        q,
        fields: `files(${FILE_FIELDS})`,
        pageSize: 10,
        supportsAllDrives: true,
        includeItemsFromAllDrives: true,
      }),
    );
    return r.data.files?.[0] ?? null;
  }

  async function createDoc(
    i: Incident,
    kind: string,
    templateId: string | null,
    name: string,
  ): Promise<drive_v3.Schema$File> {
    const appProperties = { musterIncident: i.id, musterKind: kind };
    const parents = d.folderId ? [d.folderId] : undefined;
    if (templateId) {
      const r = await g("copy the doc template", () =>
        d.drive.files.copy({
          fileId: templateId,
          supportsAllDrives: true,
          fields: FILE_FIELDS,
          requestBody: { name, parents, appProperties },
        }),
      );
      return r.data;
    }
    const r = await g("create the doc", () =>
      d.drive.files.create({
        supportsAllDrives: true,
        fields: FILE_FIELDS,
        requestBody: { name, mimeType: DOC_MIME, parents, appProperties },
      }),
    );
    return r.data;
  }

  /** Looks before creating when an earlier attempt may have created it. */
  async function ensureDoc(
    i: Incident,
    refKind: string,
    templateId: string | null,
    name: string,
  ): Promise<ExternalRef> {
    const ref = await d.refs.get(i.id, refKind);
    if (ref?.externalId) return ref;
    const fresh = ref ? false : await d.refs.markIntent(i.id, refKind, now());
    const file = (fresh ? null : await findDoc(i.id, refKind)) ?? (await createDoc(i, refKind, templateId, name));
    const saved: ExternalRef = {
      incidentId: i.id,
      kind: refKind,
      externalId: file.id!,
      url: file.webViewLink ?? `https://docs.google.com/document/d/${file.id}/edit`,
      data: { fromTemplate: !!templateId },
    };
    await d.refs.put(saved, now());
    return saved;
  }

  async function fillPlaceholders(docId: string, values: Record<string, string | null>) {
    const requests = Object.entries(values)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => ({ replaceAllText: { containsText: { text: `{{${k}}}`, matchCase: true }, replaceText: v! } }));
    if (requests.length)
      await g("fill the doc", () => d.docs.documents.batchUpdate({ documentId: docId, requestBody: { requests } }));
  }

  /** Without a template: headings for the work, written once (only into an empty doc). False if it was written before. */
  async function buildCleanDoc(docId: string, v: Record<string, string | null>): Promise<boolean> {
    const doc = await g("read the doc", () => d.docs.documents.get({ documentId: docId }));
    const end = doc.data.body?.content?.at(-1)?.endIndex ?? 2;
    if (end > 2) return false;
    const sections: [string, string][] = [
      [`${v.key}: ${v.title}`, "TITLE"],
      [`Severity: ${v.severity} · Status: ${v.status} · IC: ${v.ic} · Declared: ${v.declared_at}`, "NORMAL_TEXT"],
      [`Slack: ${v.channel_url ?? "{{channel_url}}"} · GitHub: ${v.issue_url ?? "{{issue_url}}"}`, "NORMAL_TEXT"],
      ["Summary", "HEADING_1"],
      [v.summary ?? "", "NORMAL_TEXT"],
      ["Current state", "HEADING_1"],
      ["", "NORMAL_TEXT"],
      ["What has been tried", "HEADING_1"],
      ["", "NORMAL_TEXT"],
      ["Open questions", "HEADING_1"],
      ["", "NORMAL_TEXT"],
      ["Notes", "HEADING_1"],
      ["", "NORMAL_TEXT"],
    ];
    await g("write the doc", () =>
      d.docs.documents.batchUpdate({ documentId: docId, requestBody: { requests: paragraphs(sections, 1) } }),
    );
    return true;
  }

  /** Shares with responders as writers (private incidents: channel members only); never by link. */
  async function share(i: Incident, roles: RoleAssignment[], ref: ExternalRef) {
    const users = new Set([i.declaredBy, ...roles.map((r) => r.userId)]);
    if (i.private) {
      const channel = await d.refs.get(i.id, REF.channel);
      if (!channel?.externalId) return; // shared once the channel (and so its membership) exists
      const members = await d.slack.conversations.members({ channel: channel.externalId }).catch(() => null);
      const inChannel = new Set(members?.members ?? []);
      for (const u of [...users]) if (!inChannel.has(u)) users.delete(u);
    }
    const shared = new Set((ref.data?.sharedWith as string[] | undefined) ?? []);
    for (const u of users) {
      const email = await emailOf(u, { orThrow: true });
      if (!email || shared.has(email)) continue;
      await g("share the doc", () =>
        d.drive.permissions.create({
          fileId: ref.externalId,
          supportsAllDrives: true,
          sendNotificationEmail: false,
          fields: "id",
          requestBody: { type: "user", role: "writer", emailAddress: email },
        }),
      );
      shared.add(email);
      await d.refs.put({ ...ref, data: { ...(ref.data ?? {}), sharedWith: [...shared] } }, now());
    }
  }

  const LATE_LINKS = ["channel", "channel_url", "issue_url"] as const;

  /** Records which late links the doc now shows, so a later sync writes only what is new. */
  async function recordLinks(i: Incident, docId: string, values: Record<string, string | null>) {
    const shown = Object.fromEntries(LATE_LINKS.filter((k) => values[k]).map((k) => [k, values[k]]));
    if (Object.keys(shown).length === 0) return;
    const prev = await d.refs.get(i.id, REF.docLinks);
    const data = { ...((prev?.externalId === docId ? prev.data : null) ?? {}), ...shown };
    await d.refs.put({ incidentId: i.id, kind: REF.docLinks, externalId: docId, url: null, data }, now());
  }

  /**
   * Repair: a doc in the trash is restored; one deleted for good is
   * forgotten, so the next create makes a new one. Returns what it fixed.
   */
  async function repairDoc(incidentId: string, refKind: string): Promise<"restored" | "recreate" | null> {
    const ref = await d.refs.get(incidentId, refKind);
    if (!ref?.externalId) return null;
    let trashed = false;
    try {
      trashed = !!(await d.drive.files.get({ fileId: ref.externalId, fields: "id,trashed", supportsAllDrives: true }))
        .data.trashed;
    } catch (e) {
      if ((e as { status?: number }).status !== 404) throw googleFailure(e, "look at the doc");
      await d.refs.put({ ...ref, externalId: "", url: null, data: null }, now());
      if (refKind === REF.doc)
        await d.refs.put({ incidentId, kind: REF.docLinks, externalId: "", url: null, data: {} }, now());
      return "recreate";
    }
    if (!trashed) return null;
    await g("restore the doc from the trash", () =>
      d.drive.files.update({ fileId: ref.externalId, supportsAllDrives: true, requestBody: { trashed: false } }),
    );
    return "restored";
  }

  const followUps = (i: Incident): NewJob[] => [
    { incidentId: i.id, kind: "slack.sync_bookmarks", payload: {} },
    { incidentId: i.id, kind: "github.sync_issue", payload: {} },
  ];

  return jobHandlers<GoogleKind>({
    async "google.create_doc"({ job, payload }) {
      const s = await summary(job.incidentId);
      const notices: NewJob[] = [];
      let doc: "restored" | "recreate" | null = null;
      if (payload.repair) {
        const report = (fixed: string) =>
          notices.push({ incidentId: s.incident.id, kind: "slack.repair_report", payload: { fixed } });
        doc = await repairDoc(s.incident.id, REF.doc);
        if (doc) report(doc === "restored" ? "doc_restored" : "doc_recreated");
        const pm = await repairDoc(s.incident.id, REF.postmortemDoc);
        if (pm) report(pm === "restored" ? "postmortem_doc_restored" : "postmortem_doc_recreated");
        if (pm === "recreate")
          notices.push({ incidentId: s.incident.id, kind: "google.create_postmortem_doc", payload: {} });
      }
      const ref = await ensureDoc(s.incident, REF.doc, d.templateId, `[${s.incident.key}] ${s.incident.title}`);
      const values = await placeholders(s.incident, s.roles);
      // Filling and sharing are independent; bookmarks need only the doc's link.
      await Promise.all([
        (async () => {
          // A repair that found the doc intact leaves its text alone (late links are google.sync_doc's).
          if (payload.repair && doc !== "recreate") return;
          // An earlier attempt's doc may still show placeholders for links known now.
          if (ref.data?.fromTemplate || !(await buildCleanDoc(ref.externalId, values)))
            await fillPlaceholders(ref.externalId, values);
          await recordLinks(s.incident, ref.externalId, values);
        })(),
        share(s.incident, s.roles, ref),
      ]);
      // Also when an earlier attempt made the doc and failed later on: its link
      // still has to reach the bookmarks and the issue (both are idempotent).
      return [...followUps(s.incident), ...notices];
    },

    async "google.sync_doc"({ job }) {
      const s = await summary(job.incidentId);
      const ref = await d.refs.get(s.incident.id, REF.doc);
      if (!ref?.externalId) return [];
      const v = await placeholders(s.incident, s.roles);
      // Only the links arrive late, and each is written once: several syncs
      // queued together (channel, issue, roles) cost one Docs write, or none.
      const shown = (await d.refs.get(s.incident.id, REF.docLinks))?.data ?? {};
      const fresh = Object.fromEntries(LATE_LINKS.map((k) => [k, v[k] && shown[k] !== v[k] ? v[k] : null]));
      if (Object.values(fresh).some((x) => x)) {
        await fillPlaceholders(ref.externalId, fresh);
        await recordLinks(s.incident, ref.externalId, v);
      }
      await share(s.incident, s.roles, ref);
      return [];
    },

    async "google.create_postmortem_doc"({ job, payload }) {
      const s = await summary(job.incidentId);
      const record = await d.store.loadIncidentById(s.incident.id);
      if (!record) throw new GiveUp("the incident no longer exists");
      const ref = await ensureDoc(
        s.incident,
        REF.postmortemDoc,
        d.postmortemTemplateId,
        `[${s.incident.key}] Post-mortem: ${s.incident.title}`,
      );
      const values = await placeholders(s.incident, s.roles);
      if (ref.data?.fromTemplate) await fillPlaceholders(ref.externalId, values);
      await writePostmortem(d, ref.externalId, s.incident, record.timeline, values);
      await share(s.incident, s.roles, ref);
      // Also when an earlier attempt made the doc and failed later on: its link
      // still has to reach the bookmarks and the issue (both are idempotent).
      // On resolve, the channel and the owner are told what is owed, with this doc.
      const owed: NewJob[] = payload.owed
        ? [{ incidentId: s.incident.id, kind: "slack.postmortem_owed", payload: { owed: payload.owed } }]
        : [];
      return [...followUps(s.incident), ...owed];
    },
  });
}

/** insertText + paragraph styles for a list of (text, style) paragraphs at `at`. */
function paragraphs(items: [string, string][], at: number): docs_v1.Schema$Request[] {
  const text = items.map(([t]) => `${t}\n`).join("");
  const requests: docs_v1.Schema$Request[] = [{ insertText: { location: { index: at }, text } }];
  let index = at;
  for (const [t, style] of items) {
    const len = t.length + 1;
    requests.push({
      updateParagraphStyle: {
        range: { startIndex: index, endIndex: index + len },
        paragraphStyle: { namedStyleType: style },
        fields: "namedStyleType",
      },
    });
    index += len;
  }
  return requests;
}

const EVENT_WORDS: Partial<Record<TimelineEvent["kind"], string>> = {
  declared: "Declared",
  severity_classified: "Severity classified",
  impact_updated: "Impact updated",
  role_assigned: "Role assigned",
  handoff_accepted: "IC hand-off",
  status_update: "Status update",
  escalated: "Escalated",
  vendor_check_answered: "Vendor answered",
  follow_up_added: "Follow-up added",
  note: "Note",
  status_changed: "Status changed",
};

function eventSummary(e: TimelineEvent): string {
  const d = e.data as Record<string, unknown>;
  const text = [d.to, d.reason, d.internalText, d.text, d.title, d.summary].find((x) => typeof x === "string") as
    | string
    | undefined;
  return (text ?? "").replace(/\s+/g, " ").slice(0, 500);
}

/**
 * The post-mortem's sections and the timeline table. Two atomic batches:
 * text and an empty table first, then the cells (their indexes are only
 * known from the document). Each step is skipped when already done.
 */
async function writePostmortem(
  d: GoogleJobDeps,
  docId: string,
  i: Incident,
  timeline: TimelineEvent[],
  v: Record<string, string | null>,
) {
  const rows = timeline.filter((e) => EVENT_WORDS[e.kind]).slice(0, 200);
  let doc = (await g("read the post-mortem doc", () => d.docs.documents.get({ documentId: docId }))).data;
  const hasTable = () => (doc.body?.content ?? []).some((c) => c.table);
  if (!hasTable()) {
    const end = (doc.body?.content?.at(-1)?.endIndex ?? 2) - 1;
    const sections: [string, string][] = [
      [`Post-mortem: ${v.key} ${v.title}`, "TITLE"],
      [`Severity: ${v.severity} · Declared: ${v.declared_at} · Resolved: ${fmt(i.times.resolvedAt)}`, "NORMAL_TEXT"],
      ["Details", "HEADING_1"],
      [i.resolutionSummary ?? "", "NORMAL_TEXT"],
      ["Impact", "HEADING_1"],
      ["", "NORMAL_TEXT"],
      ["Actions taken to mitigate and resolve", "HEADING_1"],
      ["", "NORMAL_TEXT"],
      ["Root causes", "HEADING_1"],
      ["", "NORMAL_TEXT"],
      ["Follow-up actions", "HEADING_1"],
      ["", "NORMAL_TEXT"],
      ["New risks", "HEADING_1"],
      ["", "NORMAL_TEXT"],
      ["Timeline", "HEADING_1"],
    ];
    await g("write the post-mortem", () =>
      d.docs.documents.batchUpdate({
        documentId: docId,
        requestBody: {
          requests: [
            ...paragraphs(sections, Math.max(1, end)),
            { insertTable: { rows: rows.length + 1, columns: 3, endOfSegmentLocation: {} } },
          ],
        },
      }),
    );
    doc = (await g("read the post-mortem doc", () => d.docs.documents.get({ documentId: docId }))).data;
  }
  const table = (doc.body?.content ?? []).find((c) => c.table)?.table;
  const cells = table?.tableRows?.flatMap((r) => r.tableCells ?? []) ?? [];
  const filled = cells.some((c) =>
    (c.content ?? []).some((p) => (p.paragraph?.elements ?? []).some((e) => (e.textRun?.content ?? "\n") !== "\n")),
  );
  if (!table || filled) return;
  const texts = [
    ["Time (UTC)", "What", "Details"],
    ...rows.map((e) => [fmt(e.at), EVENT_WORDS[e.kind] ?? e.kind, eventSummary(e)]),
  ].flat();
  const inserts = cells
    .map((c, n) => ({ index: c.content?.[0]?.startIndex ?? 0, text: texts[n] ?? "" }))
    .filter((x) => x.text && x.index > 0)
    // From the end backwards, so earlier indexes stay valid.
    .sort((a, b) => b.index - a.index)
    .map((x) => ({ insertText: { location: { index: x.index }, text: x.text } }));
  if (inserts.length)
    await g("fill the timeline table", () =>
      d.docs.documents.batchUpdate({ documentId: docId, requestBody: { requests: inserts } }),
    );
}
