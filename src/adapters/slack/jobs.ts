// Slack's share of the outbox: the incident channel, its control message and
// bookmarks, the announcement, DMs. Every handler can run again after a
// crash or a retry without posting or creating anything twice.

import { createHash, randomUUID } from "node:crypto";
import type { WebClient } from "@slack/web-api";
import { DateTime } from "luxon";
import { commsChecklist, recoveryChecklist } from "../../incidents/checklists.js";
import { type CompanyPolicy, DEFAULT_COMPANY_POLICY } from "../../incidents/company-policy.js";
import type { RoleDefinition } from "../../incidents/context.js";
import { DAY_END_ESCALATES, DAY_END_EVENTS, dayEndStep } from "../../incidents/day-end.js";
import { type InsufficientKind, insufficientTriggers, triggerKey } from "../../incidents/insufficient-response.js";
import { COMMANDER, type Incident, type NewJob } from "../../incidents/model.js";
import {
  gapKey,
  type Nudge,
  type NudgeState,
  type NudgeWhat,
  nextNudgeFor,
  nextNudges,
} from "../../incidents/nudges.js";
import type { IncidentStore, IncidentSummary } from "../../incidents/ports.js";
import { isOpen } from "../../incidents/transitions.js";
import {
  DEFAULT_WORKING_HOURS,
  inWorkingHours,
  minuteWords,
  type WorkingHours,
} from "../../incidents/working-hours.js";
import { GiveUp } from "../../jobs/errors.js";
import { jobHandlers, type KindHandlers, type Payload, type SlackKind } from "../../jobs/kinds.js";
import type { RefStore } from "../../jobs/ports.js";
import { linksOf, REF } from "../../jobs/refs.js";
import type { JobContext, JobHandler } from "../../jobs/worker.js";
import { channelName } from "../../slack/channel-name.js";
import { commsMessage, commsNudge, recoveryMessage } from "../../slack/views/checklists.js";
import { announcement, commanderId, controlMessage, type IncidentView, topic } from "../../slack/views/incident.js";
import {
  dayEndAsk,
  dayEndEscalation,
  escalationBrief,
  escalationOffer,
  eventText,
  followUpsOverdue,
  handoffAnswered,
  handoffOverdue,
  handoffRequest,
  jobFailedMessage,
  nudgeMessage,
  type RepairFix,
  repairReport,
  roleMessage,
  statusUpdateMessage,
  statusUpdateSummary,
} from "../../slack/views/messages.js";
import {
  postmortemOverdue,
  postmortemOwed,
  postmortemReminder,
  vendorCheckMessage,
  vendorCheckOverdue,
} from "../../slack/views/postmortem.js";
import { call, dmChannel, type Msg, postOnce, settingsChannel, slackErrorCode, slackFailure } from "./client.js";

export interface SlackJobDeps {
  client: WebClient;
  store: IncidentStore;
  refs: RefStore;
  roles: RoleDefinition[];
  /** The severity definitions the control message shows; the policy's own when absent. */
  company?: CompanyPolicy;
  /** Name (incident-response) or id of the announcement channel. */
  incidentChannel: string;
  escalation: { users: string[]; usergroup: string | null };
  /** The first reminder about an unanswered hand-off; the next ones back off (x2, x4). */
  handoffTimeoutMs: number;
  /** A Slack user group (S…) whose members are on call: suggested first as the IC's successor. */
  oncallUsergroup?: string | null;
  /** Records a due end-of-day round on the timeline (once per idempotency key). */
  recordDayEnd: (
    incidentId: string,
    round: {
      icId: string;
      action: "remind" | "unanswered";
      round: string;
      deadline: string;
      tz: string;
      tzUnknown?: boolean;
    },
    idempotencyKey: string,
  ) => Promise<boolean>;
  /** Who hears of a post-mortem past its deadline; the escalation contacts when empty. */
  postmortemLeads?: string[];
  /** Runs the domain's reminder step for a due link, with the owner's time zone. */
  remindPostmortem: (
    incidentId: string,
    link: Payload<"slack.postmortem_reminder_due">,
    ownerTz: string,
  ) => Promise<void>;
  /** How long a person's time zone (users.info) is trusted before it is read again. */
  tzCacheMs?: number;
  /** Records a nudge on the timeline (muster's own command); `idempotencyKey` makes a retry record it once. */
  recordNudge: (incidentId: string, nudge: NudgeRecord, idempotencyKey: string) => Promise<void>;
  /** muster offers the IC an escalation (a rule of insufficient-response.ts holds); `idempotencyKey`: once per condition. */
  proposeEscalation: (
    incidentId: string,
    offer: { rules: InsufficientKind[]; missing: string },
    idempotencyKey: string,
  ) => Promise<void>;
  /** The offer's time is up: muster escalates unless the IC answered. */
  autoEscalate: (incidentId: string, proposalEventId: number) => Promise<void>;
  /** The quiet gate: one reminder DM per person, incident and kind within this long (QUIET_DM_MINUTES). */
  quietMs?: number;
  clock?: () => Date;
}

/** What a nudge's timeline event says. */
export interface NudgeRecord {
  what: NudgeWhat;
  subject?: string;
  /** 1 for the first nudge about its gap. */
  n: number;
  userId?: string;
}

/**
 * The DMs the quiet gate holds back: what muster sends on its own initiative
 * to remind someone. A person gets at most one of each kind per incident per
 * QUIET_DM_MINUTES. Not gated: an offer to escalate (each is a decision
 * with a deadline, muster escalates without an answer; its rules already
 * fire once per condition), and, because the person or a colleague asked for
 * them: a role given to them, a hand-off offered to them or answered, an
 * escalation brief to leadership, the notice that a post-mortem is owed,
 * the end-of-day question (once a day, or when the snooze the IC chose ends).
 */
export type QuietKind = "nudge" | "postmortem_reminder" | "handoff_reminder";

export const DEFAULT_QUIET_MS = 60 * 60_000;

