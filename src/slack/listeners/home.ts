// App Home, published each time someone opens the tab.
import type { App } from "@slack/bolt";
import { companyPolicyOf } from "../../incidents/company-policy.js";
import { DEFAULT_WORKING_HOURS, workingHoursWords } from "../../incidents/working-hours.js";
import { REF } from "../../jobs/refs.js";
import { canSee, type SlackDeps } from "../deps.js";
import { toUserError } from "../errors.js";
import { HELP_LINES } from "../subcommands.js";
import { homeView, type OwedPostmortem } from "../views/home.js";

/** The post-mortems a person owns that are neither complete nor waived, with their docs. */
export async function postmortemsOwedBy(deps: SlackDeps, userId: string): Promise<OwedPostmortem[]> {
  const owed = await deps.store.draftPostmortemsOwnedBy(userId, 20);
  const docs = await deps.refs.ofKind(
    REF.postmortemDoc,
    owed.map((p) => p.incidentId),
  );
  return owed.map((p) => ({
    key: p.incidentKey,
    title: p.incidentTitle,
    private: p.incidentPrivate,
    docUrl: docs.get(p.incidentId)?.url ?? null,
  }));
}

export function registerHome(app: App, deps: SlackDeps) {
  app.event("app_home_opened", async ({ event }) => {
    if (event.tab !== "home") return;
    try {
      // A few reads whatever the number of incidents: the open ones with their
      // role holders, their channels, what this person owes and their working hours.
      const open = await deps.store.listIncidentSummaries({ status: ["investigating", "mitigated"], limit: 100 });
      const [channels, postmortems, followUps, hours] = await Promise.all([
        deps.refs.ofKind(
          REF.channel,
          open.map((s) => s.incident.id),
        ),
        postmortemsOwedBy(deps, event.user),
        deps.store.openFollowUpsOwnedBy(event.user, 30),
        deps.store.workingHoursOf([event.user]),
      ]);
      const items = open.map(({ incident, roles }) => ({
        incident,
        roles,
        channelId: channels.get(incident.id)?.externalId || null,
        canSee: canSee(deps, incident, roles, event.user),
      }));
      await deps.views.publish(
        event.user,
        homeView({
          userId: event.user,
          items,
          definitions: deps.roles,
          owed: { postmortems, followUps },
          commands: HELP_LINES,
          now: deps.clock(),
          workingHours: workingHoursWords(hours.get(event.user) ?? DEFAULT_WORKING_HOURS),
          company: companyPolicyOf(deps.service.policy),
        }),
      );
    } catch (e) {
      toUserError(e, deps.logger, { event: "app_home_opened" });
    }
  });
}
