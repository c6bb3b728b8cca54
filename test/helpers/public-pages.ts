// Every public page, feed and API answer of the status page that takes no
// incident id: what the allow-list tests search for internal words.
export const PUBLIC_PATHS = [
  "/status",
  "/status/history",
  "/api/v2/summary.json",
  "/api/v2/status.json",
  "/api/v2/components.json",
  "/api/v2/incidents.json",
  "/api/v2/incidents/unresolved.json",
  "/history.atom",
  "/history.rss",
];
