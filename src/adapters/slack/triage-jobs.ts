// The outbox job behind a triage message: posts a report's message in the
// incident channel, or brings it up to the report's latest version with
// chat.update. Jobs of one report take turns (a lease in the database, so
// across replicas too); a job whose version is already shown does nothing,
// so an alert that flaps fifty times costs a handful of updates, not fifty
// messages. The first post carries the report's id in its metadata: an
// attempt cut short after Slack took it is found again, not posted twice.
import type { WebClient } from "@slack/web-api";
import type { IntakeStore } from "../../intake/ports.js";
import { RetryLater } from "../../jobs/errors.js";
import { type IntakeKind, jobHandlers } from "../../jobs/kinds.js";
import type { JobHandler } from "../../jobs/worker.js";
import { METADATA_EVENT } from "../../slack/ids.js";
import { triageMessage } from "../../slack/views/triage.js";
import { call, settingsChannel } from "./client.js";

export interface TriageJobDeps {
  client: WebClient;
  intake: IntakeStore;
  /** Name or id of the incident channel (#incident-response). */
  incidentChannel: string;
  clock?: () => Date;
}

/** Long enough for a post and an update under Slack's slowest answer; a crashed job's lease runs out. */
const LEASE_MS = 30_000;

export function triageJobHandlers(d: TriageJobDeps): Record<IntakeKind, JobHandler> {
  const now = () => (d.clock ?? (() => new Date()))();
  const channel = settingsChannel(d.client, d.incidentChannel, "INCIDENT_CHANNEL");

  async function findPosted(channelId: string, reportId: string): Promise<string | null> {
    const r = await call("read channel history", () =>
      d.client.conversations.history({ channel: channelId, limit: 200, include_all_metadata: true }),
    );
    const hit = (
      r.messages as { ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }[]
    )?.find((m) => m.metadata?.event_type === METADATA_EVENT && m.metadata.event_payload?.triage_report === reportId);
    return hit?.ts ?? null;
  }

  return jobHandlers<IntakeKind>({
    async "intake.sync_triage"({ payload }) {
      const id = payload.reportId;
      const seen = await d.intake.findReport(id);
      if (!seen || (seen.messageTs && seen.postedVersion >= seen.version)) return [];
      const at = now();
      if (!(await d.intake.claimSync(id, at, new Date(at.getTime() + LEASE_MS))))
        throw new RetryLater("another job is updating this triage message", 1_000);
      try {
        // The report may change while Slack answers: render again until the message shows its latest version.
        for (let round = 0; round < 5; round++) {
          const r = await d.intake.findReport(id);
          if (!r || (r.messageTs && r.postedVersion >= r.version)) break;
          const msg = triageMessage(r);
          if (r.messageTs && r.channelId) {
            await call("update the triage message", () =>
              d.client.chat.update({ channel: r.channelId!, ts: r.messageTs!, text: msg.text, blocks: msg.blocks }),
            );
            await d.intake.markPosted(id, r.channelId, r.messageTs, r.version);
            continue;
          }
          const channelId = await channel();
          const found = (await d.intake.markPostIntent(id, now())) ? null : await findPosted(channelId, id);
          if (found) {
            // Posted by an attempt cut short: keep it, and update it to this version in the next round.
            await d.intake.markPosted(id, channelId, found, -1);
            continue;
          }
          const posted = await call("post the triage message", () =>
            d.client.chat.postMessage({
              channel: channelId,
              text: msg.text,
              blocks: msg.blocks,
              unfurl_links: false,
              unfurl_media: false,
              metadata: { event_type: METADATA_EVENT, event_payload: { triage_report: id } },
            }),
          );
          await d.intake.markPosted(id, (posted.channel as string) ?? channelId, posted.ts as string, r.version);
        }
      } finally {
        await d.intake.releaseSync(id);
      }
      return [];
    },
  });
}
