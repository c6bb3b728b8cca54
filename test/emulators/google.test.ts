// Drives the Google emulator with the real @googleapis/docs and @googleapis/drive clients, so the emulator is held to
// what those clients send and read (paths, query parameters, bodies, error shapes).
import { type docs_v1, docs as docsApi } from "@googleapis/docs";
import { type drive_v3, drive as driveApi } from "@googleapis/drive";
import { OAuth2Client } from "google-auth-library";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type GoogleEmulator, startGoogleEmulator } from "./google.js";

/** What a failed call rejects with: a GaxiosError. Only the fields muster relies on. */
interface ClientError extends Error {
  status?: number;
  code?: unknown;
  response?: {
    status: number;
    headers: Headers;
    data: {
      error: {
        code: number;
        message: string;
        status?: string;
        errors: { domain: string; reason: string; message: string; location?: string }[];
      };
    };
  };
}

async function rejection(call: Promise<unknown>): Promise<ClientError> {
  try {
    await call;
  } catch (err) {
    return err as ClientError;
  }
  throw new Error("expected the call to fail");
}

function clients(emu: GoogleEmulator, token = "ya29.test") {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: token });
  // retry: false — gaxios would otherwise retry idempotent calls (GET, DELETE) on 429/5xx with backoff.
  return {
    docs: docsApi({ version: "v1", auth, rootUrl: emu.url, retry: false }),
    drive: driveApi({ version: "v3", auth, rootUrl: emu.url, retry: false }),
  };
}

type Element = docs_v1.Schema$StructuralElement;

const paragraphText = (el: Element) => (el.paragraph?.elements ?? []).map((e) => e.textRun?.content ?? "").join("");

let emu: GoogleEmulator;
let docs: docs_v1.Docs;
let drive: drive_v3.Drive;

beforeAll(async () => {
  emu = await startGoogleEmulator();
  ({ docs, drive } = clients(emu));
});
afterAll(() => emu.close());
beforeEach(() => emu.faults.reset());

async function newDoc(title = "Incident notes"): Promise<string> {
  const res = await docs.documents.create({ requestBody: { title } });
  return res.data.documentId!;
}

async function update(documentId: string, requests: docs_v1.Schema$Request[]) {
  return (await docs.documents.batchUpdate({ documentId, requestBody: { requests } })).data;
}

async function content(documentId: string): Promise<Element[]> {
  return (await docs.documents.get({ documentId })).data.body?.content ?? [];
}

