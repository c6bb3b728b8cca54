// The people of a reliability run, playing Slack's side over signed HTTP
// through the proxy: each types a slash command, waits for muster's modal in
// the Slack emulator, fills it in and submits it, and does what a person does
// when Slack shows an error: submits the same modal again (muster treats a
// modal's submissions as one), or starts over. Every answer's latency and
// every acknowledged declaration and status update is recorded, to be
// counted against what muster stored.
import { type SlackEmulator, slackEmulatorHooks } from "../emulators/slack.js";
import { type SentRequest, SlackTestClient } from "../helpers/slack-client.js";
import { SIGNING_SECRET } from "../helpers/stack.js";

export interface LoadRecord {
  /** Latency (ms) of every request muster answered (any HTTP status but the proxy's 502). */
  ackMs: number[];
  /** Answers that took longer than 2.5 s: which request, how long, when (ms since the load began). */
  slow: { what: string; ms: number; at: number }[];
  /** Requests that got no answer from muster (its process was killed while holding them, or none was up). */
  unanswered: number;
  /** Titles of declarations muster acknowledged (a clean 200 to the submission). */
  declared: string[];
  /** How long each acknowledged declaration's submission took (ms), by title. */
  declaredMs: Map<string, number>;
  /** Declarations given up after every attempt failed. */
  declareGaveUp: number;
  /** Internal texts of status updates muster acknowledged. */
  updates: { text: string; title: string }[];
  /** Communications leads appointed through the role form (each may then post its incident's updates too). */
  appointed: number;
  /** Updates muster refused with a message (e.g. its database unreachable), and updates given up. */
  updatesRefused: number;
  updatesGaveUp: number;
  /** Modals that did not open after a command, with no word from muster either (Slack or muster failing at that moment). */
  modalsMissing: number;
  /** Commands muster answered with a message instead of the modal (e.g. Slack failed views.open): the person tries again at once. */
  modalsRefused: number;
  /** Same-modal resubmissions after an unanswered submission. */
  resubmitted: number;
  /** Submissions muster answered with "saving…" (its 3 s ran out), and those whose modal never said how they ended. */
  savingShown: number;
  savingNeverEnded: number;
}

