// Buttons: the control message's, the hand-off answer, the dead job's Retry.
import { z } from "zod";
import { AppError } from "../../errors.js";
import { commsChecklist, recoveryChecklist } from "../../incidents/checklists.js";
import { COMMUNICATIONS } from "../../incidents/model.js";
import { mayAct } from "../../incidents/permissions.js";
import { REF } from "../../jobs/refs.js";
import { actorOf, canSee, type SlackDeps } from "../deps.js";
import { toUserError } from "../errors.js";
import { FORMS, type FormName, openForm } from "../forms/index.js";
import { ACTION } from "../ids.js";
import { followUpList, importPostmortem } from "../lifecycle.js";
import type { ButtonArgs, SlackRouter } from "../router.js";
import { slackDate } from "../text.js";
import { commsMessage, recoveryMessage } from "../views/checklists.js";
import { confirmation, escalationBrief, escalationOfferAnswered, handoffAnswered } from "../views/messages.js";
import { dm } from "./submit.js";

const buttonValue = z.string().min(1).max(2000);

async function reply(args: ButtonArgs, deps: SlackDeps, text: string) {
  // A button in App Home has no response_url: the answer goes by DM.
  if (!("response_url" in args.body) || !args.body.response_url)
    return dm(args, deps, args.body.user.id, `action:${args.body.trigger_id}`, text);
  await args
    .respond({ response_type: "ephemeral", replace_original: false, ...confirmation(text) })
    .catch(() => undefined);
}