describe("Docs: documents", () => {
  it("creates a blank doc: a Google Doc in My Drive holding one empty paragraph at [1, 2)", async () => {
    const created = await docs.documents.create({ requestBody: { title: "INC-1 notes" } });
    const id = created.data.documentId!;
    expect(created.data.title).toBe("INC-1 notes");
    expect(created.data.revisionId).toBeTruthy();
    const [section, paragraph, ...rest] = created.data.body?.content ?? [];
    expect(section).toMatchObject({ endIndex: 1, sectionBreak: {} });
    expect(section?.startIndex).toBeUndefined();
    expect(paragraph).toMatchObject({
      startIndex: 1,
      endIndex: 2,
      paragraph: {
        elements: [{ startIndex: 1, endIndex: 2, textRun: { content: "\n" } }],
        paragraphStyle: { namedStyleType: "NORMAL_TEXT" },
      },
    });
    expect(rest).toEqual([]);

    const file = await drive.files.get({ fileId: id, fields: "id,name,mimeType,parents,webViewLink,trashed" });
    expect(file.data).toMatchObject({
      id,
      name: "INC-1 notes",
      mimeType: "application/vnd.google-apps.document",
      webViewLink: `https://docs.google.com/document/d/${id}/edit`,
      trashed: false,
    });
    expect(file.data.parents).toHaveLength(1);
    const root = await drive.files.get({ fileId: "root", fields: "id,name,mimeType" });
    expect(root.data).toMatchObject({ id: file.data.parents?.[0], mimeType: "application/vnd.google-apps.folder" });
    // Without `fields` Drive answers only kind, id, name and mimeType.
    const bare = await drive.files.get({ fileId: id });
    expect(Object.keys(bare.data).sort()).toEqual(["id", "kind", "mimeType", "name"]);
  });

  it("counts indexes in UTF-16 code units (an emoji is 2, a CJK character 1)", async () => {
    const id = await newDoc();
    await update(id, [{ insertText: { text: "Fire 🔥 火災", location: { index: 1 } } }]);
    const [, paragraph] = await content(id);
    // "Fire " 5 + "🔥" 2 + " " 1 + "火災" 2 + "\n" 1 = 11 code units from index 1.
    expect(paragraph).toMatchObject({ startIndex: 1, endIndex: 12 });
    expect(paragraph && paragraphText(paragraph)).toBe("Fire 🔥 火災\n");

    // Insert right after the emoji: index 1 + 5 + 2.
    await update(id, [{ insertText: { text: "!", location: { index: 8 } } }]);
    expect(emu.documentText(id)).toBe("Fire 🔥! 火災\n");

    // Index 7 is between the two halves of the emoji.
    const err = await rejection(update(id, [{ insertText: { text: "x", location: { index: 7 } } }]));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/surrogate pair/);
  });

  it("inserts text and styles a heading, read back as HEADING_1 with a headingId", async () => {
    const id = await newDoc();
    const reply = await update(id, [
      { insertText: { text: "Summary\nThe API was down.\n", location: { index: 1 } } },
      {
        updateParagraphStyle: {
          range: { startIndex: 1, endIndex: 9 },
          paragraphStyle: { namedStyleType: "HEADING_1" },
          fields: "namedStyleType",
        },
      },
      { updateTextStyle: { range: { startIndex: 9, endIndex: 12 }, textStyle: { bold: true }, fields: "bold" } },
    ]);
    expect(reply.documentId).toBe(id);
    expect(reply.replies).toEqual([{}, {}, {}]);
    expect(reply.writeControl?.requiredRevisionId).toBeTruthy();

    expect(emu.documentHeadings(id)).toEqual([{ style: "HEADING_1", text: "Summary" }]);
    const [, heading, body] = await content(id);
    expect(heading?.paragraph?.paragraphStyle).toMatchObject({ namedStyleType: "HEADING_1" });
    expect(heading?.paragraph?.paragraphStyle?.headingId).toMatch(/^h\./);
    expect(body?.paragraph?.elements?.map((e) => [e.textRun?.content, e.textRun?.textStyle?.bold ?? false])).toEqual([
      ["The", true],
      [" API was down.\n", false],
    ]);
  });

  it("replaceAllText reports how many it changed, honours matchCase, and refuses empty search text", async () => {
    const id = emu.addDocument({ title: "t", text: "{{a}} and {{A}}\nagain {{a}}" });
    const reply = await update(id, [
      { replaceAllText: { containsText: { text: "{{a}}", matchCase: true }, replaceText: "x" } },
      { replaceAllText: { containsText: { text: "{{A}}", matchCase: false }, replaceText: "y" } },
      { replaceAllText: { containsText: { text: "nothing" }, replaceText: "z" } },
    ]);
    expect(reply.replies).toEqual([
      { replaceAllText: { occurrencesChanged: 2 } },
      { replaceAllText: { occurrencesChanged: 1 } },
      // As on the real API, a zero count is left out.
      { replaceAllText: {} },
    ]);
    expect(emu.documentText(id)).toBe("x and y\nagain x\n");

    const err = await rejection(update(id, [{ replaceAllText: { containsText: { text: "" }, replaceText: "z" } }]));
    expect(err.status).toBe(400);
  });

  it("places a table at location + 1 with the real structural indexes (2×2 in an empty doc → cells 5, 7, 10, 12)", async () => {
    const id = await newDoc();
    await update(id, [{ insertTable: { rows: 2, columns: 2, location: { index: 1 } } }]);
    const elements = await content(id);
    // A newline is inserted before the table, so the doc is: "\n" [1,2), table [2,13), "\n" [13,14).
    expect(elements.map((e) => [e.startIndex ?? 0, e.endIndex, e.table ? "table" : e.paragraph ? "p" : "s"])).toEqual([
      [0, 1, "s"],
      [1, 2, "p"],
      [2, 13, "table"],
      [13, 14, "p"],
    ]);
    const table = elements[2]?.table;
    expect(table).toMatchObject({ rows: 2, columns: 2 });
    expect(table?.tableRows?.map((r) => [r.startIndex, r.endIndex])).toEqual([
      [3, 8],
      [8, 13],
    ]);
    const cells = table?.tableRows?.flatMap((r) => r.tableCells ?? []) ?? [];
    expect(cells.map((c) => [c.startIndex, c.endIndex, c.content?.[0]?.startIndex])).toEqual([
      [4, 6, 5],
      [6, 8, 7],
      [9, 11, 10],
      [11, 13, 12],
    ]);

    // Structural indexes are not inside a paragraph: text cannot go there.
    for (const index of [2, 3, 4]) {
      const err = await rejection(update(id, [{ insertText: { text: "x", location: { index } } }]));
      expect(err.status).toBe(400);
      expect(err.message).toMatch(/inside the bounds of an existing paragraph/);
    }
  });

  it("splits the paragraph a table goes into, and deletes a table only whole", async () => {
    const id = emu.addDocument({ title: "t", text: "Hello world" });
    await update(id, [{ insertTable: { rows: 1, columns: 1, location: { index: 6 } } }]);
    const elements = await content(id);
    expect(elements.map((e) => [e.startIndex, e.endIndex, e.table ? "table" : paragraphText(e)])).toEqual([
      [undefined, 1, ""],
      [1, 7, "Hello\n"],
      [7, 11, "table"],
      [11, 18, " world\n"],
    ]);
    const partial = await rejection(update(id, [{ deleteContentRange: { range: { startIndex: 6, endIndex: 9 } } }]));
    expect(partial.status).toBe(400);
    await update(id, [{ deleteContentRange: { range: { startIndex: 7, endIndex: 11 } } }]);
    expect(emu.documentText(id)).toBe("Hello\n world\n");
    expect(emu.documentTables(id)).toEqual([]);
  });

  it("fills a timeline table the way muster does: read cell indexes, insert in reverse order", async () => {
    const id = await newDoc();
    await update(id, [
      { insertText: { text: "Timeline", location: { index: 1 } } },
      { insertTable: { rows: 3, columns: 2, endOfSegmentLocation: {} } },
    ]);
    const elements = await content(id);
    const tableEl = elements.find((e) => e.table);
    // endOfSegmentLocation: the newline goes before the body's last newline (index 9), the table starts at 10.
    expect(tableEl?.startIndex).toBe(10);
    const starts = (tableEl?.table?.tableRows ?? []).map((row) =>
      (row.tableCells ?? []).map((cell) => cell.content?.[0]?.startIndex ?? 0),
    );
    const values = [
      ["Time", "Event"],
      ["10:02", "Paged 🔔"],
      ["10:15", "Rolled back 回滚"],
    ];
    const inserts = starts
      .flatMap((row, r) => row.map((index, c) => ({ index, text: values[r]?.[c] ?? "" })))
      .sort((a, b) => b.index - a.index)
      .map(({ index, text }) => ({ insertText: { text, location: { index } } }));
    await update(id, inserts);

    expect(emu.documentTables(id)).toEqual([values]);
    expect(emu.documentText(id)).toBe("Timeline\nTime\nEvent\n10:02\nPaged 🔔\n10:15\nRolled back 回滚\n\n");
    // The table still ends where the GET says it does.
    const after = await content(id);
    const last = after[after.length - 1];
    expect(last?.startIndex).toBe(after.find((e) => e.table)?.endIndex);
  });

  it("applies a batchUpdate atomically: one bad request and nothing changes", async () => {
    const id = emu.addDocument({ title: "t", text: "Hello" });
    const before = (await docs.documents.get({ documentId: id })).data.revisionId;
    const err = await rejection(
      update(id, [
        { insertText: { text: "first ", location: { index: 1 } } },
        { insertText: { text: "x", location: { index: 57 } } },
      ]),
    );
    expect(err.status).toBe(400);
    expect(err.response?.data.error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
    expect(err.message).toBe(
      "Invalid requests[1].insertText: Index 57 must be less than the end index of the referenced segment, 13.",
    );
    expect(emu.documentText(id)).toBe("Hello\n");
    expect((await docs.documents.get({ documentId: id })).data.revisionId).toBe(before);

    const unknown = await rejection(update(id, [{ makeItPretty: {} } as docs_v1.Schema$Request]));
    expect(unknown.status).toBe(400);
    expect(unknown.message).toMatch(/Unknown name "makeItPretty"/);
  });

  it("deletes text ranges, merging paragraphs, but never the body's last newline", async () => {
    const id = emu.addDocument({ title: "t", text: "Alpha\nBeta" });
    await update(id, [{ deleteContentRange: { range: { startIndex: 4, endIndex: 8 } } }]);
    // [4, 8) is "ha\nB": the two paragraphs merge.
    expect(emu.documentText(id)).toBe("Alpeta\n");
    const err = await rejection(update(id, [{ deleteContentRange: { range: { startIndex: 1, endIndex: 8 } } }]));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/newline character at the end of the segment/);
    expect(emu.documentText(id)).toBe("Alpeta\n");
  });

  it("answers 404 for an unknown document", async () => {
    const err = await rejection(docs.documents.get({ documentId: "nope" }));
    expect(err.status).toBe(404);
    expect(err.response?.data.error.status).toBe("NOT_FOUND");
  });
});

