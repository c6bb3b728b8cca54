// The risk register end to end: a risk from `/incident risk` and the risks a
// completed post-mortem lists become register entries (once), `muster risks`
// exports them, a change from `/incident risks` is kept with from and to, and
// the owner is reminded on the review date.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { SimulatedClock } from "../helpers/simulated.js";
import { type Stack, startEmulators, startStack } from "../helpers/stack.js";

const IC = "UALICE";
const BOB = "UBOB";
const STRANGER = "USTRANGER";
const sim = new SimulatedClock(Date.parse("2026-12-01T09:00:00Z"));
const clock = sim.now;
let stack: Stack;
let emulators: Awaited<ReturnType<typeof startEmulators>>;
const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), "muster-risks-")), "muster.db")}`;

beforeAll(async () => {
  emulators = await startEmulators();
  emulators.slack.users.set(STRANGER, { id: STRANGER, name: "stranger", email: "stranger@example.com" });
  stack = await startStack({ shared: emulators, databaseUrl, clock });
}, 30_000);
afterAll(async () => {
  await stack?.stop();
  await Promise.all([emulators.slack.close(), emulators.github.close(), emulators.google.close()]);
});

const channelOf = (n: number) => [...stack.slack.channels.values()].find((c) => c.name.startsWith(`inc-${n}-`))!;

async function inChannel(text: string, userId = IC) {
  await stack.client.command({ userId, channelId: channelOf(1).id, text });
  await stack.settle();
}

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(
    argv,
    { DATABASE_URL: databaseUrl },
    {
      out: (s) => {
        out += s;
      },
      err: (s) => {
        err += s;
      },
    },
  );
  return { code, out, err };
}

/** RFC 4180: quoted fields, doubled quotes, CRLF between records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    expect(text[i]).toBe('"');
    let field = "";
    i++;
    for (;;) {
      if (text[i] === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (text[i] === '"') {
        i++;
        break;
      } else field += text[i++];
    }
    row.push(field);
    if (text[i] === ",") i++;
    else {
      expect(text.slice(i, i + 2)).toBe("\r\n");
      i += 2;
      rows.push(row);
      row = [];
    }
  }
  return rows;
}

const reviewDms = () => {
  const ch = stack.slack.dmChannelOf(BOB);
  return ch ? stack.slack.messages(ch).filter((m) => m.text.includes("Time to review")) : [];
};

describe("the risk register", () => {
  it("takes a risk from /incident risk with its rating, owner and review date", async () => {
    await stack.client.command({
      userId: IC,
      channelId: stack.slack.channelByName("incident-response")!.id,
      text: "declare Billing DB lost writes",
    });
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_declare",
      values: {
        title: "Billing DB lost writes",
        summary: "x",
        impacts: { options: ["data_loss"] },
        commanderId: { user: IC },
      },
    });
    await stack.settle();
    await inChannel("risk");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_risk",
      values: {
        title: "Single DB primary",
        description: "The billing database has one primary and no tested failover",
        likelihood: { option: "medium" },
        impact: { option: "high" },
        ownerId: { user: BOB },
        reviewAt: { date: "2027-01-05" },
      },
    });
    await stack.settle();
    const json = JSON.parse((await cli("risks", "--format", "json")).out);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({
      title: "Single DB primary",
      likelihood: "medium",
      impact: "high",
      ownerId: BOB,
      reviewAt: "2027-01-05T09:00:00.000Z",
      status: "open",
      incidentKey: "INC-1",
      source: "slack",
    });
  });

  it("adds each risk the completed post-mortem lists, once, and exports them as CSV", async () => {
    await inChannel("resolve");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_resolve",
      values: { summary: "Replayed the lost writes", partiesInformed: "billing team" },
    });
    await stack.settle();
    await inChannel("postmortem");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_postmortem",
      values: {
        details: "Writes were acknowledged and lost",
        timeline: "09:00 failover, 09:40 noticed",
        impact: "2% of invoices",
        actionsTaken: "Replayed from the queue",
        rootCauses: "Asynchronous replication",
        followUps: "None beyond the risks",
        newRisks: [
          "- Single DB primary",
          '- Backups "verified" by hand, never restored,',
          "  not even once",
          "1. Replication lag is not alerted on",
        ].join("\n"),
        publicSummary: "Some invoices were delayed.",
        complete: { option: "complete" },
      },
    });
    await stack.settle();
    const rows = parseCsv((await cli("risks", "--format", "csv")).out);
    expect(rows[0]).toEqual([
      "id",
      "title",
      "description",
      "likelihood",
      "impact",
      "owner",
      "review_date",
      "status",
      "incident",
      "source",
      "created_by",
      "created_at",
    ]);
    const byTitle = new Map(rows.slice(1).map((r) => [r[1], r]));
    expect(rows).toHaveLength(4);
    expect(byTitle.get("Single DB primary")?.[9]).toBe("slack");
    const backups = byTitle.get('Backups "verified" by hand, never restored, not even once')!;
    expect(backups).toBeTruthy();
    expect(backups.slice(7, 10)).toEqual(["open", "INC-1", "postmortem"]);
    expect(byTitle.get("Replication lag is not alerted on")?.[9]).toBe("postmortem");
    const md = (await cli("risks", "--format", "markdown", "--incident", "INC-1")).out;
    expect(md).toContain("| Replication lag is not alerted on |");
  });

  it("refuses the change form to someone with no part in it", async () => {
    const [risk] = JSON.parse((await cli("risks", "--format", "json", "--owner", BOB)).out);
    await stack.client.command({
      userId: STRANGER,
      channelId: stack.slack.channelByName("incident-response")!.id,
      text: "risks",
    });
    await stack.settle();
    await stack.client.blockAction({
      userId: STRANGER,
      channelId: stack.slack.channelByName("incident-response")!.id,
      actionId: "open_risk_edit",
      value: risk.id,
    });
    await stack.settle();
    expect(JSON.stringify(stack.slack.ephemeralsFor(STRANGER).at(-1))).toContain("Only the risk's owner");
  });

  it("changes a risk from /incident risks, keeping who, when, from and to", async () => {
    await stack.client.command({
      userId: IC,
      channelId: stack.slack.channelByName("incident-response")!.id,
      text: "risks",
    });
    await stack.settle();
    const list = JSON.stringify(stack.slack.ephemeralsFor(IC).at(-1));
    expect(list).toContain("Risk register: 3 open");
    const [risk] = JSON.parse((await cli("risks", "--format", "json", "--owner", BOB)).out);
    await stack.client.blockAction({
      userId: IC,
      channelId: stack.slack.channelByName("incident-response")!.id,
      actionId: "open_risk_edit",
      value: risk.id,
    });
    await stack.client.submitView({ userId: IC, callbackId: "risk_edit", values: { status: { option: "accepted" } } });
    await stack.settle();
    const history = await cli("risks", "history", risk.id);
    expect(history.out).toMatch(/2026-12-01T09:00:00\.000Z {2}UALICE {2}status: open → accepted/);
    expect(JSON.parse((await cli("risks", "--format", "json", "--status", "accepted")).out)).toHaveLength(1);
    const moved = await cli("risks", "update", risk.id, "--review", "2027-01-12T09:00:00Z", "--as", IC);
    expect(moved.code, moved.err).toBe(0);
    expect((await cli("risks", "history", risk.id)).out).toContain(
      "reviewAt: 2027-01-05T09:00:00.000Z → 2027-01-12T09:00:00.000Z",
    );
  });

  it("reminds the owner on the review date, once, and not on the date it was moved from", async () => {
    for (const day of ["2027-01-04", "2027-01-05", "2027-01-06", "2027-01-11"]) {
      await sim.jumpTo(Date.parse(`${day}T12:00:00Z`), stack);
    }
    expect(reviewDms()).toHaveLength(0);
    for (const day of ["2027-01-12", "2027-01-13", "2027-01-20"]) {
      await sim.jumpTo(Date.parse(`${day}T12:00:00Z`), stack);
    }
    expect(reviewDms()).toHaveLength(1);
    expect(JSON.stringify(reviewDms()[0]!.blocks)).toContain("open_risk_edit");
  });
});
