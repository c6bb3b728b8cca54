// App Home, published each time someone opens the tab.
import type { App } from "@slack/bolt";
import { canSee, linksOf, openIncidents, type SlackDeps } from "../deps.js";
import { toUserError } from "../errors.js";
import { HELP_LINES } from "../subcommands.js";
import { homeView, type OwedPostmortem } from "../views/home.js";

/** The post-mortems a person owns that are neither complete nor waived, with their docs. */
export async function postmortemsOwedBy(deps: SlackDeps, userId: string): Promise<OwedPostmortem[]> {
  const owed = await deps.store.draftPostmortemsOwnedBy(userId, 20);
  return Promise.all(
    owed.map(async (p) => ({
      key: p.incidentKey,
      title: p.incidentTitle,
      private: p.incidentPrivate,
      docUrl: (await linksOf(deps, p.incidentId)).postmortemDocUrl,
    })),
  );
}

export function registerHome(app: App, deps: SlackDeps) {
  app.event("app_home_opened", async ({ event }) => {
    if (event.tab !== "home") return;
    try {
      const incidents = await openIncidents(deps);
      const [roles, postmortems, followUps] = await Promise.all([
        deps.store.activeRoles(incidents.map((i) => i.id)),
        postmortemsOwedBy(deps, event.user),
        deps.store.openFollowUpsOwnedBy(event.user, 30),
      ]);
      const items = await Promise.all(
        incidents.map(async (incident) => {
          const r = roles.get(incident.id) ?? [];
          return {
            incident,
            roles: r,
            channelId: (await linksOf(deps, incident.id)).channelId,
            canSee: canSee(deps, incident, r, event.user),
          };
        }),
      );
      await deps.views.publish(
        event.user,
        homeView({
          userId: event.user,
          items,
          definitions: deps.roles,
          owed: { postmortems, followUps },
          commands: HELP_LINES,
          now: new Date(),
        }),
      );
    } catch (e) {
      toUserError(e, deps.logger, { event: "app_home_opened" });
    }
  });
}