describe("Drive: copy, list, update", () => {
  it("copies a template into a folder and fills its placeholders", async () => {
    const folder = emu.addFolder("Incidents");
    const template = emu.addDocument({ title: "Template", text: "Incident {{key}}\nCommander: {{commander}}" });
    const copy = await drive.files.copy({
      fileId: template,
      supportsAllDrives: true,
      fields: "id,name,parents,webViewLink,appProperties",
      requestBody: { name: "INC-42 notes", parents: [folder], appProperties: { incidentKey: "INC-42" } },
    });
    const id = copy.data.id!;
    expect(copy.data).toEqual({
      id,
      name: "INC-42 notes",
      parents: [folder],
      webViewLink: `https://docs.google.com/document/d/${id}/edit`,
      appProperties: { incidentKey: "INC-42" },
    });
    await update(id, [
      { replaceAllText: { containsText: { text: "{{key}}", matchCase: true }, replaceText: "INC-42" } },
      { replaceAllText: { containsText: { text: "{{commander}}", matchCase: true }, replaceText: "Ada" } },
    ]);
    expect(emu.documentText(id)).toBe("Incident INC-42\nCommander: Ada\n");
    expect(emu.documentText(template)).toBe("Incident {{key}}\nCommander: {{commander}}\n");
    expect((await docs.documents.get({ documentId: id })).data.title).toBe("INC-42 notes");
  });

  it("refuses a missing source or parent with Drive's 404", async () => {
    const missing = await rejection(drive.files.copy({ fileId: "nope", requestBody: { name: "x" } }));
    expect(missing.status).toBe(404);
    expect(missing.message).toBe("File not found: nope.");
    expect(missing.response?.data.error.errors[0]).toMatchObject({ reason: "notFound", domain: "global" });

    const template = emu.addDocument({ title: "T", text: "" });
    const badParent = await rejection(drive.files.copy({ fileId: template, requestBody: { parents: ["nofolder"] } }));
    expect(badParent.status).toBe(404);
  });

  it("finds a copy by appProperties, and stops finding it once trashed", async () => {
    const template = emu.addDocument({ title: "T", text: "" });
    const { data } = await drive.files.copy({
      fileId: template,
      requestBody: { name: "INC-7 notes", appProperties: { incidentKey: "INC-7", muster: "1" } },
    });
    const q = "appProperties has { key='incidentKey' and value='INC-7' } AND trashed=false";
    const found = await drive.files.list({
      q,
      fields: "files(id,name,appProperties),nextPageToken",
      spaces: "drive",
      supportsAllDrives: true,
      includeItemsFromAllDrives: true,
    });
    expect(found.data.files).toEqual([
      { id: data.id, name: "INC-7 notes", appProperties: { incidentKey: "INC-7", muster: "1" } },
    ]);

    const patched = await drive.files.update({
      fileId: data.id!,
      fields: "id,trashed,appProperties",
      requestBody: { trashed: true, appProperties: { closed: "yes" } },
    });
    // appProperties merge on update.
    expect(patched.data).toEqual({
      id: data.id,
      trashed: true,
      appProperties: { incidentKey: "INC-7", muster: "1", closed: "yes" },
    });
    expect((await drive.files.list({ q, fields: "files(id)" })).data.files).toEqual([]);
    // Without `trashed = false` Drive lists trashed files too.
    const any = await drive.files.list({ q: "appProperties has { key='incidentKey' and value='INC-7' }" });
    expect(any.data.files?.map((f) => f.id)).toEqual([data.id]);
  });

  it("parses names with escaped quotes, parents, mimeType; refuses a bad q; pages", async () => {
    const folder = emu.addFolder("Quoted");
    const names = ["Bob's notes", "Other", "Third"];
    for (const name of names) emu.addDocument({ title: name, text: "", parents: [folder] });
    const quoted = await drive.files.list({
      q: `name = 'Bob\\'s notes' and '${folder}' in parents and mimeType = 'application/vnd.google-apps.document'`,
    });
    expect(quoted.data.files?.map((f) => f.name)).toEqual(["Bob's notes"]);

    const bad = await rejection(drive.files.list({ q: "name = " }));
    expect(bad.status).toBe(400);
    expect(bad.response?.data.error).toMatchObject({
      code: 400,
      message: "Invalid Value",
      errors: [{ reason: "invalid", location: "q", locationType: "parameter" }],
    });

    const first = await drive.files.list({
      q: `'${folder}' in parents`,
      pageSize: 2,
      fields: "nextPageToken,files(name)",
    });
    expect(first.data.files).toHaveLength(2);
    const second = await drive.files.list({
      q: `'${folder}' in parents`,
      pageSize: 2,
      pageToken: first.data.nextPageToken!,
      fields: "nextPageToken,files(name)",
    });
    expect(second.data.nextPageToken).toBeUndefined();
    expect([...(first.data.files ?? []), ...(second.data.files ?? [])].map((f) => f.name)).toEqual(names);

    const badFields = await rejection(drive.files.get({ fileId: folder, fields: "id,webviewLink" }));
    expect(badFields.status).toBe(400);
    expect(badFields.response?.data.error.errors[0]?.location).toBe("fields");
  });

  it("limits each property to 124 bytes, as Drive does", async () => {
    const template = emu.addDocument({ title: "T", text: "" });
    const err = await rejection(
      drive.files.copy({ fileId: template, requestBody: { appProperties: { title: "x".repeat(120) } } }),
    );
    expect(err.status).toBe(400);
  });
});

