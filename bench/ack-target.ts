// A target for bench/ack.ts, run as a child process. Prints its port.
//   muster       muster itself, on the bench's database.
//   comparator   the minimal app a team would write by hand to do the same
//                I/O: a Bolt app that acknowledges /incident, then
//                - declare: opens the same declare modal with @slack/web-api's WebClient;
//                - help: acknowledges with the same help blocks;
//                - list: runs the same query through the raw driver
//                  (better-sqlite3) on the same database, and posts the same
//                  blocks to the response_url with Bolt's respond().
//   bare         a Bolt app that only acknowledges (the old, informational comparison).
import { App, LogLevel } from "@slack/bolt";
import Database from "better-sqlite3";
import pino from "pino";
import { parseConfig } from "../src/config.js";
import { DEFAULT_COMPANY_POLICY } from "../src/incidents/company-policy.js";
import type { Incident, RoleAssignment } from "../src/incidents/model.js";
import { startMuster } from "../src/main.js";
import { declareModal } from "../src/slack/forms/declare.js";
import { HELP_LINES } from "../src/slack/subcommands.js";
import { helpMessage, listMessage } from "../src/slack/views/messages.js";

const which = process.argv[2];
const slackUrl = process.env.BENCH_SLACK_URL!;
const secret = process.env.BENCH_SIGNING_SECRET!;
const dbFile = process.env.BENCH_DB_FILE!;

// What a hand-written app would query for "open incidents with their IC and roles".
const LIST_SQL = `
  SELECT i.*, r.id AS role_id, r.role AS role_role, r.userId AS role_userId,
         r.assignedBy AS role_assignedBy, r.assignedAt AS role_assignedAt
  FROM (SELECT * FROM Incident WHERE status IN ('investigating', 'mitigated') ORDER BY number DESC LIMIT 100) i
  LEFT JOIN RoleAssignment r ON r.incidentId = i.id AND r.endedAt IS NULL
  ORDER BY i.number DESC, r.assignedAt`;

type Row = Record<string, unknown>;
const date = (v: unknown) => (v === null ? null : new Date(String(v)));

function listItems(rows: Row[]) {
  const items: { incident: Incident; roles: RoleAssignment[]; canSee: boolean }[] = [];
  for (const r of rows) {
    let item = items.at(-1);
    if (item?.incident.id !== r.id) {
      const incident = {
        ...(r as unknown as Incident),
        private: r.private === 1,
        disrupted: r.disrupted === 1,
        impacts: JSON.parse(String(r.impacts)),
        scope: {
          components: JSON.parse(String(r.scopeComponents)),
          regions: JSON.parse(String(r.scopeRegions)),
          customersAffected: r.customersAffected as number | null,
          customers: JSON.parse(String(r.scopeCustomers ?? "[]")),
        },
        times: {
          impactStartedAt: date(r.impactStartedAt),
          detectedAt: date(r.detectedAt),
          declaredAt: date(r.declaredAt)!,
          mitigatedAt: date(r.mitigatedAt),
          resolvedAt: date(r.resolvedAt),
          closedAt: date(r.closedAt),
        },
      };
      item = { incident, roles: [], canSee: !incident.private };
      items.push(item);
    }
    if (r.role_id !== null)
      item!.roles.push({
        id: String(r.role_id),
        incidentId: String(r.id),
        role: String(r.role_role),
        userId: String(r.role_userId),
        assignedBy: String(r.role_assignedBy),
        assignedAt: new Date(String(r.role_assignedAt)),
        endedAt: null,
        endedBy: null,
      });
  }
  return items;
}

async function main() {
  if (which === "bare" || which === "comparator") {
    const app = new App({
      token: "xoxb-test",
      signingSecret: secret,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: slackUrl },
    });
    const db = which === "comparator" ? new Database(dbFile, { readonly: true, timeout: 5_000 }) : null;
    const list = db?.prepare(LIST_SQL);
    app.command("/incident", async ({ ack, command, client, respond }) => {
      if (which === "bare") return ack();
      const sub = command.text.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
      if (sub === "help") return ack({ response_type: "ephemeral", ...helpMessage(HELP_LINES) });
      await ack();
      if (sub === "declare") {
        await client.views.open({
          trigger_id: command.trigger_id,
          view: declareModal({
            declarerId: command.user_id,
            origin: command.channel_id,
            policy: DEFAULT_COMPANY_POLICY,
          }),
        });
      } else if (sub === "list") {
        await respond({ response_type: "ephemeral", ...listMessage(listItems(list!.all() as Row[])) });
      }
    });
    const server = (await app.start(0)) as unknown as { address(): { port: number } };
    process.stdout.write(`PORT ${server.address().port}\n`);
    return;
  }
  const parsed = parseConfig({
    DATABASE_URL: `file:${dbFile}`,
    PORT: "0",
    SLACK_BOT_TOKEN: "xoxb-test",
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slackUrl,
    LOG_LEVEL: "silent",
  });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  const muster = await startMuster(parsed.config, { logger: pino({ level: "silent" }) });
  process.stdout.write(`PORT ${muster.port}\n`);
}

main().catch((e) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
// The parent kills us when it is done; never outlive it.
process.on("disconnect", () => process.exit(0));
setInterval(() => {
  if (process.ppid === 1) process.exit(0);
}, 1000).unref();
process.on("SIGTERM", () => process.exit(0));