const BOOKMARKS: [string, string][] = [
  [REF.issue, "GitHub issue"],
  [REF.doc, "Incident doc"],
  [REF.postmortemDoc, "Post-mortem doc"],
];

const plainMessage = (text: string): Msg => ({
  text: text.slice(0, 3000),
  blocks: [{ type: "section", text: { type: "mrkdwn", text: text.slice(0, 3000) } }],
});

export function slackJobHandlers(d: SlackJobDeps): Record<SlackKind, JobHandler> {
  const now = () => (d.clock ?? (() => new Date()))();
  let botUserId: string | null = null;

  async function botUser(): Promise<string> {
    if (!botUserId) botUserId = (await call("auth.test", () => d.client.auth.test())).user_id as string;
    return botUserId;
  }

  /** The announcement channel's id; muster joins it the first time (public channels). */
  const announcementChannel = settingsChannel(d.client, d.incidentChannel, "INCIDENT_CHANNEL");

  async function summary(job: JobContext["job"]): Promise<IncidentSummary> {
    if (!job.incidentId) throw new GiveUp("the job names no incident");
    const s = await d.store.incidentSummary({ id: job.incidentId });
    if (!s) throw new GiveUp("the incident no longer exists");
    return s;
  }

  async function view(s: IncidentSummary): Promise<IncidentView> {
    const [links, postmortem, publication] = await Promise.all([
      linksOf(d, s.incident.id),
      d.store.findPostmortem(s.incident.id),
      d.store.findPublication(s.incident.id),
    ]);
    return { incident: s.incident, roles: s.roles, links, postmortem, publication };
  }

  async function channelOf(incidentId: string): Promise<string | null> {
    const ref = await d.refs.get(incidentId, REF.channel);
    return ref?.externalId || null;
  }

  /** Finds a channel a previous attempt may have created: ours (created by muster), named for this incident. */
  async function findOwnChannel(incident: Incident): Promise<{ id: string; name: string } | null> {
    const me = await botUser();
    const prefix = `inc-${incident.number}`;
    let cursor: string | undefined;
    do {
      const page = await call("list channels", () =>
        d.client.conversations.list({ types: "public_channel,private_channel", limit: 200, cursor }),
      );
      const hit = page.channels?.find(
        (c) => c.creator === me && !!c.name && (c.name === prefix || c.name.startsWith(`${prefix}-`)),
      );
      if (hit?.id && hit.name) return { id: hit.id, name: hit.name };
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return null;
  }

  async function ensureChannel(incident: Incident): Promise<string> {
    const ref = await d.refs.get(incident.id, REF.channel);
    if (ref?.externalId) return ref.externalId;
    const fresh = ref ? false : await d.refs.markIntent(incident.id, REF.channel, now());
    let found = fresh ? null : await findOwnChannel(incident);
    for (let attempt = 0; !found && attempt < 20; attempt++) {
      const name = channelName(incident.number, incident.title, attempt, incident.private);
      try {
        const r = await d.client.conversations.create({ name, is_private: incident.private });
        found = { id: r.channel!.id!, name: r.channel!.name ?? name };
      } catch (e) {
        if (slackErrorCode(e) === "name_taken") continue;
        throw slackFailure(e, "create the incident channel");
      }
    }
    if (!found) throw new GiveUp("every channel name for this incident is taken");
    await d.refs.put(
      { incidentId: incident.id, kind: REF.channel, externalId: found.id, url: null, data: { name: found.name } },
      now(),
    );
    return found.id;
  }

  // Who was invited and the topic last set live in refs of their own: the two
  // run concurrently, and one record would let each overwrite the other.
  async function invite(incidentId: string, channel: string, users: string[]) {
    const kind = `${REF.channel}:invited`;
    const ref = await d.refs.get(incidentId, kind);
    const invited = new Set((ref?.data?.users as string[] | undefined) ?? []);
    const me = await botUser();
    const todo = [...new Set(users)].filter((u) => u && u !== me && !invited.has(u));
    for (let i = 0; i < todo.length; i += 100) {
      const batch = todo.slice(i, i + 100);
      try {
        await d.client.conversations.invite({ channel, users: batch.join(",") });
      } catch (e) {
        const code = slackErrorCode(e);
        // Partial failures (already in channel, a deactivated user) must not stop the rest.
        if (
          !["already_in_channel", "cant_invite_self", "user_not_found", "user_is_restricted", "cant_invite"].includes(
            code ?? "",
          )
        ) {
          throw slackFailure(e, "invite responders");
        }
      }
      for (const u of batch) invited.add(u);
    }
    if (todo.length)
      await d.refs.put({ incidentId, kind, externalId: channel, url: null, data: { users: [...invited] } }, now());
  }

  async function setTopic(incidentId: string, channel: string, text: string) {
    const kind = `${REF.channel}:topic`;
    const ref = await d.refs.get(incidentId, kind);
    if (ref?.data?.topic === text) return;
    await call("set the channel topic", () => d.client.conversations.setTopic({ channel, topic: text }));
    await d.refs.put({ incidentId, kind, externalId: channel, url: null, data: { topic: text } }, now());
  }

  async function syncControl(v: IncidentView, channel: string) {
    const msg = controlMessage(v, d.roles, d.company);
    const ref = await d.refs.get(v.incident.id, REF.control);
    if (ref?.externalId) {
      await call("update the control message", () =>
        d.client.chat.update({ channel, ts: ref.externalId, text: msg.text, blocks: msg.blocks }),
      );
      // Pinning may have failed after the post (a rate limit): the retry pins it.
      if (!ref.data?.pinned) await pin(v.incident.id, channel, ref.externalId);
      return;
    }
    const posted = await postOnce(d.client, d.refs, {
      incidentId: v.incident.id,
      refKind: REF.control,
      channel,
      msg,
      now: now(),
    });
    await pin(v.incident.id, channel, posted.ts);
  }

  async function pin(incidentId: string, channel: string, ts: string) {
    try {
      await d.client.pins.add({ channel, timestamp: ts });
    } catch (e) {
      if (slackErrorCode(e) !== "already_pinned") throw slackFailure(e, "pin the control message");
    }
    const ref = await d.refs.get(incidentId, REF.control);
    if (ref) await d.refs.put({ ...ref, data: { ...(ref.data ?? {}), pinned: true } }, now());
  }

  /**
   * Repair: the recorded channel may have been archived (unarchive it) or
   * deleted (forget it and everything in it, so it is made again with its
   * members, topic, control message and bookmarks). Returns what it fixed.
   */
  async function repairChannel(incidentId: string): Promise<RepairFix | null> {
    const channel = await channelOf(incidentId);
    if (!channel) return null;
    let archived = false;
    try {
      const info = await d.client.conversations.info({ channel });
      archived = !!info.channel?.is_archived;
    } catch (e) {
      if (slackErrorCode(e) !== "channel_not_found") throw slackFailure(e, "look at the incident channel");
      const at = now();
      const forget = (kind: string, data: Record<string, unknown> | null = null) =>
        d.refs.put({ incidentId, kind, externalId: "", url: null, data }, at);
      await forget(REF.channel);
      await forget(REF.control);
      await forget(`${REF.channel}:invited`, { users: [] });
      await forget(`${REF.channel}:topic`);
      for (const [kind] of BOOKMARKS) await forget(REF.bookmark(kind));
      return "channel_recreated";
    }
    if (!archived) return null;
    await call("unarchive the incident channel", () => d.client.conversations.unarchive({ channel }));
    return "channel_unarchived";
  }

  /** Posts once in the incident channel; the IC gets it by DM when there is no channel (or it is gone). */
  async function tellChannelOrIc(s: IncidentSummary, jobId: number, msg: Msg) {
    const channel = await channelOf(s.incident.id);
    if (channel) {
      try {
        await postOnce(d.client, d.refs, {
          incidentId: s.incident.id,
          refKind: REF.message(`job:${jobId}`),
          channel,
          msg,
          now: now(),
        });
        return;
      } catch (e) {
        if (!(e instanceof GiveUp)) throw e;
      }
    }
    const ic = commanderId(s.roles);
    if (ic) await dm(s.incident.id, ic, REF.message(`job:${jobId}:dm`), msg);
  }

  /** The vendor check an event names, while it still waits for an answer. */
  async function pendingCheck(incidentId: string, data: Record<string, unknown>) {
    const record = await d.store.loadIncidentById(incidentId);
    const check = record?.vendorChecks.find((c) => c.id === data.vendorCheckId);
    return check?.answer === "pending" ? check : null;
  }

  /** A person's Slack time zone, cached: people travel, so it is read again after a while. */
  const zones = new Map<string, { tz: string; until: number }>();
  async function timeZoneOf(userId: string): Promise<string> {
    const hit = zones.get(userId);
    if (hit && hit.until > now().getTime()) return hit.tz;
    const r = await call("read the person's time zone", () => d.client.users.info({ user: userId }));
    const tz = r.user?.tz || "UTC";
    zones.set(userId, { tz, until: now().getTime() + (d.tzCacheMs ?? 6 * 60 * 60_000) });
    return tz;
  }

  /** The escalation contacts: ESCALATION_USERS and the members of ESCALATION_USERGROUP. */
  async function leadership(): Promise<Set<string>> {
    const recipients = new Set(d.escalation.users);
    if (d.escalation.usergroup) {
      const r = await call("read the leadership group", () =>
        d.client.usergroups.users.list({ usergroup: d.escalation.usergroup! }),
      );
      for (const u of r.users ?? []) recipients.add(u);
    }
    return recipients;
  }

  const responders = (s: IncidentSummary) => [s.incident.declaredBy, ...s.roles.map((r) => r.userId)];

  /**
   * A DM, posted once per `refKind`. With `quiet`, it passes the quiet gate
   * first: held back (sent: false, and when the gate reopens) if this person
   * had a DM of that kind about this incident within the interval. The gate
   * is kept in the database, so it holds across restarts and processes.
   */
  async function dm(
    incidentId: string,
    userId: string,
    refKind: string,
    msg: Msg,
    quiet?: QuietKind,
  ): Promise<{ sent: true } | { sent: false; until: Date }> {
    if (quiet && !(await d.refs.get(incidentId, refKind))?.externalId) {
      const gate = await d.refs.claimWindow(
        incidentId,
        `quiet:${userId}:${quiet}`,
        refKind,
        now(),
        d.quietMs ?? DEFAULT_QUIET_MS,
      );
      if (!gate.ok) return { sent: false, until: gate.until };
    }
    const channel = await dmChannel(d.client, userId);
    await postOnce(d.client, d.refs, { incidentId, refKind, channel, msg, now: now() });
    return { sent: true };
  }

  const handlers: KindHandlers<SlackKind> = {
    async "slack.create_channel"({ job, payload }) {
      const s = await summary(job);
      const fixed = payload.repair ? await repairChannel(s.incident.id) : null;
      const channel = await ensureChannel(s.incident);
      const v = await view(s);
      await Promise.all([
        invite(s.incident.id, channel, responders(s)),
        setTopic(s.incident.id, channel, topic(v, d.company)),
        syncControl(v, channel),
      ]);
      const followUps: NewJob[] = [{ incidentId: s.incident.id, kind: "slack.sync_bookmarks", payload: {} }];
      if (fixed) followUps.push({ incidentId: s.incident.id, kind: "slack.repair_report", payload: { fixed } });
      // The issue and the doc link to the channel once it exists.
      followUps.push({ incidentId: s.incident.id, kind: "github.sync_issue", payload: {} });
      followUps.push({ incidentId: s.incident.id, kind: "google.sync_doc", payload: {} });
      return followUps;
    },

    async "slack.sync_announcement"({ job, payload }) {
      const s = await summary(job);
      const v = await view(s);
      const channel = await announcementChannel();
      const msg = announcement(v, d.company);
      const ref = await d.refs.get(s.incident.id, REF.announcement);
      let ts: string;
      if (ref?.externalId) {
        ts = ref.externalId;
        await call("update the announcement", () =>
          d.client.chat.update({ channel, ts, text: msg.text, blocks: msg.blocks }),
        );
      } else {
        ts = (
          await postOnce(d.client, d.refs, {
            incidentId: s.incident.id,
            refKind: REF.announcement,
            channel,
            msg,
            now: now(),
          })
        ).ts;
      }
      const updateId = payload.statusUpdateId;
      // A private incident's announcement says nothing about its content, its thread neither.
      if (typeof updateId === "string" && !s.incident.private) {
        const update = await d.store.findStatusUpdate(updateId);
        if (update) {
          await postOnce(d.client, d.refs, {
            incidentId: s.incident.id,
            refKind: REF.message(`summary:${update.id}`),
            channel,
            threadTs: ts,
            msg: statusUpdateSummary(s.incident, update, d.company),
            now: now(),
          });
        }
      }
      return [];
    },

    async "slack.sync_channel"({ job }) {
      const s = await summary(job);
      const channel = await channelOf(s.incident.id);
      if (!channel) return [];
      const v = await view(s);
      await Promise.all([
        invite(s.incident.id, channel, responders(s)),
        setTopic(s.incident.id, channel, topic(v, d.company)),
        syncControl(v, channel),
      ]);
      return [];
    },

    async "slack.sync_bookmarks"({ job, payload }) {
      const s = await summary(job);
      const channel = await channelOf(s.incident.id);
      if (!channel) return [];
      const refs = await d.refs.all(s.incident.id);
      // Repair: bookmarks someone removed are added again.
      const present = payload.repair
        ? new Set(
            (
              (await call("list bookmarks", () => d.client.bookmarks.list({ channel_id: channel }))).bookmarks ?? []
            ).map((b) => b.link),
          )
        : null;
      let readded = 0;
      for (const [kind, title] of BOOKMARKS) {
        const target = refs.get(kind);
        if (!target?.externalId || !target.url) continue;
        const bookmarkKind = REF.bookmark(kind);
        let mark = refs.get(bookmarkKind);
        // The issue or doc was made again (repair): its bookmark follows it.
        if (mark?.externalId && mark.url && mark.url !== target.url && present?.has(mark.url) !== false) {
          await call("update a bookmark", () =>
            d.client.bookmarks.edit({ channel_id: channel, bookmark_id: mark!.externalId, link: target.url! }),
          );
          await d.refs.put({ ...mark, url: target.url }, now());
          continue;
        }
        if (mark?.externalId && present && !present.has(target.url)) {
          mark = { ...mark, externalId: "" };
          await d.refs.put(mark, now());
          readded++;
        }
        if (mark?.externalId) continue;
        const fresh = mark ? false : await d.refs.markIntent(s.incident.id, bookmarkKind, now());
        let id: string | null = null;
        if (!fresh) {
          const list = await call("list bookmarks", () => d.client.bookmarks.list({ channel_id: channel }));
          id = list.bookmarks?.find((b) => b.link === target.url)?.id ?? null;
        }
        if (!id) {
          const r = await call("add a bookmark", () =>
            d.client.bookmarks.add({ channel_id: channel, title, type: "link", link: target.url! }),
          );
          id = r.bookmark?.id ?? "added";
        }
        await d.refs.put(
          { incidentId: s.incident.id, kind: bookmarkKind, externalId: id, url: target.url, data: null },
          now(),
        );
      }
      // The control message shows the links too.
      await syncControl(await view(s), channel);
      return readded
        ? [
            {
              incidentId: s.incident.id,
              kind: "slack.repair_report",
              payload: { fixed: "bookmarks_readded", count: readded },
            },
          ]
        : [];
    },

    /**
     * A checklist (checklists.ts) in the incident channel: posted once, then
     * updated in place as items are ticked. The resolution checklist of a
     * later resolve (after a reopen) is a new message.
     */
    async "slack.checklist"({ job, payload }) {
      const s = await summary(job);
      const channel = await channelOf(s.incident.id);
      if (!channel) return [];
      let list = payload.list;
      if (!list && payload.eventId !== undefined) {
        const event = await d.store.findEvent(payload.eventId);
        list = event?.data.list === "comms" ? "comms" : "recovery";
      }
      const record = await d.store.loadIncidentById(s.incident.id);
      if (!record) return [];
      let msg: Msg;
      let refKind: string;
      if (list === "comms") {
        const comms = commsChecklist(record.timeline);
        if (!comms.resolvedAt || comms.legacy) return [];
        msg = commsMessage(record.incident, comms);
        refKind = REF.message(`checklist:comms:${comms.resolvedAt.getTime()}`);
      } else {
        msg = recoveryMessage(record.incident, recoveryChecklist(record.timeline));
        refKind = REF.message("checklist:recovery");
      }
      const ref = await d.refs.get(s.incident.id, refKind);
      if (ref?.externalId) {
        await call("update the checklist", () =>
          d.client.chat.update({
            channel: String(ref.data?.channel ?? channel),
            ts: ref.externalId,
            text: msg.text,
            blocks: msg.blocks,
          }),
        );
      } else {
        await postOnce(d.client, d.refs, { incidentId: s.incident.id, refKind, channel, msg, now: now() });
      }
      return [];
    },

    async "slack.post_event"({ job, payload, logger }) {
      const s = await summary(job);
      const channel = await channelOf(s.incident.id);
      if (!channel) {
        logger.info("no incident channel; the event stays on the timeline only");
        return [];
      }
      const event = await d.store.findEvent(payload.eventId);
      if (!event) return [];
      let msg: Msg | null = null;
      if (event.kind === "status_update") {
        const update = await d.store.findStatusUpdate(String(event.data.statusUpdateId ?? ""));
        if (update) msg = statusUpdateMessage(s.incident, update, d.company);
      } else if (event.kind === "vendor_check_requested") {
        const check = await pendingCheck(s.incident.id, event.data);
        const text = eventText(event, d.roles, d.company);
        msg = check ? vendorCheckMessage(s.incident, check, event.actorId) : text ? plainMessage(text) : null;
      } else {
        const text = eventText(event, d.roles, d.company);
        if (text) msg = plainMessage(text);
      }
      if (msg)
        await postOnce(d.client, d.refs, {
          incidentId: s.incident.id,
          refKind: REF.message(`event:${event.id}`),
          channel,
          msg,
          now: now(),
        });
      return [];
    },

    async "slack.notify_user"({ job, payload }) {
      const s = await summary(job);
      const { userId } = payload;
      if (!userId) return [];
      const refKind = REF.message(`job:${job.id}`);
      if (payload.role !== undefined) {
        const role = d.roles.find((r) => r.key === payload.role);
        const channel = await channelOf(s.incident.id);
        if (role) await dm(s.incident.id, userId, refKind, roleMessage(s.incident, role, channel));
        if (channel) await invite(s.incident.id, channel, [userId]);
        return [];
      }
      if (payload.handoffId !== undefined) {
        const handoff = await d.store.findHandoff(payload.handoffId);
        if (!handoff) return [];
        const msg =
          handoff.status === "pending" && handoff.toUserId === userId
            ? handoffRequest(s.incident, handoff)
            : handoffAnswered(s.incident, handoff);
        await dm(s.incident.id, userId, refKind, msg);
      }
      return [];
    },

    async "slack.escalate"({ job, payload }) {
      const s = await summary(job);
      const event = await d.store.findEvent(payload.eventId);
      const reason = typeof event?.data.reason === "string" ? event.data.reason : "";
      const recipients = await leadership();
      if (!recipients.size)
        throw new GiveUp("no leadership is configured to escalate to (ESCALATION_USERS or ESCALATION_USERGROUP)");
      const channel = await channelOf(s.incident.id);
      const escalationId = typeof event?.data.escalationId === "string" ? event.data.escalationId : null;
      const msg = escalationBrief(
        s.incident,
        s.roles,
        event?.actorId ?? s.incident.declaredBy,
        reason,
        channel,
        d.company,
        escalationId,
      );
      for (const u of recipients) await dm(s.incident.id, u, REF.message(`job:${job.id}:${u}`), msg);
      return [];
    },

    /**
     * A hand-off nobody has answered: the proposing IC (DM) and the channel
     * hear about it after the timeout, then after twice and four times as
     * long again, three times at most; an answer or a newer proposal ends it.
     * Each reminder is named by the hand-off and its number, so a link run
     * twice posts once.
     */
    async "slack.handoff_reminder"({ job, payload }) {
      const s = await summary(job);
      const handoff = await d.store.findHandoff(payload.handoffId);
      if (handoff?.status !== "pending" || !isOpen(s.incident.status)) return [];
      const n = payload.n ?? 0;
      // On time, the reminders come after T, 3T and 7T; after downtime, later.
      const scheduledMs = d.handoffTimeoutMs * (2 ** (n + 1) - 1);
      const minutes = Math.round(Math.max(now().getTime() - handoff.proposedAt.getTime(), scheduledMs) / 60_000);
      const msg = handoffOverdue(s.incident, handoff, minutes);
      const name = `handoff:${handoff.id}:${n}`;
      // Held back by the quiet gate (a short HANDOFF_TIMEOUT_MINUTES): the channel still hears.
      await dm(s.incident.id, handoff.fromUserId, REF.message(name), msg, "handoff_reminder");
      const channel = await channelOf(s.incident.id);
      if (channel)
        await postOnce(d.client, d.refs, {
          incidentId: s.incident.id,
          refKind: REF.message(`${name}:channel`),
          channel,
          msg,
          now: now(),
        });
      if (n + 1 >= HANDOFF_REMINDER_CAP) return [];
      return [
        {
          incidentId: s.incident.id,
          kind: "slack.handoff_reminder",
          payload: { handoffId: handoff.id, n: n + 1 },
          delayMs: d.handoffTimeoutMs * 2 ** (n + 1),
        },
      ];
    },

    /** What is owed: in the channel on resolve, and to the owner by DM (a new owner: the DM only). */
    async "slack.postmortem_owed"({ job, payload }) {
      const s = await summary(job);
      const pm = await d.store.findPostmortem(s.incident.id);
      if (pm?.status !== "draft" || !pm.ownerId) return [];
      const links = await linksOf(d, s.incident.id);
      const reason = payload.owed ?? null;
      const msg = postmortemOwed(s.incident, pm, links.postmortemDocUrl, reason);
      const channel = await channelOf(s.incident.id);
      if (channel && payload.eventId === undefined)
        await postOnce(d.client, d.refs, {
          incidentId: s.incident.id,
          refKind: REF.message(`job:${job.id}`),
          channel,
          msg,
          now: now(),
        });
      await dm(s.incident.id, pm.ownerId, REF.message(`job:${job.id}:dm`), msg);
      return [];
    },

    /**
     * Queued by muster versions before the nudge rules: the vendor-check rule
     * (nudges.ts) now says when to raise it, so the old job only restarts the
     * incident's nudge timer, which raises it if it is still waiting.
     */
    async "slack.vendor_deadline"({ job }) {
      const s = await summary(job);
      return [{ incidentId: s.incident.id, kind: "slack.nudge_due", payload: {} }];
    },

    /** A reminder link came due: the domain decides (owed? stale? weekend?) in the owner's zone. */
    async "slack.postmortem_reminder_due"({ job, payload }) {
      const s = await summary(job);
      const pm = await d.store.findPostmortem(s.incident.id);
      // Complete, waived or ownerless: the chain ends here, without asking Slack anything.
      if (pm?.status !== "draft" || !pm.ownerId) return [];
      await d.remindPostmortem(s.incident.id, payload, await timeZoneOf(pm.ownerId));
      return [];
    },

    /** The reminder (to the owner) or the escalation (to the lead, the IC in copy) the timeline recorded. */
    async "slack.postmortem_reminder"({ job, payload, logger }) {
      const s = await summary(job);
      const event = await d.store.findEvent(payload.eventId);
      const pm = await d.store.findPostmortem(s.incident.id);
      // Written or waived since: the reminder has lost its reason.
      if (!event || pm?.status !== "draft") return [];
      const ownerId = typeof event.data.ownerId === "string" ? event.data.ownerId : null;
      if (!ownerId) return [];
      const { postmortemDocUrl } = await linksOf(d, s.incident.id);
      if (event.kind === "postmortem_reminded") {
        const n = typeof event.data.n === "number" ? event.data.n : 1;
        const sent = await dm(
          s.incident.id,
          ownerId,
          REF.message(`event:${event.id}`),
          postmortemReminder(s.incident, postmortemDocUrl, n),
          "postmortem_reminder",
        );
        // The chain spaces reminders by business days; only a snooze race could land two in one interval.
        if (!sent.sent) logger.debug({ until: sent.until }, "post-mortem reminder held back by the quiet gate");
      } else if (event.kind === "postmortem_escalated") {
        const commander = commanderId(s.roles);
        const leads = d.postmortemLeads?.length ? new Set(d.postmortemLeads) : await leadership();
        if (commander) leads.add(commander);
        const days = typeof event.data.deadlineDays === "number" ? event.data.deadlineDays : 0;
        const msg = postmortemOverdue(s.incident, ownerId, commander, days, postmortemDocUrl);
        for (const u of leads) await dm(s.incident.id, u, REF.message(`event:${event.id}:${u}`), msg);
      }
      return [];
    },

    /**
     * The nudges (nudges.ts): each gap's nudge when it is due, in the channel
     * or by DM, then the next link at the earliest next one. One timer per
     * incident: an event that may open or close a gap restarts it (no token),
     * keeping what was already said so that caps and backoff hold across
     * restarts. A DM held by the quiet gate is tried again when it reopens.
     */
    async "slack.nudge_due"({ job, payload, logger }) {
      const s = await summary(job);
      const id = s.incident.id;
      const chain = await d.refs.get(id, NUDGE_CHAIN_REF);
      let token = payload.token;
      if (!token) {
        token = randomUUID();
        await d.refs.put(
          { incidentId: id, kind: NUDGE_CHAIN_REF, externalId: token, url: null, data: chain?.data ?? null },
          now(),
        );
      } else if (chain?.externalId !== token) return [];
      const record = await d.store.loadIncidentById(id);
      if (!record) return [];
      const policy = (d.company ?? DEFAULT_COMPANY_POLICY).nudges;
      const said = nudgeState(chain?.data ?? null);
      const zones = new Map<string, string>();
      for (const f of record.followUps)
        if (f.status === "open" && f.dueDate && !zones.has(f.ownerId))
          zones.set(f.ownerId, await timeZoneOf(f.ownerId));
      const t = now();
      const nudges = nextNudges(record, said, policy, zones);
      const wake: Date[] = nudges.filter((n) => n.at > t).map((n) => n.at);
      const due = nudges.filter((n) => n.at <= t);
      const commander = commanderId(s.roles);
      const done: Nudge[] = [];
      const undeliverable: Nudge[] = [];

      const inChannel = due.filter((n) => "channel" in n.to);
      // No channel (yet, or any more): those wait for the next restart of the timer.
      const channel = inChannel.length ? await channelOf(id) : null;
      for (const n of channel ? inChannel : []) {
        const check = n.what === "vendor_overdue" ? record.vendorChecks.find((c) => c.id === n.subject) : null;
        await postOnce(d.client, d.refs, {
          incidentId: id,
          refKind: REF.message(`nudge:${gapKey(n)}:${n.since.getTime()}:${n.n}`),
          channel: channel!,
          msg: check
            ? vendorCheckOverdue(record.incident, check)
            : n.what === "comms_untold"
              ? commsNudge(record.incident, commsChecklist(record.timeline), commander, n.since, t)
              : nudgeMessage(record.incident, n, commander, t),
          now: t,
        });
        done.push(n);
      }

      // A person owed several nudges hears of them in one DM.
      const byPerson = new Map<string, Nudge[]>();
      for (const n of due) if ("userId" in n.to) byPerson.set(n.to.userId, [...(byPerson.get(n.to.userId) ?? []), n]);
      for (const [userId, ns] of byPerson) {
        const which = createHash("sha256")
          .update(ns.map((n) => `${gapKey(n)}:${n.since.getTime()}:${n.n}`).join(","))
          .digest("hex")
          .slice(0, 24);
        const refs = await d.refs.all(id);
        const urls = new Map<string, string>();
        for (const n of ns) {
          const url = refs.get(REF.followUpIssue(n.subject))?.url;
          if (url) urls.set(n.subject, url);
        }
        const overdue = ns
          .map((n) => record.followUps.find((f) => f.id === n.subject))
          .filter((f): f is NonNullable<typeof f> => !!f);
        let sent: Awaited<ReturnType<typeof dm>>;
        try {
          sent = await dm(
            id,
            userId,
            REF.message(`nudge:dm:${userId}:${which}`),
            followUpsOverdue(record.incident, overdue, urls),
            "nudge",
          );
        } catch (e) {
          // One person Slack will never reach (deactivated, a bot) must not
          // stop every other nudge of the incident: the job would give up and
          // its timer end with it. Their nudge counts as said (its backoff and
          // cap still hold), without a `nudged` event, since nobody was told.
          if (!(e instanceof GiveUp)) throw e;
          logger.warn({ reason: e.userMessage }, "a nudge DM cannot be delivered; the other nudges go on");
          for (const n of ns) undeliverable.push(n);
          continue;
        }
        if (sent.sent) done.push(...ns);
        else wake.push(sent.until);
      }
      for (const n of undeliverable) {
        said.set(gapKey(n), { since: n.since, n: n.n + 1, lastAt: t });
        const after = nextNudgeFor(n, said.get(gapKey(n)), policy.cap);
        if (after) wake.push(after.at);
      }

      for (const n of done) {
        await d.recordNudge(
          id,
          {
            what: n.what,
            n: n.n + 1,
            ...(n.subject ? { subject: n.subject } : {}),
            ...("userId" in n.to ? { userId: n.to.userId } : {}),
          },
          `nudge:${id}:${gapKey(n)}:${n.since.getTime()}:${n.n}`,
        );
        said.set(gapKey(n), { since: n.since, n: n.n + 1, lastAt: t });
        const after = nextNudgeFor(n, said.get(gapKey(n)), policy.cap);
        if (after) wake.push(after.at);
      }
      // The insufficient-response rules ride on the same timer: each fires once per condition;
      // those coming due together make one offer.
      const triggers = insufficientTriggers(record, (d.company ?? DEFAULT_COMPANY_POLICY).escalation, policy);
      const fired = new Set(Array.isArray(chain?.data?.fired) ? (chain.data.fired as string[]) : []);
      const firing = triggers.filter((x) => x.at <= t && !fired.has(triggerKey(x)));
      if (firing.length) {
        const keys = firing.map(triggerKey);
        await d.proposeEscalation(
          id,
          { rules: firing.map((x) => x.rule), missing: firing.map((x) => x.missing).join("; ") },
          `insufficient:${id}:${keys.join(",")}`,
        );
        for (const k of keys) fired.add(k);
      }
      for (const x of triggers) if (x.at > t && !fired.has(triggerKey(x))) wake.push(x.at);
      const stillFired = triggers.map(triggerKey).filter((k) => fired.has(k));

      // Only the gaps that are still open are remembered.
      const open = new Set(nudges.map(gapKey));
      const kept = Object.fromEntries(
        [...said]
          .filter(([k]) => open.has(k))
          .map(([k, v]) => [k, { since: v.since.toISOString(), n: v.n, lastAt: v.lastAt.toISOString() }]),
      );
      await d.refs.put(
        {
          incidentId: id,
          kind: NUDGE_CHAIN_REF,
          externalId: token,
          url: null,
          data: { said: kept, fired: stillFired },
        },
        now(),
      );
      if (!wake.length) return [];
      const next = Math.min(...wake.map((w) => w.getTime()));
      return [
        { incidentId: id, kind: "slack.nudge_due", payload: { token }, delayMs: Math.max(1, next - t.getTime()) },
      ];
    },

    /** The IC is offered an escalation (a rule held): the drafted brief, the buttons; not once answered or over. */
    async "slack.escalation_offer"({ job, payload }) {
      const s = await summary(job);
      const record = await d.store.loadIncidentById(s.incident.id);
      const proposal = record?.timeline.find((e) => e.id === payload.eventId && e.kind === "escalation_proposed");
      const ic = commanderId(s.roles);
      if (!record || !proposal || !ic || !isOpen(s.incident.status)) return [];
      if (record.timeline.some((e) => e.data.proposalEventId === proposal.id)) return [];
      const lastUpdate = record.statusUpdates.reduce<(typeof record.statusUpdates)[number] | null>(
        (a, u) => (!a || u.postedAt > a.postedAt ? u : a),
        null,
      );
      const msg = escalationOffer(
        s.incident,
        {
          proposalEventId: proposal.id,
          missing: String(proposal.data.missing ?? ""),
          lastUpdate,
          withinMs: Number(proposal.data.answerWithinMs ?? 0),
          now: now(),
        },
        d.company,
      );
      await dm(s.incident.id, ic, REF.message(`event:${proposal.id}`), msg);
      return [];
    },

    async "slack.escalation_due"({ job, payload }) {
      const s = await summary(job);
      await d.autoEscalate(s.incident.id, payload.eventId);
      return [];
    },

    /**
     * The end-of-day timer: one per incident, restarted (no token) whenever
     * the IC or the incident's state changes or the IC stays on; a link whose
     * token was replaced does nothing. Each link reads the IC's zone and
     * hours, records what is due (once per round: the idempotency key names
     * it) and queues the next link for the next thing due.
     */
    async "slack.day_end_due"({ job, payload }) {
      const s = await summary(job);
      const id = s.incident.id;
      let token = payload.token;
      let chainStart = now();
      if (!token) {
        token = randomUUID();
        await d.refs.put(
          {
            incidentId: id,
            kind: DAY_END_CHAIN_REF,
            externalId: token,
            url: null,
            data: { since: chainStart.toISOString() },
          },
          now(),
        );
      } else {
        const chain = await d.refs.get(id, DAY_END_CHAIN_REF);
        if (chain?.externalId !== token) return [];
        chainStart = new Date(String(chain.data?.since ?? now().toISOString()));
      }
      const ic = s.roles.find((r) => r.role === COMMANDER);
      if (!isOpen(s.incident.status) || !ic) return [];
      const [{ tz, unknown }, hours, record] = await Promise.all([
        zoneForDayEnd(ic.userId),
        hoursOf([ic.userId]),
        d.store.loadIncidentById(id),
      ]);
      if (!record) return [];
      const events = record.timeline.filter((e) => (DAY_END_EVENTS as readonly string[]).includes(e.kind));
      const state = { icId: ic.userId, icSince: ic.assignedAt, chainStart, hours: hours.get(ic.userId)!, tz, events };
      const step = dayEndStep({ ...state, now: now() });
      const link = (at: Date): NewJob[] => [
        {
          incidentId: id,
          kind: "slack.day_end_due",
          payload: { token },
          delayMs: Math.max(1, at.getTime() - now().getTime()),
        },
      ];
      if (step.action === "wait") return link(step.at);
      const round = step.round.toISOString();
      const recorded = await d.recordDayEnd(
        id,
        {
          icId: ic.userId,
          action: step.action,
          round,
          deadline: step.deadline.toISOString(),
          tz,
          ...(unknown ? { tzUnknown: true } : {}),
        },
        `day_end:${id}:${ic.userId}:${round}:${step.action}`,
      );
      if (!recorded) return [];
      const kind = step.action === "remind" ? "day_end_reminded" : "day_end_unanswered";
      const after = dayEndStep({
        ...state,
        events: [...events, { kind, at: now(), data: { icId: ic.userId, round } }],
        now: now(),
      });
      return after.action === "wait" ? link(after.at) : link(now());
    },

    /** The end-of-day DM to the IC; for a Critical or High day that ended unanswered, the escalation contacts. */
    async "slack.day_end_message"({ job, payload }) {
      const s = await summary(job);
      const event = await d.store.findEvent(payload.eventId);
      const icId = typeof event?.data.icId === "string" ? event.data.icId : null;
      // Resolved, or the role moved on since: the message has lost its reason.
      if (!event || !icId || !isOpen(s.incident.status) || commanderId(s.roles) !== icId) return [];
      if (event.kind === "day_end_reminded") {
        const tz = String(event.data.tz ?? "UTC");
        const endsAt = new Date(String(event.data.deadline));
        const local = DateTime.fromJSDate(endsAt, { zone: tz });
        const msg = dayEndAsk(s.incident, {
          endsAt,
          localEnd: local.isValid ? minuteWords(local.hour * 60 + local.minute) : endsAt.toISOString().slice(11, 16),
          tz,
          tzUnknown: event.data.tzUnknown === true,
          suggested: await successors(s.incident.id, icId),
        });
        await dm(s.incident.id, icId, REF.message(`event:${event.id}`), msg);
      } else if (event.kind === "day_end_unanswered" && DAY_END_ESCALATES.includes(s.incident.severity)) {
        const msg = dayEndEscalation(s.incident, icId, await channelOf(s.incident.id), d.company);
        for (const u of await leadership())
          if (u !== icId) await dm(s.incident.id, u, REF.message(`event:${event.id}:${u}`), msg);
      }
      return [];
    },

    /** Tells the incident channel (or the IC, without one) what a repair fixed. */
    async "slack.repair_report"({ job, payload }) {
      const s = await summary(job);
      const msg = repairReport(s.incident, payload.fixed, payload.count ?? 1);
      await tellChannelOrIc(s, job.id, msg);
      return [];
    },

    async "slack.job_failed"({ job, payload }) {
      const s = await summary(job);
      const msg = jobFailedMessage(s.incident, commanderId(s.roles), payload.what, payload.jobId);
      await tellChannelOrIc(s, job.id, msg);
      return [];
    },
  };
  /** The IC's zone for the end of their day; UTC (said in the DM) when Slack will not tell. */
  async function zoneForDayEnd(userId: string): Promise<{ tz: string; unknown: boolean }> {
    const hit = zones.get(userId);
    if (hit && hit.until > now().getTime()) return { tz: hit.tz, unknown: false };
    try {
      const r = await d.client.users.info({ user: userId });
      if (!r.user?.tz) return { tz: "UTC", unknown: true };
      zones.set(userId, { tz: r.user.tz, until: now().getTime() + (d.tzCacheMs ?? 6 * 60 * 60_000) });
      return { tz: r.user.tz, unknown: false };
    } catch (e) {
      // Rate limits and outages are retried; a refusal (a deleted user, a missing scope) is not worth stalling for.
      if (!slackErrorCode(e)) throw slackFailure(e, "read the IC's time zone");
      return { tz: "UTC", unknown: true };
    }
  }

  async function hoursOf(userIds: string[]): Promise<Map<string, WorkingHours>> {
    const set = await d.store.workingHoursOf(userIds);
    return new Map(userIds.map((u) => [u, set.get(u) ?? DEFAULT_WORKING_HOURS]));
  }

  /**
   * Who could take over now: members of the incident channel (and the
   * on-call group) whose working hours are going on, on-call first.
   */
  async function successors(incidentId: string, icId: string): Promise<string[]> {
    const channel = await channelOf(incidentId);
    const members = channel
      ? ((await call("list the channel's members", () => d.client.conversations.members({ channel, limit: 200 })))
          .members ?? [])
      : [];
    let oncall: string[] = [];
    if (d.oncallUsergroup) {
      const group = d.oncallUsergroup;
      oncall =
        (await call("read the on-call group", () => d.client.usergroups.users.list({ usergroup: group }))).users ?? [];
    }
    const me = await botUser();
    const candidates = [...new Set([...oncall, ...members])].filter((u) => u !== icId && u !== me).slice(0, 40);
    const hours = await hoursOf(candidates);
    const working: string[] = [];
    for (const u of candidates) {
      const { tz, unknown } = await zoneForDayEnd(u);
      if (!unknown && inWorkingHours(now(), hours.get(u)!, tz)) working.push(u);
    }
    return working.slice(0, 5);
  }

  return jobHandlers(handlers);
}

/** A pending hand-off is raised this many times at most. */
const HANDOFF_REMINDER_CAP = 3;

/** The incident's end-of-day timer: its current token, and since when it runs. */
const DAY_END_CHAIN_REF = "slack_day_end";

/** The incident's nudge timer: its current token, and what was already said about each gap (by `gapKey`). */
const NUDGE_CHAIN_REF = "slack_nudges";

function nudgeState(data: Record<string, unknown> | null): Map<string, NudgeState> {
  const out = new Map<string, NudgeState>();
  const read = (key: string, v: unknown) => {
    const o = (v ?? {}) as Record<string, unknown>;
    const since = new Date(String(o.since));
    const lastAt = new Date(String(o.lastAt));
    const n = Number(o.n);
    if (Number.isNaN(since.getTime()) || Number.isNaN(lastAt.getTime()) || !Number.isInteger(n)) return;
    out.set(key, { since, lastAt, n });
  };
  if (!data) return out;
  // Written before the rules table: one gap, { what, since, n, lastAt }.
  if (data.what === "classify" || data.what === "update") read(`${data.what}:`, data);
  if (data.said && typeof data.said === "object")
    for (const [k, v] of Object.entries(data.said as Record<string, unknown>)) read(k, v);
  return out;
}