describe("Drive: permissions", () => {
  it("shares with a user as writer without a notification, lists it, updates instead of duplicating", async () => {
    const id = emu.addDocument({ title: "Shared", text: "" });
    const created = await drive.permissions.create({
      fileId: id,
      sendNotificationEmail: false,
      supportsAllDrives: true,
      requestBody: { type: "user", role: "writer", emailAddress: "ada@example.com" },
    });
    // Default fields of a permission: kind, id, type, role.
    expect(created.data).toEqual({ kind: "drive#permission", id: created.data.id, type: "user", role: "writer" });
    const call = emu.requests.at(-1);
    expect(call?.query).toMatchObject({ sendNotificationEmail: "false", supportsAllDrives: "true" });

    await drive.permissions.create({
      fileId: id,
      sendNotificationEmail: false,
      requestBody: { type: "user", role: "commenter", emailAddress: "ADA@example.com" },
    });
    const listed = await drive.permissions.list({ fileId: id, fields: "permissions(id,type,role,emailAddress)" });
    expect(listed.data.permissions).toEqual([
      expect.objectContaining({ type: "user", role: "owner" }),
      { id: created.data.id, type: "user", role: "commenter", emailAddress: "ada@example.com" },
    ]);
    expect(emu.file(id)?.permissions).toHaveLength(2);

    const deleted = await drive.permissions.delete({ fileId: id, permissionId: created.data.id! });
    expect(deleted.status).toBe(204);
    expect(emu.file(id)?.permissions.map((p) => p.role)).toEqual(["owner"]);
  });

  it("refuses invalid permissions with 400", async () => {
    const id = emu.addDocument({ title: "Shared", text: "" });
    for (const requestBody of [
      { type: "user", role: "writer" },
      { type: "user", role: "boss", emailAddress: "a@example.com" },
      { type: "robot", role: "reader" },
      { type: "domain", role: "reader" },
    ]) {
      const err = await rejection(drive.permissions.create({ fileId: id, requestBody }));
      expect(err.status).toBe(400);
    }
    const domain = await drive.permissions.create({
      fileId: id,
      fields: "id,type,role,domain",
      requestBody: { type: "domain", role: "reader", domain: "example.com" },
    });
    expect(domain.data).toMatchObject({ type: "domain", role: "reader", domain: "example.com" });
  });
});

