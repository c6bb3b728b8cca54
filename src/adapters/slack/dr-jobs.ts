// The outbox's BCP/DR jobs: the yearly duties' reminder chain and notices,
// and the risk register's review reminders. Like every handler, each can run
// again after a crash or a retry without saying anything twice.
import type { WebClient } from "@slack/web-api";
import { DUTIES, isDutyKey, NEVER_DONE_DUE } from "../../dr/duties.js";
import type { DutyStore } from "../../dr/ports.js";
import type { DutyService } from "../../dr/service.js";
import type { IncidentStore } from "../../incidents/ports.js";
import { type DrKind, jobHandlers } from "../../jobs/kinds.js";
import type { RefStore } from "../../jobs/ports.js";
import { REF } from "../../jobs/refs.js";
import type { JobHandler } from "../../jobs/worker.js";
import { METADATA_EVENT } from "../../slack/ids.js";
import { dutyOverdue, dutyReminder, riskReviewReminder } from "../../slack/views/dr.js";
import { call, dmChannel, type Msg, postOnce, settingsChannel } from "./client.js";

export interface DrJobDeps {
  client: WebClient;
  duties: DutyService;
  dutyStore: DutyStore;
  store: IncidentStore;
  refs: RefStore;
  /** Name or id of the channel told about overdue duties. */
  drChannel: string;
  clock?: () => Date;
}

export function drJobHandlers(d: DrJobDeps): Record<DrKind, JobHandler> {
  const now = () => (d.clock ?? (() => new Date()))();

  /** The DR channel's id; muster joins it the first time (public channels). */
  const drChannel = settingsChannel(d.client, d.drChannel, "DR_CHANNEL, or INCIDENT_CHANNEL");

  /** Posts a duty notice once: its message carries the notice's id, found again if an attempt was cut short. */
  async function postNotice(noticeId: number, channel: string, msg: Msg): Promise<string> {
    if (!(await d.dutyStore.markNoticeIntent(noticeId))) {
      const r = await call("read channel history", () =>
        d.client.conversations.history({ channel, limit: 200, include_all_metadata: true }),
      );
      const hit = (
        r.messages as { ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }[]
      )?.find((m) => m.metadata?.event_type === METADATA_EVENT && m.metadata.event_payload?.duty_notice === noticeId);
      if (hit?.ts) return hit.ts;
    }
    const r = await call("post a duty notice", () =>
      d.client.chat.postMessage({
        channel,
        text: msg.text,
        blocks: msg.blocks,
        unfurl_links: false,
        metadata: { event_type: METADATA_EVENT, event_payload: { duty_notice: noticeId } },
      }),
    );
    return r.ts as string;
  }

  return jobHandlers<DrKind>({
    /** A link of a duty's reminder chain: the domain decides (stale? not yet? which notice?). */
    async "dr.duty_due"({ payload }) {
      await d.duties.remind(payload.duty, payload.seq);
      return [];
    },

    async "dr.duty_notice"({ payload }) {
      const notice = await d.dutyStore.findNotice(payload.noticeId);
      if (!notice || notice.sentTs || !isDutyKey(notice.duty)) return [];
      // Recorded since it was queued: the notice has lost its reason.
      if (!(await d.duties.noticeStillDue(notice))) return [];
      const duty = DUTIES[notice.duty];
      const dueAt = notice.dueAt.getTime() === NEVER_DONE_DUE.getTime() ? null : notice.dueAt;
      let ts: string;
      if (notice.kind === "reminder" && notice.userId) {
        const channel = await dmChannel(d.client, notice.userId);
        ts = await postNotice(notice.id, channel, dutyReminder(duty, dueAt, now()));
      } else {
        const owner = d.duties.policy.schedules[notice.duty].ownerId;
        ts = await postNotice(notice.id, await drChannel(), dutyOverdue(duty, dueAt, owner));
      }
      await d.dutyStore.markNoticeSent(notice.id, ts);
      return [];
    },

    /** A risk's review date came: its owner hears once per date, while it is open or accepted. */
    async "dr.risk_review"({ payload }) {
      const risk = await d.store.findRisk(payload.riskId);
      if (!risk?.ownerId || !risk.reviewAt) return [];
      if (risk.status !== "open" && risk.status !== "accepted") return [];
      // The date moved since this reminder was queued: a newer one is on its way.
      if (risk.reviewAt.toISOString() !== payload.reviewAt) return [];
      const channel = await dmChannel(d.client, risk.ownerId);
      await postOnce(d.client, d.refs, {
        incidentId: risk.incidentId,
        refKind: REF.message(`risk_review:${risk.id}:${payload.reviewAt}`),
        channel,
        msg: riskReviewReminder(risk),
        now: now(),
      });
      return [];
    },
  });
}
