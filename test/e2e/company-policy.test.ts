// MUSTER_POLICY end to end: a company's own definitions are what people see
// where they pick a severity or decide whether something is an incident, and
// what the control message and the GitHub issue quote.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../helpers/stack.js";

const IC = "UALICE";
const POLICY = `
severities:
  critical: { label: SEV1, definition: "Everything is down for everyone, or data is gone." }
  high: { label: SEV2, definition: "A region or a product is down; no workaround." }
  medium:
    label: SEV3
    definition: >
      Something customers use is degraded
      and a workaround exists.
  low: { label: SEV4, definition: "Nobody outside has noticed." }
incidentDefinition: An incident is anything that pages someone at Example Corp.
vulnerabilityNote: An unexploited vulnerability goes to the security backlog, not here.
`;

let stack: Stack;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "muster-policy-"));
  writeFileSync(join(dir, "policy.yml"), POLICY);
  stack = await startStack({ env: { MUSTER_POLICY: join(dir, "policy.yml") } });
}, 30_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const lastOpened = () => JSON.stringify(stack.slack.callsTo("views.open").at(-1)!.args.view);

describe("a company's own policy file", () => {
  it("shows its names and definitions in the forms, the channel, the announcement and the issue", async () => {
    const announce = stack.slack.channelByName("incident-response")!;
    await stack.client.command({ userId: IC, channelId: announce.id, text: "declare Queue backlog" });
    const declare = lastOpened();
    expect(declare).toContain('"text":"SEV3"');
    expect(declare).toContain("Something customers use is degraded and a workaround exists.");
    expect(declare).not.toContain("Tailscale");
    await stack.client.submitView({
      userId: IC,
      callbackId: "incident_declare",
      values: { title: "Queue backlog", commanderId: { user: IC }, severity: { option: "medium" } },
    });
    await stack.settle();
    const channel = [...stack.slack.channels.values()].find((c) => c.name.startsWith("inc-1"))!;
    const control = JSON.stringify(stack.slack.messages(channel.id)[0]);
    expect(control).toContain("Something customers use is degraded and a workaround exists.");
    const issue = stack.github.issues("tailscale/corp")[0]!;
    expect(issue.body).toContain("Something customers use is degraded and a workaround exists.");
    // Its names too, wherever muster names the severity in Slack and in the issue's text.
    expect(channel.topic).toMatch(/^SEV3 · Investigating/);
    expect(control).toContain("SEV3");
    const announcement = stack.slack.messages(announce.id).find((m) => JSON.stringify(m).includes("INC-1"))!;
    expect(JSON.stringify(announcement)).toContain("SEV3");
    expect(issue.body).toContain("**Severity:** SEV3");

    await stack.client.command({ userId: IC, channelId: channel.id, text: "severity" });
    expect(lastOpened()).toContain("Everything is down for everyone, or data is gone.");
    await stack.client.command({ userId: IC, channelId: channel.id, text: "dismiss" });
    const dismiss = lastOpened();
    expect(dismiss).toContain("An incident is anything that pages someone at Example Corp.");
    expect(dismiss).toContain("An unexploited vulnerability goes to the security backlog, not here.");
  });
});