export function registerButtons(router: SlackRouter, deps: SlackDeps) {
  const forms: [string, FormName][] = [
    [ACTION.openSeverity, "severity"],
    [ACTION.openRole, "role"],
    [ACTION.openHandoff, "handoff"],
    [ACTION.openUpdate, "update"],
    [ACTION.openResolve, "resolve"],
    [ACTION.openDeclare, "declare"],
    [ACTION.openImpact, "impact"],
    [ACTION.openTimes, "times"],
    [ACTION.openPostmortem, "postmortem"],
    [ACTION.openWaivePostmortem, "waivePostmortem"],
    [ACTION.openWorkingHours, "workingHours"],
    [ACTION.openRecoveryWaive, "recoveryWaive"],
    [ACTION.openUnpublish, "unpublish"],
  ];
  for (const [actionId, name] of forms) {
    router.action(actionId, async (args) => {
      await args.ack();
      const key = buttonValue.safeParse(args.action.value);
      const about = FORMS[name].incident !== "none" && key.success;
      const summary = about ? await deps.store.incidentSummary({ key: key.data }) : null;
      await openForm(deps, {
        name,
        incident: summary?.incident ?? null,
        ...(summary ? { roles: summary.roles } : {}),
        ...(args.body.channel?.id ? { origin: args.body.channel.id } : {}),
        userId: args.body.user.id,
        triggerId: args.body.trigger_id,
        reply: (t) => reply(args, deps, t),
      });
    });
  }

  router.action(ACTION.openCommsRole, async (args) => {
    await args.ack();
    const key = buttonValue.safeParse(args.action.value);
    const summary = key.success ? await deps.store.incidentSummary({ key: key.data }) : null;
    await openForm(deps, {
      name: "role",
      incident: summary?.incident ?? null,
      ...(summary ? { roles: summary.roles } : {}),
      ...(args.body.channel?.id ? { origin: args.body.channel.id } : {}),
      userId: args.body.user.id,
      triggerId: args.body.trigger_id,
      context: { role: COMMUNICATIONS },
      reply: (t) => reply(args, deps, t),
    });
  });

  // A triage message's Declare (an outage report, an alert): the declare form, pre-filled from the report.
  router.action(ACTION.declareFromReport, async (args) => {
    await args.ack();
    const report = buttonValue.safeParse(args.action.value);
    await openForm(deps, {
      name: "declare",
      incident: null,
      ...(args.body.channel?.id ? { origin: args.body.channel.id } : {}),
      userId: args.body.user.id,
      triggerId: args.body.trigger_id,
      context: { report: report.success ? report.data.slice(0, 100) : "" },
      reply: (t) => reply(args, deps, t),
    });
  });

  // The end-of-day DM's "Hand off now": the hand-off form, with who was working when the DM was sent.
  router.action(ACTION.dayEndHandoff, async (args) => {
    await args.ack();
    const [key = "", suggested = ""] = (args.action.value ?? "").split("|");
    const summary = key ? await deps.store.incidentSummary({ key }) : null;
    await openForm(deps, {
      name: "handoff",
      incident: summary?.incident ?? null,
      ...(summary ? { roles: summary.roles } : {}),
      userId: args.body.user.id,
      triggerId: args.body.trigger_id,
      context: { suggested: suggested.slice(0, 200) },
      reply: (t) => reply(args, deps, t),
    });
  });

  // The yearly duty's "Log it as done" and the risk register's "Change": forms about no incident.
  for (const [actionId, name, field] of [
    [ACTION.openDutyLog, "dutyLog", "duty"],
    [ACTION.openRiskEdit, "riskEdit", "riskId"],
  ] as const) {
    router.action(actionId, async (args) => {
      await args.ack();
      const value = buttonValue.safeParse(args.action.value);
      await openForm(deps, {
        name,
        incident: null,
        ...(args.body.channel?.id ? { origin: args.body.channel.id } : {}),
        userId: args.body.user.id,
        triggerId: args.body.trigger_id,
        context: { [field]: value.success ? value.data.slice(0, 200) : "" },
        reply: (t) => reply(args, deps, t),
      });
    });
  }

  // "I'm staying on", a select in the same DM: the value is `INC-42|2h`.
  router.action(ACTION.dayEndSnooze, async (args) => {
    await args.ack();
    const picked = (args.action as unknown as { selected_option?: { value?: string } }).selected_option?.value ?? "";
    const [key = "", snooze = ""] = picked.split("|");
    try {
      const r = await deps.service.snoozeDayEnd(actorOf(deps, args.body.user.id), {
        key,
        snooze: snooze as "1h",
      });
      deps.wake();
      await reply(
        args,
        deps,
        r.until
          ? `Noted: you are staying on as ${r.key}'s IC. muster asks again at ${slackDate(new Date(String(r.until)))}.`
          : `Noted: you are staying on as ${r.key}'s IC. muster asks again 30 minutes before your next working day ends.`,
      );
    } catch (e) {
      await reply(args, deps, `:warning: ${toUserError(e, deps.logger, { actionId: args.action.action_id }).text}`);
    }
  });

  // A checklist's item ticked (recovery: Done / Sign off; comms: Told): the person sees the checklist again,
  // ticked; the channel's checklist message is brought up to date by the outbox.
  router.action(ACTION.checklistTick, async (args) => {
    await args.ack();
    await run(args, deps, async (actor, value) => {
      const [key = "", list = "", item = ""] = value.split("|");
      if (list !== "recovery" && list !== "comms") throw new AppError("validation", "That button is out of date.");
      const r = await deps.service.tickChecklist(actor, { key, list, item });
      const record = await deps.store.loadIncidentById(r.incidentId);
      if (record && args.body.container?.is_ephemeral) {
        const msg =
          list === "recovery"
            ? recoveryMessage(record.incident, recoveryChecklist(record.timeline))
            : commsMessage(record.incident, commsChecklist(record.timeline));
        await args.respond({ replace_original: true, ...msg }).catch(() => undefined);
      }
      const label = String(r.label ?? "That item");
      if (r.already) return `${label} was already ticked.`;
      return list === "recovery" ? `Ticked: ${label}.` : `Ticked off: ${label} told it is resolved.`;
    });
  });

  // The control message's "Recovery checklist" and "Who to tell": the checklist, to the person who pressed.
  for (const [actionId, list] of [
    [ACTION.showRecovery, "recovery"],
    [ACTION.showComms, "comms"],
  ] as const) {
    router.action(actionId, async (args) => {
      await args.ack();
      await run(args, deps, async (actor, key) => {
        const summary = await deps.store.incidentSummary({ key });
        if (!summary) throw new AppError("not_found", `There is no incident ${key}.`);
        if (!canSee(deps, summary.incident, summary.roles, actor.userId)) {
          throw new AppError("forbidden", `${key} is private: only its responders and admins can see it.`);
        }
        const record = await deps.store.loadIncidentById(summary.incident.id);
        if (!record) throw new AppError("not_found", `There is no incident ${key}.`);
        const msg =
          list === "comms"
            ? commsMessage(record.incident, commsChecklist(record.timeline))
            : recoveryMessage(record.incident, recoveryChecklist(record.timeline));
        await args.respond({ response_type: "ephemeral", replace_original: false, ...msg }).catch(() => undefined);
        return null;
      });
    });
  }

  // "Not applicable…" on the resolution checklist: the form asks which party and why.
  router.action(ACTION.openCommsNotApplicable, async (args) => {
    await args.ack();
    const [key = "", item = ""] = (args.action.value ?? "").split("|");
    const summary = key ? await deps.store.incidentSummary({ key }) : null;
    await openForm(deps, {
      name: "commsNotApplicable",
      incident: summary?.incident ?? null,
      ...(summary ? { roles: summary.roles } : {}),
      ...(args.body.channel?.id ? { origin: args.body.channel.id } : {}),
      userId: args.body.user.id,
      triggerId: args.body.trigger_id,
      context: { item: item.slice(0, 200) },
      reply: (t) => reply(args, deps, t),
    });
  });

  router.action(ACTION.mitigate, async (args) => {
    await args.ack();
    await run(args, deps, async (actor, value) => {
      await deps.service.mitigate(actor, { key: value });
      return `${value} marked mitigated.`;
    });
  });

  for (const [actionId, accept] of [
    [ACTION.acceptHandoff, true],
    [ACTION.declineHandoff, false],
  ] as const) {
    router.action(actionId, async (args) => {
      await args.ack();
      await run(args, deps, async (actor, handoffId) => {
        const result = accept
          ? await deps.service.acceptHandoff(actor, { handoffId })
          : await deps.service.declineHandoff(actor, { handoffId });
        const [summary, handoff] = await Promise.all([
          deps.store.incidentSummary({ id: result.incidentId }),
          deps.store.findHandoff(handoffId),
        ]);
        // Replace the buttons with the answer so they can't be pressed again.
        if (summary && handoff) {
          await args
            .respond({ replace_original: true, ...handoffAnswered(summary.incident, handoff) })
            .catch(() => undefined);
        }
        return null;
      });
    });
  }

  router.action(ACTION.retryJob, async (args) => {
    await args.ack();
    await run(args, deps, async (actor, value) => {
      const job = await deps.jobs.find(Number(value));
      if (!job) throw new AppError("not_found", "That job no longer exists.");
      const summary = job.incidentId ? await deps.store.incidentSummary({ id: job.incidentId }) : null;
      if (!mayAct("close", actor, summary?.roles ?? [])) {
        throw new AppError("forbidden", "Only the Incident Commander or an admin can retry muster's jobs.");
      }
      if (job.status === "done") return "That already went through.";
      if (job.status === "running") return "muster is working on that right now.";
      const requeued = await deps.jobs.retry(job.id, new Date());
      if (!requeued) return "That changed in the meantime; muster is already on it.";
      deps.wake();
      return "Retrying now.";
    });
  });

  router.action(ACTION.importPostmortem, async (args) => {
    await args.ack();
    await run(args, deps, async (actor, key) => {
      const summary = await deps.store.incidentSummary({ key });
      if (!summary) throw new AppError("not_found", `There is no incident ${key}.`);
      return importPostmortem(deps, actor, summary.incident);
    });
  });

  router.action(ACTION.completePostmortem, async (args) => {
    await args.ack();
    await run(args, deps, async (actor, key) => {
      await deps.service.completePostmortem(actor, { key });
      return `The ${key} post-mortem is complete; the reminders stop.`;
    });
  });

  router.action(ACTION.snoozePostmortem, async (args) => {
    await args.ack();
    await run(args, deps, async (actor, key) => {
      const r = await deps.service.snoozePostmortemReminders(actor, { key, days: 1 });
      return `Snoozed: the next ${key} post-mortem reminder comes after ${String(r.until).slice(0, 16).replace("T", " ")} UTC, on a business day.`;
    });
  });

  router.action(ACTION.followUpDone, async (args) => {
    await args.ack();
    await run(args, deps, async (actor, value) => {
      const [key = "", followUpId = ""] = value.split("|");
      const r = await deps.service.completeFollowUp(actor, { key, followUpId });
      const summary = await deps.store.incidentSummary({ id: r.incidentId });
      // The list again, this one marked done, in place of the old one.
      if (summary)
        await args
          .respond({ replace_original: true, ...(await followUpList(deps, summary.incident)) })
          .catch(() => undefined);
      return r.already ? "That follow-up was already done." : "Marked done; its GitHub issue is being closed.";
    });
  });

  for (const [actionId, answer] of [
    [ACTION.vendorNotAffected, "not_affected"],
    [ACTION.vendorCompromised, "compromised"],
    [ACTION.vendorWaiting, "pending"],
  ] as const) {
    router.action(actionId, async (args) => {
      await args.ack();
      const [key = "", vendorCheckId = ""] = (args.action.value ?? "").split("|");
      const record = key ? await deps.store.loadIncident(key) : null;
      const check = record?.vendorChecks.find((c) => c.id === vendorCheckId);
      await openForm(deps, {
        name: "vendorAnswer",
        incident: record?.incident ?? null,
        ...(record ? { roles: record.roles } : {}),
        userId: args.body.user.id,
        triggerId: args.body.trigger_id,
        context: { vendorCheckId, answer, vendor: check?.vendor.slice(0, 200) ?? "the vendor" },
        reply: (t) => reply(args, deps, t),
      });
    });
  }

  // muster's offer to escalate (insufficient response): the IC escalates at once, or says it is not needed.
  for (const [actionId, accept] of [
    [ACTION.acceptEscalationOffer, true],
    [ACTION.declineEscalationOffer, false],
  ] as const) {
    router.action(actionId, async (args) => {
      await args.ack();
      await run(args, deps, async (actor, value) => {
        const [key = "", id = ""] = value.split("|");
        const proposalEventId = Number(id);
        if (!Number.isInteger(proposalEventId)) throw new AppError("validation", "That button is out of date.");
        const r = accept
          ? await deps.service.acceptEscalationOffer(actor, { key, proposalEventId })
          : await deps.service.declineEscalation(actor, { key, proposalEventId });
        const summary = await deps.store.incidentSummary({ id: r.incidentId });
        const answer =
          (r.already as "escalated" | "escalation_declined" | undefined) ??
          (accept ? "escalated" : "escalation_declined");
        // The buttons give way to the answer, so the offer cannot be answered twice.
        if (summary)
          await args
            .respond({ replace_original: true, ...escalationOfferAnswered(summary.incident, answer, actor.userId) })
            .catch(() => undefined);
        if (r.already)
          return answer === "escalated" ? `${key} was already escalated.` : "That offer was already answered.";
        return null;
      });
    });
  }

  router.action(ACTION.acknowledgeEscalation, async (args) => {
    await args.ack();
    await run(args, deps, async (actor, value) => {
      const [key = "", escalationId = ""] = value.split("|");
      const r = await deps.service.acknowledgeEscalation(actor, { key, escalationId });
      const record = await deps.store.loadIncidentById(r.incidentId);
      const escalated = record?.timeline.find((e) => e.kind === "escalated" && e.data.escalationId === escalationId);
      if (record && escalated) {
        const channel = (await deps.refs.get(record.incident.id, REF.channel))?.externalId || null;
        const msg = escalationBrief(
          record.incident,
          record.roles.filter((x) => x.endedAt === null),
          escalated.actorId,
          String(escalated.data.reason ?? ""),
          channel,
          deps.service.policy.company,
          escalationId,
          { by: String(r.by ?? actor.userId), at: new Date(String(r.at ?? new Date().toISOString())) },
        );
        await args.respond({ replace_original: true, ...msg }).catch(() => undefined);
      }
      return r.already ? "That escalation was already acknowledged." : null;
    });
  });

  // Link buttons still send an action; acknowledge so Slack shows no error.
  router.action(ACTION.link, async ({ ack }) => {
    await ack();
  });
}

async function run(
  args: ButtonArgs,
  deps: SlackDeps,
  fn: (actor: ReturnType<typeof actorOf>, value: string) => Promise<string | null>,
) {
  const value = buttonValue.safeParse(args.action.value);
  try {
    if (!value.success) throw new AppError("validation", "That button is out of date.");
    const text = await fn(actorOf(deps, args.body.user.id), value.data);
    deps.wake();
    if (text) await reply(args, deps, text);
  } catch (e) {
    await reply(args, deps, `:warning: ${toUserError(e, deps.logger, { actionId: args.action.action_id }).text}`);
  }
}
