// After a reliability run: counts what the people were told (acknowledged)
// against what muster stored and what it made in Slack, GitHub and Google.
// Each check is a line of the report; a run passes when every check holds.

import { eventMarker } from "../../src/adapters/github/render.js";
import type { Job } from "../../src/jobs/ports.js";
import { connect, targetFor } from "../../src/store/open-store.js";
import { createPrismaJobStore } from "../../src/store/prisma-job-store.js";
import { missing, type Services } from "../helpers/complete.js";
import type { LoadRecord } from "./people.js";

export interface Check {
  ok: boolean;
  what: string;
  detail: string;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : 0;
};

function tally<T>(xs: T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}
const dups = <T>(xs: T[]) => [...tally(xs).values()].filter((c) => c > 1).reduce((a, c) => a + c - 1, 0);
const dupExamples = <T>(xs: T[]) => [...tally(xs).entries()].filter(([, c]) => c > 1).map(([x]) => String(x));

/**
 * Jobs the outbox still owes: due, running, or waiting to retry after a
 * failure. Only timers set for later (a reminder due in an hour) are not
 * owed. A retry's backoff also puts its runAt in the future, and counting it
 * as finished made incidents look lost: the SQLite short run reported
 * incidents without bookmarks "although the outbox had finished", while
 * their jobs were backing off after the chaos (attempt 6 waits 32–64 s).
 */
export function owed(jobs: Job[], now = new Date()): Job[] {
  return jobs.filter((j) => j.status === "running" || j.runAt <= now || j.lastError !== null);
}

/** Waits until the outbox owes nothing (see `owed`); false on timeout. */
export async function outboxSettled(databaseUrl: string, timeoutMs: number): Promise<boolean> {
  const target = targetFor(databaseUrl);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const db = await connect(target, { poolSize: 1 });
      try {
        const left = await createPrismaJobStore(db, target.provider).list({
          status: ["pending", "running"],
          limit: 10_000,
        });
        if (owed(left).length === 0) return true;
      } finally {
        await db.$disconnect();
      }
    } catch {
      // The database is still coming back.
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return false;
}

