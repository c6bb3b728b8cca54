import type { App } from "@slack/bolt";
import { canSee, linksOf, openIncidents, type SlackDeps } from "../deps.js";
import { toUserError } from "../errors.js";
import { EVENT } from "../ids.js";
import { homeView } from "../views/home.js";

export function registerHome(app: App, deps: SlackDeps) {
  app.event(EVENT.appHomeOpened, async ({ event }) => {
    if (event.tab !== "home") return;
    try {
      const incidents = await openIncidents(deps);
      const roles = await deps.store.activeRoles(incidents.map((i) => i.id));
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
      await deps.views.publish(event.user, homeView(event.user, items, deps.roles));
    } catch (e) {
      toUserError(e, deps.logger, { event: "app_home_opened" });
    }
  });
}