describe("auth and faults", () => {
  it("answers 401 UNAUTHENTICATED to a wrong token", async () => {
    const wrong = clients(emu, "ya29.wrong");
    const err = await rejection(wrong.docs.documents.create({ requestBody: { title: "x" } }));
    expect(err.status).toBe(401);
    expect(err.code).toBe(401);
    expect(err.response?.data.error).toMatchObject({ code: 401, status: "UNAUTHENTICATED" });
    expect(err.response?.data.error.errors[0]?.reason).toBe("authError");
    expect(err.response?.headers.get("www-authenticate")).toMatch(/invalid_token/);
  });

  it("when down answers 503 to everything and changes nothing", async () => {
    const before = emu.files().length;
    emu.faults.down = true;
    const err = await rejection(docs.documents.create({ requestBody: { title: "x" } }));
    expect(err.status).toBe(503);
    expect(err.response?.data.error).toMatchObject({
      code: 503,
      message: "The service is currently unavailable.",
      status: "UNAVAILABLE",
    });
    expect((await rejection(drive.files.list({}))).status).toBe(503);
    expect(emu.files()).toHaveLength(before);
    expect(emu.requests.at(-1)?.status).toBe(503);
  });

  it("failNext answers the error without acting; failAfterWrite acts, then answers 500", async () => {
    const id = emu.addDocument({ title: "T", text: "Hello" });
    emu.faults.failNext({ method: "POST", path: /:batchUpdate$/ }, { status: 409, reason: "conflict" });
    const failed = await rejection(update(id, [{ insertText: { text: "x", location: { index: 1 } } }]));
    expect(failed.status).toBe(409);
    expect(failed.response?.data.error.errors[0]?.reason).toBe("conflict");
    expect(emu.documentText(id)).toBe("Hello\n");

    const before = emu.files().length;
    emu.faults.failAfterWrite({ method: "POST", path: /\/copy$/ });
    const lost = await rejection(drive.files.copy({ fileId: id, requestBody: { name: "copied once" } }));
    expect(lost.status).toBe(500);
    expect(emu.files()).toHaveLength(before + 1);
    expect(emu.files().filter((f) => f.name === "copied once")).toHaveLength(1);
    expect(emu.requests.at(-1)).toMatchObject({ method: "POST", status: 500 });
    // Only once: the next copy succeeds.
    await drive.files.copy({ fileId: id, requestBody: { name: "copied again" } });
  });

  it("adds latency but still serves requests concurrently", async () => {
    emu.faults.latencyMs = 200;
    const started = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => drive.files.list({})));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(195);
    // One after the other they would take 1 s.
    expect(elapsed).toBeLessThan(900);
  });

  it("answers 404 Google-shaped to an unknown route", async () => {
    const res = await fetch(new URL("v2/whatever", emu.url), { headers: { authorization: "Bearer ya29.test" } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 404, errors: [{ reason: "notFound" }] } });
  });
});

