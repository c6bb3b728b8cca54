// Shared plumbing for modal submissions and button answers: parse, run the
// use case, answer in the surface the person used.

import type { AllMiddlewareArgs, SlackViewAction, SlackViewMiddlewareArgs } from "@slack/bolt";
import { slackErrorCode } from "../../adapters/slack/client.js";
import type { CommandResult } from "../../incidents/context.js";
import type { Actor } from "../../incidents/model.js";
import { actorOf, type SlackDeps } from "../deps.js";
import { toUserError } from "../errors.js";
import { type FormValue, type ModalMetadata, readForm, readMetadata, type ViewPayload, viewPayload } from "../form.js";
import { VIEW } from "../ids.js";
import { type Message, type ModalView, modal, section } from "../views/blocks.js";
import { TRANSIENT } from "../views-api.js";

type ViewArgs = SlackViewMiddlewareArgs<SlackViewAction> & AllMiddlewareArgs;

export interface Submission {
  actor: Actor;
  form: Record<string, FormValue>;
  meta: ModalMetadata;
  view: ViewPayload;
  /** The same for Slack's retries and double clicks of one modal: the command runs once. */
  idempotencyKey: string;
}

/**
 * Slack gives 3 s to answer a submission; field errors must be in that
 * answer. The 3 s include the network both ways and a busy event loop: the
 * reliability suite measured answers sent at 2.5 s arriving after 3 s on a
 * loaded machine. Since a late command now shows "Saving…" rather than
 * claiming it is done, answering a little earlier costs nothing.
 */
const ANSWER_WITHIN_MS = 2_000;

export function errorView(text: string): ModalView {
  return modal({
    callbackId: VIEW.error,
    title: "Couldn't do that",
    blocks: [section(`:warning: ${text}`)],
  });
}

/**
 * What a form turns into when its command is still running as Slack's 3 s
 * run out. Not a closed modal: that would tell the person it was done, and a
 * process that dies before the commit (a deploy, a crash, the database gone)
 * would have lost something the person was told was saved. The reliability
 * suite found exactly that: an acknowledged declaration missing.
 */
export function savingView(): ModalView {
  return modal({
    callbackId: VIEW.saving,
    title: "Saving…",
    blocks: [
      section(
        ":hourglass_flowing_sand: This is taking longer than usual. This window will say when it is saved. If it never does, check before trying again.",
      ),
    ],
  });
}

export function savedView(): ModalView {
  return modal({ callbackId: VIEW.saved, title: "Saved", blocks: [section(":white_check_mark: Saved.")] });
}

/**
 * Replaces an open modal: how a "Saving…" modal ends, the only word the
 * person gets. Bolt's client retries a failed connection or a 5xx, but not
 * Slack's `internal_error` answered with a 200; the reliability suite saw
 * modals left at "Saving…" that way. Replacing a view with the same view
 * again is harmless, so a transient error is tried again; a closed modal
 * (`not_found`) is left alone.
 */
async function showInModal(args: AllMiddlewareArgs, viewId: string, view: ModalView): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await args.client.views.update({ view_id: viewId, view });
      return;
    } catch (e) {
      const code = slackErrorCode(e);
      if (code !== undefined && !TRANSIENT.has(code)) return;
      await new Promise((r) => setTimeout(r, 300 * attempt));
    }
  }
}

export async function handleSubmission(
  args: ViewArgs,
  deps: SlackDeps,
  run: (s: Submission) => Promise<CommandResult>,
  after?: (s: Submission, result: CommandResult) => Promise<void>,
): Promise<void> {
  const { ack, body } = args;
  if (body.type !== "view_submission") return;
  const parsed = viewPayload.safeParse(body.view);
  if (!parsed.success) {
    await ack({ response_action: "update", view: errorView("That form arrived incomplete. Please open it again.") });
    return;
  }
  const view = parsed.data;
  const s: Submission = {
    actor: actorOf(deps, body.user.id),
    form: readForm(view),
    meta: readMetadata(view),
    view,
    idempotencyKey: `view:${view.id}`,
  };
  const log = deps.logger.child({ userId: body.user.id, callbackId: view.callback_id });
  let acked = false;
  // From the request's arrival: under a burst it may have queued before this listener ran.
  const arrived = args.context.receivedAt;
  const waited = typeof arrived === "number" ? performance.now() - arrived : 0;
  const timer = setTimeout(
    () => {
      acked = true;
      void ack({ response_action: "update", view: savingView() });
    },
    Math.max(0, ANSWER_WITHIN_MS - waited),
  );
  try {
    const result = await run(s);
    clearTimeout(timer);
    if (!acked) await ack();
    else await showInModal(args, view.id, savedView());
    deps.wake();
    log.info({ incidentId: result.incidentId }, "modal submitted");
    if (after) await after(s, result).catch((e) => log.warn({ errName: (e as Error)?.name }, "confirmation failed"));
  } catch (e) {
    clearTimeout(timer);
    const err = toUserError(e, log, { callbackId: view.callback_id });
    if (acked) {
      await showInModal(args, view.id, errorView(err.text));
      await dm(args, deps, body.user.id, `error:${view.id}`, `:warning: ${err.text}`);
      return;
    }
    if (err.field && err.field in s.form) {
      await ack({ response_action: "errors", errors: { [err.field]: err.text.slice(0, 2000) } });
    } else {
      await ack({ response_action: "update", view: errorView(err.text) });
    }
  }
}

/**
 * A DM answering a request, once per `key` (what it answers: a modal, a
 * click), even when Slack's answer is lost or Slack delivers the request again.
 */
export async function dm(
  args: AllMiddlewareArgs,
  deps: SlackDeps,
  userId: string,
  key: string,
  text: string | Message,
): Promise<void> {
  const msg = typeof text === "string" ? { text, blocks: [section(text)] } : text;
  await deps.views.dm(userId, key, msg, { lookFirst: Boolean(args.context.retryNum) }).catch((e) => {
    deps.logger.warn({ errName: (e as Error)?.name, slackError: slackErrorCode(e) }, "could not send a direct message");
  });
}

/** An ephemeral note to the person in the channel they came from; a DM (once per `key`) when there is none. */
export async function tellUser(
  args: AllMiddlewareArgs,
  deps: SlackDeps,
  userId: string,
  origin: string | undefined,
  key: string,
  msg: Message,
) {
  if (origin) {
    try {
      await deps.views.ephemeral(origin, userId, msg);
      return;
    } catch {
      // Not in that channel any more, it's gone, or Slack failed: a DM instead.
    }
  }
  await dm(args, deps, userId, key, msg);
}
