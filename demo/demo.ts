// npm run demo: muster on a scratch SQLite database with the Slack, GitHub
// and Google emulators, one whole incident driven over signed HTTP from
// declaration to Closed (post-mortem written in Slack, one part imported
// from the doc, completed), then what each service received. No workspace
// or credentials needed.
import { type Stack, startStack } from "../test/helpers/stack.js";

const IC = "UALICE";
const NEXT_IC = "UBOB";
const COMMS = "UCAROL";

function out(line = "") {
  process.stdout.write(`${line}\n`);
}

async function step(stack: Stack, what: string, fn: () => Promise<unknown>) {
  const started = Date.now();
  await fn();
  await stack.settle();
  out(`✔ ${what} (${Date.now() - started} ms, outbox settled)`);
}

function plain(m: { text: string }) {
  return m.text.replace(/\s+/g, " ").slice(0, 140);
}

async function main() {
  const stack = await startStack({ logLevel: "warn" });
  const c = stack.client;
  try {
    const announce = stack.slack.channelByName("incident-response")!;
    out(`muster is listening on ${stack.url} (SQLite: ${stack.databaseUrl})\n`);

    await step(stack, "/incident declare → modal → submit", async () => {
      await c.command({ userId: IC, channelId: announce.id, text: "declare Checkout returns 502 for EU customers" });
      await c.submitView({
        userId: IC,
        callbackId: "incident_declare",
        values: {
          title: "Checkout returns 502 for EU customers",
          summary: "Payments API behind the EU load balancer answers 502 since 14:05 UTC.",
          impacts: { options: ["outage", "customer_facing"] },
          components: "payments-api, checkout",
          commanderId: { user: IC },
        },
      });
    });
    const channel = [...stack.slack.channels.values()].find((ch) => ch.name.startsWith("inc-1"))!;
    const inChannel = (userId: string, text: string) => c.command({ userId, channelId: channel.id, text });

    await step(stack, "IC classifies severity: High", async () => {
      await inChannel(IC, "severity");
      await c.submitView({
        userId: IC,
        callbackId: "incident_severity",
        values: {
          severity: { option: "high" },
          reason: "Partial outage in one region, no workaround",
          regions: "eu-west-1",
        },
      });
    });
    await step(stack, "IC assigns the communications lead", async () => {
      await inChannel(IC, "role");
      await c.submitView({
        userId: IC,
        callbackId: "incident_role",
        values: { role: { option: "communications" }, userId: { user: COMMS } },
      });
    });
    await step(stack, "Status update (internal + customer-facing)", async () => {
      await inChannel(COMMS, "update");
      await c.submitView({
        userId: COMMS,
        callbackId: "incident_update",
        values: {
          internalText: "Rolled back payments-api to v41; 502 rate falling.",
          publicText: "Some EU payments failed; we are recovering.",
        },
      });
    });
    await step(stack, "IC hands off to the next shift; successor accepts", async () => {
      await c.blockAction({ userId: IC, channelId: channel.id, actionId: "open_handoff", value: "INC-1" });
      await c.submitView({
        userId: IC,
        callbackId: "incident_handoff",
        values: {
          toUserId: { user: NEXT_IC },
          note: "Rollback done. Watching 502s. Open: root cause in LB config. Next checkpoint 18:00 UTC.",
        },
      });
      await stack.settle();
      const dm = stack.slack.messages(stack.slack.dmChannelOf(NEXT_IC)!).at(-1)!;
      const accept = (dm.blocks as { elements?: { action_id: string; value: string }[] }[])
        .flatMap((b) => b.elements ?? [])
        .find((e) => e.action_id === "handoff_accept")!;
      await c.blockAction({ userId: NEXT_IC, actionId: "handoff_accept", value: accept.value });
    });
    await step(stack, "New IC lowers severity: Medium", async () => {
      await inChannel(NEXT_IC, "severity");
      await c.submitView({
        userId: NEXT_IC,
        callbackId: "incident_severity",
        values: { severity: { option: "medium" }, reason: "Only retries fail now" },
      });
    });
    await step(stack, "Mitigated (button on the control message)", () =>
      c.blockAction({ userId: NEXT_IC, channelId: channel.id, actionId: "mitigate", value: "INC-1" }),
    );
    await step(stack, "Resolved, with who was told", async () => {
      await inChannel(NEXT_IC, "resolve");
      await c.submitView({
        userId: NEXT_IC,
        callbackId: "incident_resolve",
        values: {
          summary: "Bad LB config rolled back; payments healthy.",
          partiesInformed: "support, status page, Acme Corp",
        },
      });
    });
    await step(stack, "Follow-up action recorded (its own GitHub issue)", async () => {
      await inChannel(NEXT_IC, "followup");
      await c.submitView({
        userId: NEXT_IC,
        callbackId: "incident_follow_up",
        values: { title: "Validate LB config changes in CI", ownerId: { user: IC } },
      });
    });
    await step(stack, "Post-mortem draft filled in Slack (pre-filled timeline and impact)", async () => {
      await c.blockAction({ userId: NEXT_IC, channelId: channel.id, actionId: "open_postmortem", value: "INC-1" });
      await c.submitView({
        userId: NEXT_IC,
        callbackId: "incident_postmortem",
        values: {
          actionsTaken: "Rolled back payments-api to v41, then reverted the EU load balancer config.",
          newRisks: "No new risks: config drift between regions is already on the risk register.",
          publicSummary: "Some EU card payments failed for about 40 minutes; retries succeeded once we rolled back.",
        },
      });
    });
    const pmDoc = stack.google.files().find((f) => f.appProperties.musterKind === "google_postmortem_doc")!;
    await step(stack, "Root causes written in the post-mortem doc, then “Import from doc”", async () => {
      stack.google.writeUnderHeading(
        pmDoc.id,
        "Root causes",
        "A load balancer config change removed the EU health check, so traffic reached draining nodes.",
      );
      await c.blockAction({ userId: NEXT_IC, channelId: channel.id, actionId: "postmortem_import", value: "INC-1" });
    });
    out(`  muster: ${String(stack.slack.responseUrlPosts.at(-1)?.body.text ?? "")}`);
    await step(stack, "Post-mortem marked complete (summary comment on the issue)", async () => {
      await inChannel(NEXT_IC, "postmortem");
      await c.submitView({
        userId: NEXT_IC,
        callbackId: "incident_postmortem",
        values: { complete: { option: "complete" } },
      });
    });
    await step(stack, "Closed (the GitHub issue closes as completed)", () => inChannel(NEXT_IC, "close"));
    const told = stack.slack.responseUrlPosts.at(-1)?.body.text;
    if (told !== "INC-1 closed.") throw new Error(`close was refused: ${String(told)}`);

    out("\n── What Slack received ──");
    out(`#${channel.name} (${channel.isPrivate ? "private" : "public"}), topic: ${channel.topic}`);
    out(
      `  members: ${[...channel.members].join(", ")}; bookmarks: ${channel.bookmarks.map((b) => b.title).join(", ")}; pinned: ${channel.pins.size}`,
    );
    for (const m of stack.slack.messages(channel.id).reverse()) out(`  ${m.edited ? "(edited) " : ""}${plain(m)}`);
    out(`#incident-response:`);
    for (const m of stack.slack.messages(announce.id, { threads: true }))
      out(`  ${m.threadTs ? "  ↳ " : ""}${plain(m)}`);
    for (const u of [NEXT_IC, COMMS]) {
      out(`DMs to ${u}:`);
      for (const m of stack.slack.messages(stack.slack.dmChannelOf(u) ?? "")) out(`  ${plain(m)}`);
    }
    out(
      `Web API calls: ${stack.slack.calls.length} (${[...new Set(stack.slack.calls.map((x) => x.method))].join(", ")})`,
    );

    out("\n── What GitHub received ──");
    for (const issue of stack.github.issues("tailscale/corp")) {
      out(
        `#${issue.number} ${issue.title} [${issue.labels.join(", ")}] ${issue.state}${issue.state_reason ? ` (${issue.state_reason})` : ""}`,
      );
      for (const cm of issue.comments) out(`  💬 ${cm.body.split("\n")[0]!.slice(0, 120)}`);
    }
    out("\n── What Google received ──");
    for (const f of stack.google.files().filter((x) => x.appProperties.musterIncident)) {
      out(`${f.name}  ${f.webViewLink}`);
      out(
        `  shared with: ${f.permissions
          .filter((p) => p.role !== "owner")
          .map((p) => `${p.emailAddress} (${p.role})`)
          .join(", ")}`,
      );
      const tables = stack.google.documentTables(f.id);
      if (tables[0]) out(`  timeline table: ${tables[0].length - 1} rows`);
    }
    out("\nDemo complete.");
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