export async function verify(databaseUrl: string, record: LoadRecord, services: Services): Promise<Check[]> {
  const checks: Check[] = [];
  const check = (ok: boolean, what: string, detail: string) => checks.push({ ok, what, detail });
  const target = targetFor(databaseUrl);
  const db = await connect(target, { poolSize: 2 });
  try {
    const acks = record.ackMs;
    const overs = record.slow.filter((x) => x.ms >= 3_000);
    const over = overs.length;
    // When the late ones were sent, by second: read against the chaos's timeline.
    const bySecond = new Map<number, number>();
    for (const x of overs) bySecond.set(Math.floor(x.at / 1000), (bySecond.get(Math.floor(x.at / 1000)) ?? 0) + 1);
    const when = [...bySecond]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([t, n]) => `${n} sent at t+${t} s`)
      .join(", ");
    const slow = [...record.slow]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5)
      .map((x) => `${x.what} ${x.ms.toFixed(0)} ms sent at t+${(x.at / 1000).toFixed(1)} s`);
    check(
      acks.length > 0 && Math.max(...acks) < 3_000,
      "every acknowledgement within 3 s",
      `${acks.length} answers; median ${pct(acks, 0.5).toFixed(0)} ms, p99 ${pct(acks, 0.99).toFixed(0)} ms, max ${Math.max(0, ...acks).toFixed(0)} ms; ${record.unanswered} requests unanswered (their process was killed holding them, or none was up); ${over} over 3 s${when ? ` (${when})` : ""}${slow.length ? `; slowest: ${slow.join(", ")}` : ""}`,
    );

    const incidents = await db.incident.findMany({ select: { id: true, number: true, key: true, title: true } });
    const storedTitles = tally(incidents.map((i) => i.title));
    const ackedLost = record.declared.filter((t) => !storedTitles.has(t));
    const unacked = incidents.filter((i) => !record.declared.includes(i.title)).length;
    check(
      ackedLost.length === 0 && dups(incidents.map((i) => i.title)) === 0,
      "every acknowledged declaration stored, once",
      `${record.declared.length} acknowledged, ${incidents.length} stored (${unacked} stored whose acknowledgement was lost on the way; ${record.declareGaveUp} given up), ${ackedLost.length} lost${ackedLost.length ? ` (${ackedLost.map((t) => `"${t}", acknowledged after ${record.declaredMs.get(t)?.toFixed(0)} ms`).join("; ")})` : ""}, ${dups(incidents.map((i) => i.title))} duplicated`,
    );

    const events = await db.timelineEvent.findMany({
      where: { kind: { in: ["declared", "status_update"] } },
      select: { id: true, incidentId: true, kind: true, data: true },
    });
    const declaredEvents = tally(events.filter((e) => e.kind === "declared").map((e) => e.incidentId));
    const badDeclared = incidents.filter((i) => declaredEvents.get(i.id) !== 1).length;
    const updates = events.filter((e) => e.kind === "status_update");
    const updateTexts = tally(updates.map((e) => String((e.data as { internalText?: string }).internalText)));
    const updatesLost = record.updates.filter((u) => !updateTexts.has(u.text)).length;
    const updatesDup = dups(updates.map((e) => String((e.data as { internalText?: string }).internalText)));
    check(
      badDeclared === 0 && updatesLost === 0 && updatesDup === 0,
      "no timeline event lost or doubled",
      `${incidents.length} declared events (${badDeclared} incidents without exactly one); ${record.updates.length} status updates acknowledged, ${updates.length} stored, ${updatesLost} lost, ${updatesDup} doubled (${record.updatesRefused} refused with a message, ${record.updatesGaveUp} given up)`,
    );

    const jobs = createPrismaJobStore(db, target.provider);
    const dead = await jobs.list({ status: ["dead"], limit: 10_000 });
    const queued = await jobs.list({ status: ["pending", "running"], limit: 10_000 });
    const open = owed(queued);
    const deadKinds = [...tally(dead.map((j) => j.kind)).entries()].map(([k, c]) => `${k} ×${c}`).join(", ");
    const describe = (j: Job) =>
      `${j.kind} ${j.status}${j.runAt > new Date() ? ` retrying in ${((j.runAt.getTime() - Date.now()) / 1000).toFixed(0)} s` : ""} after ${j.attempts} attempt(s)`;
    check(
      dead.length === 0 && open.length === 0,
      "the outbox finished",
      `${dead.length} jobs failed for good${deadKinds ? ` (${deadKinds})` : ""}, ${open.length} still owed${open.length ? ` (e.g. ${open.slice(0, 3).map(describe).join("; ")})` : ""}`,
    );
    const queuedByIncident = new Map<string, Job[]>();
    for (const j of open)
      if (j.incidentId) queuedByIncident.set(j.incidentId, [...(queuedByIncident.get(j.incidentId) ?? []), j]);

    const incomplete = incidents
      .map((i) => ({ key: i.key, lacks: missing(services, i.number), owed: queuedByIncident.get(i.id) ?? [] }))
      .filter((x) => x.lacks !== null);
    check(
      incomplete.length === 0,
      "every incident complete (channel, bookmarks, pin, announcement, issue, doc shared and filled)",
      `${incidents.length - incomplete.length} of ${incidents.length}${
        incomplete.length
          ? `; e.g. ${incomplete
              .slice(0, 5)
              .map(
                (x) =>
                  `${x.key} lacks ${x.lacks}${x.owed.length ? ` (still queued: ${x.owed.map(describe).join(", ")})` : ""}`,
              )
              .join(", ")}`
          : ""
      }`,
    );

    const { slack, github, google } = services;
    const channels = [...slack.channels.values()].filter((c) => /^inc-\d+/.test(c.name));
    const channelDup = dups(channels.map((c) => /^inc-(\d+)/.exec(c.name)![1]));
    const issues = github.issues("tailscale/corp");
    const issueDup = dups(issues.map((i) => /^\[(INC-\d+)\]/.exec(i.title)?.[1] ?? i.title));
    const docs = google.files().filter((f) => f.appProperties.musterKind === "google_doc");
    const docDup = dups(docs.map((d) => /^\[(INC-\d+)\]/.exec(d.name)?.[1] ?? d.name));
    const comments = issues.flatMap((i) =>
      i.comments.map((c) => `${i.number}:${/<!-- muster:event:\d+ -->/.exec(c.body)?.[0] ?? c.body}`),
    );
    const commentDup = dups(comments);
    const messages = slack.allMessages();
    const refs = messages
      .map((m) => m.metadata?.event_payload)
      .filter((p): p is Record<string, unknown> => Boolean(p))
      .map((p) => `${String(p.incident_id)}:${String(p.ref)}`);
    const messageDup = dups(refs);
    const dmChannels = new Set([...slack.channels.values()].filter((c) => c.isIm).map((c) => c.id));
    const dms = messages.filter((m) => dmChannels.has(m.channel));
    const dmDup = dups(
      dms.map((m) => `${m.channel}:${m.metadata ? JSON.stringify(m.metadata.event_payload) : m.text}`),
    );
    const bookmarkDup = channels.reduce((a, c) => a + dups(c.bookmarks.map((b) => b.title)), 0);
    const examples = [
      ...dupExamples(refs),
      ...dupExamples(dms.map((m) => `${m.channel}:${m.metadata ? JSON.stringify(m.metadata.event_payload) : m.text}`)),
    ].slice(0, 3);
    check(
      channelDup + issueDup + docDup + commentDup + messageDup + dmDup + bookmarkDup === 0,
      "nothing made twice",
      `channels ${channels.length} (${channelDup} duplicated), issues ${issues.length} (${issueDup}), docs ${docs.length} (${docDup}), comments ${comments.length} (${commentDup}), messages with muster's metadata ${refs.length} (${messageDup}), DMs ${dms.length} (${dmDup}), bookmarks ${channels.reduce((a, c) => a + c.bookmarks.length, 0)} (${bookmarkDup})${examples.length ? `; e.g. ${examples.map((e) => JSON.stringify(e.slice(0, 120))).join(", ")}` : ""}`,
    );

    // Each acknowledged update reached its incident's channel and issue.
    const byText = new Map(updates.map((e) => [String((e.data as { internalText?: string }).internalText), e]));
    const refSet = new Set(refs);
    const commentSet = new Set(comments.map((c) => c.replace(/^\d+:/, "")));
    let notPosted = 0;
    let notCommented = 0;
    for (const u of record.updates) {
      const e = byText.get(u.text);
      if (!e) continue;
      if (!refSet.has(`${e.incidentId}:slack_message:event:${e.id}`)) notPosted++;
      if (!commentSet.has(eventMarker(e.id))) notCommented++;
    }
    check(
      notPosted === 0 && notCommented === 0,
      "every acknowledged update posted in its channel and on its issue",
      `${record.updates.length - notPosted} of ${record.updates.length} in Slack, ${record.updates.length - notCommented} on GitHub`,
    );
  } finally {
    await db.$disconnect();
  }
  return checks;
}