describe("quotas", () => {
  let limited: GoogleEmulator;
  let c: ReturnType<typeof clients>;
  beforeAll(async () => {
    limited = await startGoogleEmulator({ docsWritesPerMinute: 2, driveWritesPerMinute: 1 });
    c = clients(limited);
  });
  afterAll(() => limited.close());

  it("Docs writes over the per-minute quota answer 429 RESOURCE_EXHAUSTED", async () => {
    const id = (await c.docs.documents.create({ requestBody: { title: "q" } })).data.documentId!;
    await c.docs.documents.batchUpdate({
      documentId: id,
      requestBody: { requests: [{ insertText: { text: "a", location: { index: 1 } } }] },
    });
    const err = await rejection(
      c.docs.documents.batchUpdate({
        documentId: id,
        requestBody: { requests: [{ insertText: { text: "b", location: { index: 1 } } }] },
      }),
    );
    expect(err.status).toBe(429);
    expect(err.code).toBe(429);
    expect(err.response?.data.error.status).toBe("RESOURCE_EXHAUSTED");
    expect(err.message).toMatch(/^Quota exceeded for quota metric 'Write requests'/);
    expect(limited.documentText(id)).toBe("a\n");
    // Reads are not writes.
    await c.docs.documents.get({ documentId: id });
  });

  it("Drive writes over the quota answer 403 userRateLimitExceeded", async () => {
    const template = limited.addDocument({ title: "T", text: "" });
    await c.drive.files.copy({ fileId: template, requestBody: { name: "one" } });
    const err = await rejection(c.drive.files.copy({ fileId: template, requestBody: { name: "two" } }));
    expect(err.status).toBe(403);
    expect(err.code).toBe(403);
    expect(err.response?.data.error.errors[0]).toMatchObject({
      domain: "usageLimits",
      reason: "userRateLimitExceeded",
    });
    expect(limited.files().filter((f) => f.name === "two")).toEqual([]);
  });

  it("rateLimitNext throttles the next requests whatever they are, then recovers", async () => {
    limited.faults.reset();
    const template = limited.addDocument({ title: "T", text: "x" });
    limited.faults.rateLimitNext(2);
    expect((await rejection(c.docs.documents.get({ documentId: template }))).status).toBe(429);
    expect((await rejection(c.drive.files.get({ fileId: template }))).response?.data.error.errors[0]?.reason).toBe(
      "userRateLimitExceeded",
    );
    await c.docs.documents.get({ documentId: template });
  });
});