export function newLoadRecord(): LoadRecord {
  return {
    ackMs: [],
    slow: [],
    unanswered: 0,
    declared: [],
    declaredMs: new Map(),
    declareGaveUp: 0,
    updates: [],
    appointed: 0,
    updatesRefused: 0,
    updatesGaveUp: 0,
    modalsMissing: 0,
    modalsRefused: 0,
    resubmitted: 0,
    savingShown: 0,
    savingNeverEnded: 0,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ATTEMPTS = 6;

export class People {
  private readonly client: SlackTestClient;
  private readonly announce: string;

  private readonly began = Date.now();

  constructor(
    private readonly slack: SlackEmulator,
    proxyUrl: string,
    readonly record: LoadRecord,
  ) {
    this.client = new SlackTestClient({
      url: `${proxyUrl}/slack/events`,
      signingSecret: SIGNING_SECRET,
      emulator: slack,
    });
    this.announce = slack.channelByName("incident-response")!.id;
  }

  /** Person n, who declares incident n and posts its updates. */
  static userId(n: number): string {
    return `UREL${n}`;
  }

  /** Slack users in #incident-response (one can only type a command in a channel one is in). */
  addPeople(count: number): void {
    const announce = this.slack.channels.get(this.announce)!;
    for (let n = 1; n <= count; n++) {
      const id = People.userId(n);
      this.slack.users.set(id, { id, name: `responder${n}`, email: `responder${n}@example.com`, tz: "UTC" });
      announce.members.add(id);
    }
  }

  /** Sends, timing muster's answers; a proxy 502 (or a dropped connection) is no answer. */
  private async timed<T extends SentRequest>(what: string, send: () => Promise<T>): Promise<T | null> {
    try {
      const sent = await send();
      if (sent.status === 502 && sent.body.startsWith("bad gateway")) {
        this.record.unanswered++;
        return null;
      }
      this.record.ackMs.push(sent.ms);
      if (sent.ms > 2_500) this.record.slow.push({ what, ms: sent.ms, at: Date.now() - this.began - sent.ms });
      return sent;
    } catch {
      this.record.unanswered++;
      return null;
    }
  }

  /** Types the command and waits for the modal muster opens for it; its view id, or null. */
  private async openModal(userId: string, text: string, callbackId: string): Promise<string | null> {
    const hooks = slackEmulatorHooks(this.slack);
    const before = new Set(hooks.openViews(userId));
    const posts = this.slack.responseUrlPosts;
    let seen = posts.length;
    const sent = await this.timed(`/incident ${text.split(" ")[0]}`, () =>
      this.client.command({ userId, channelId: this.announce, text }),
    );
    if (sent?.status !== 200) return null;
    const replyId = sent.responseUrl.slice(sent.responseUrl.lastIndexOf("/") + 1);
    const deadline = Date.now() + 8_000;
    while (Date.now() < deadline) {
      const id = hooks.openViews(userId).find((v) => !before.has(v));
      if (id && this.slack.views.get(id)?.view.callback_id === callbackId) return id;
      // muster answered the command instead (Slack failed views.open, say): the person reads it and tries again.
      for (; seen < posts.length; seen++) {
        if (posts[seen]!.id === replyId) {
          this.record.modalsRefused++;
          return null;
        }
      }
      await sleep(25);
    }
    this.record.modalsMissing++;
    return null;
  }

  /** Submits a modal until muster answers; "acked" (a clean 200), "refused" (an error shown), or "lost". */
  private async submit(
    userId: string,
    viewId: string,
    callbackId: string,
    values: Parameters<SlackTestClient["submitView"]>[0]["values"],
  ): Promise<{ outcome: "acked" | "refused" | "lost" | "unknown"; ms: number }> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (attempt > 0) {
        this.record.resubmitted++;
        await sleep(500 * attempt);
      }
      const sent = await this.timed(callbackId, () => this.client.submitView({ userId, callbackId, viewId, values }));
      if (!sent) continue;
      if (sent.status === 200 && sent.body.includes('"incident_saving"')) {
        // muster is still saving as Slack's time runs out: the modal says so, and later says how it ended.
        this.record.savingShown++;
        const ended = await this.modalEnds(viewId);
        if (ended === "incident_saved") return { outcome: "acked", ms: sent.ms };
        if (ended !== null) return { outcome: "refused", ms: sent.ms };
        // Never told: a person checks before trying again, rather than risk doing it twice.
        this.record.savingNeverEnded++;
        return { outcome: "unknown", ms: sent.ms };
      }
      return { outcome: sent.status === 200 && sent.body === "" ? "acked" : "refused", ms: sent.ms };
    }
    return { outcome: "lost", ms: 0 };
  }

  /** Waits for a "saving" modal to become "saved" or an error; null if it never does. */
  private async modalEnds(viewId: string): Promise<string | null> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const callbackId = String(this.slack.views.get(viewId)?.view.callback_id ?? "");
      if (callbackId !== "incident_saving") return callbackId;
      await sleep(100);
    }
    return null;
  }

  async declare(n: number, title: string): Promise<boolean> {
    const userId = People.userId(n);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(1_000 * attempt);
      const viewId = await this.openModal(userId, `declare ${title}`, "incident_declare");
      if (!viewId) continue;
      const { outcome, ms } = await this.submit(userId, viewId, "incident_declare", {
        title,
        summary: "reliability run",
        impacts: { options: ["outage"] },
        commanderId: { user: userId },
      });
      if (outcome === "acked") {
        this.record.declared.push(title);
        this.record.declaredMs.set(title, ms);
        return true;
      }
      if (outcome === "unknown") break;
    }
    this.record.declareGaveUp++;
    return false;
  }

  /** Person n, IC of incident `key`, appoints person `lead` its communications lead through the role form. */
  async appoint(n: number, key: string, lead: number): Promise<boolean> {
    const userId = People.userId(n);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(1_000 * attempt);
      const viewId = await this.openModal(userId, `role ${key}`, "incident_role");
      if (!viewId) continue;
      const { outcome } = await this.submit(userId, viewId, "incident_role", {
        role: { option: "communications" },
        userId: { user: People.userId(lead) },
      });
      if (outcome === "acked") {
        this.record.appointed++;
        return true;
      }
      if (outcome === "unknown") break;
    }
    return false;
  }

  /** One status update through the update form by person `poster` (the IC or the comms lead); true when acknowledged. */
  async update(poster: number, key: string, title: string, text: string): Promise<boolean> {
    const userId = People.userId(poster);
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) await sleep(500 * attempt);
      const viewId = await this.openModal(userId, `update ${key}`, "incident_update");
      if (!viewId) continue;
      const { outcome } = await this.submit(userId, viewId, "incident_update", { internalText: text });
      if (outcome === "acked") {
        this.record.updates.push({ text, title });
        return true;
      }
      if (outcome === "refused") this.record.updatesRefused++;
      if (outcome === "unknown") break;
    }
    this.record.updatesGaveUp++;
    return false;
  }
}