describe("Drive: trash and deletion by people", () => {
  it("a trashed doc is listed as trashed, still readable, and restored by files.update", async () => {
    const id = await newDoc("To be trashed");
    emu.trashFile(id);
    const meta = await drive.files.get({ fileId: id, fields: "id,trashed" });
    expect(meta.data.trashed).toBe(true);
    const live = await drive.files.list({ q: "trashed = false and name = 'To be trashed'", fields: "files(id)" });
    expect(live.data.files).toEqual([]);
    expect((await docs.documents.get({ documentId: id })).data.documentId).toBe(id);
    await drive.files.update({ fileId: id, requestBody: { trashed: false } });
    expect(emu.file(id)!.trashed).toBe(false);
  });

  it("a deleted doc answers 404 from Drive and Docs", async () => {
    const id = await newDoc("To be deleted");
    emu.deleteFile(id);
    expect((await rejection(drive.files.get({ fileId: id, fields: "id" }))).status).toBe(404);
    expect((await rejection(docs.documents.get({ documentId: id }))).status).toBe(404);
  });

  it("text typed under a heading reads back under it", async () => {
    const id = emu.addDocument({ title: "PM", text: "" });
    await update(id, [
      { insertText: { location: { index: 1 }, text: "Root causes\n\nTimeline\n" } },
      {
        updateParagraphStyle: {
          range: { startIndex: 1, endIndex: 13 },
          paragraphStyle: { namedStyleType: "HEADING_1" },
          fields: "namedStyleType",
        },
      },
    ]);
    emu.writeUnderHeading(id, "Root causes", "An expired certificate");
    const paragraphs = (await content(id)).filter((el) => el.paragraph).map(paragraphText);
    expect(paragraphs.slice(0, 3)).toEqual(["Root causes\n", "An expired certificate\n", "Timeline\n"]);
  });
});
