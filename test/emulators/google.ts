/**
 * An HTTP emulator of the parts of the Google Docs v1 and Drive v3 APIs that muster uses, for tests that drive the
 * real `@googleapis/docs` and `@googleapis/drive` clients (point them at it with `rootUrl: emu.url`).
 *
 * It is strict where muster could be wrong: UTF-16 indexes, table structure indexes, atomic batchUpdate, the `fields`
 * partial response (Drive returns only kind/id/name/mimeType unless asked for more), the `q` grammar, per-minute
 * write quotas, property size limits. Where the real service is richer than muster needs (headers, footers, lists,
 * images, shared drives), it refuses loudly (501) instead of pretending.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type ChaosFaults,
  calmChaos,
  cancellableSleeps,
  closeServer,
  newChaosFaults,
  readBody,
  rollChaos,
} from "./http.js";

export interface GoogleEmulatorOptions {
  /** Accepted bearer token, default "ya29.test". */
  accessToken?: string;
  /** Per-user Docs write quota (batchUpdate, create); default 60 a minute → 429. */
  docsWritesPerMinute?: number;
  /** Drive writes (create, copy, update, delete, permissions); default 300 a minute → 403 userRateLimitExceeded. */
  driveWritesPerMinute?: number;
}

export interface RecordedRequest {
  method: string;
  /** Percent-decoded path, e.g. `/v1/documents/ID:batchUpdate`. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** Status sent; 0 while the request is still in flight. */
  status: number;
  at: number;
}

export interface EmulatedPermission {
  id: string;
  type: "user" | "group" | "domain" | "anyone";
  role: string;
  emailAddress?: string;
  domain?: string;
}

export interface EmulatedFile {
  id: string;
  name: string;
  mimeType: string;
  parents: string[];
  appProperties: Record<string, string>;
  properties: Record<string, string>;
  trashed: boolean;
  permissions: EmulatedPermission[];
  webViewLink: string;
  createdTime: string;
}

export interface GoogleFaults {
  /** Added to every response. */
  latencyMs: number;
  /** Every request → 503 UNAVAILABLE; nothing changes. */
  down: boolean;
  /** Next `count` matching requests answer an error WITHOUT performing the action. */
  failNext(
    match: { method?: string; path?: RegExp },
    opts?: { status?: number; reason?: string; count?: number; message?: string },
  ): void;
  /** Next `count` matching requests PERFORM the write, then answer 500 (connection died after the write). */
  failAfterWrite(match: { method?: string; path?: RegExp }, count?: number): void;
  /** Next `count` requests get quota errors: Docs → 429 RESOURCE_EXHAUSTED; Drive → 403 userRateLimitExceeded. */
  rateLimitNext(count: number): void;
  /** Random faults (http.ts): a failure is 503 UNAVAILABLE or 500 backendError; a lost answer 500; a rate limit is the quota error above. */
  chaos: ChaosFaults;
  /** Clears every fault and the per-minute quota windows. */
  reset(): void;
}

export interface GoogleEmulator {
  /** rootUrl with a trailing slash, e.g. http://127.0.0.1:PORT/ */
  url: string;
  requests: RecordedRequest[];
  faults: GoogleFaults;
  /** Make a Google Doc directly (e.g. a template). Paragraphs are separated by \n; returns the file id (= documentId). */
  addDocument(opts: { title: string; text: string; parents?: string[] }): string;
  addFolder(name: string): string;
  files(): EmulatedFile[];
  file(id: string): EmulatedFile | undefined;
  /** The document's full plain text (all paragraphs and table cells in order), for assertions. */
  documentText(id: string): string;
  /** The document's tables as string[][] (rows of cell texts, trimmed of the trailing \n). */
  documentTables(id: string): string[][][];
  /** Paragraphs whose namedStyleType is not NORMAL_TEXT, as {style, text} (text without its \n). */
  documentHeadings(id: string): { style: string; text: string }[];
  /** Moves a file to the trash, as a person would (Drive keeps it; `files.update {trashed:false}` restores it). */
  trashFile(id: string): void;
  /** Deletes a file for good, as a person emptying the trash would (every API answers 404). */
  deleteFile(id: string): void;
  /** Types text under a heading (the first paragraph styled HEADING_n with that text), as a person editing the doc would. */
  writeUnderHeading(id: string, heading: string, text: string): void;
  close(): Promise<void>;
}

// ─── Errors ──────────────────────────────────────────────────────────────────────────────────────────────────────────

type Api = "docs" | "drive" | "other";

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  501: "NOT_IMPLEMENTED",
  503: "UNAVAILABLE",
};
const DEFAULT_REASONS: Record<number, string> = {
  400: "badRequest",
  401: "authError",
  403: "forbidden",
  404: "notFound",
  409: "conflict",
  429: "rateLimitExceeded",
  500: "backendError",
  501: "notImplemented",
  503: "backendError",
};
const DEFAULT_MESSAGES: Record<number, string> = {
  400: "Bad Request",
  401: "Request had invalid authentication credentials.",
  403: "The caller does not have permission",
  404: "Requested entity was not found.",
  409: "Aborted",
  429: "Resource has been exhausted (e.g. check quota).",
  500: "Internal error encountered.",
  503: "The service is currently unavailable.",
};

interface ErrorDetail {
  domain?: string;
  reason?: string;
  location?: string;
  locationType?: string;
  /** gRPC-style status name; Docs errors carry one, Drive v3 errors do not unless set here. */
  status?: string;
  headers?: Record<string, string>;
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly detail: ErrorDetail = {},
  ) {
    super(message);
  }

  body(api: Api): unknown {
    const status = this.detail.status ?? (api === "drive" ? undefined : STATUS_NAMES[this.code]);
    const item: Record<string, string> = {
      message: this.message,
      domain: this.detail.domain ?? "global",
      reason: this.detail.reason ?? DEFAULT_REASONS[this.code] ?? "unknown",
    };
    if (this.detail.location) item.location = this.detail.location;
    if (this.detail.locationType) item.locationType = this.detail.locationType;
    return { error: { code: this.code, message: this.message, ...(status ? { status } : {}), errors: [item] } };
  }
}

const invalid = (message: string) => new ApiError(400, message, { reason: "badRequest" });
const invalidParameter = (name: string, message = "Invalid Value") =>
  new ApiError(400, message, { reason: "invalid", location: name, locationType: "parameter" });
const fileNotFound = (id: string) =>
  new ApiError(404, `File not found: ${id}.`, { reason: "notFound", location: "fileId", locationType: "parameter" });

// ─── Small helpers ───────────────────────────────────────────────────────────────────────────────────────────────────

type Style = Record<string, unknown>;

/** A set from a whitespace-separated list: long name lists stay readable. */
const words = (list: string): ReadonlySet<string> => new Set(list.trim().split(/\s+/));

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Proto3 JSON accepts integers as numbers or decimal strings; anything else is absent. */
function toInt(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

const randomId = (prefix: string, length: number) =>
  (prefix + randomBytes(length).toString("base64url")).slice(0, length);
const now = () => new Date().toISOString();

/** JSON with sorted keys at every depth, so styles that differ only in key order compare equal. */
function styleKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(styleKey).join(",")}]`;
  if (!isRecord(value)) return JSON.stringify(value) ?? "null";
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${styleKey(value[k])}`).join(",")}}`;
}

// ─── Document model ──────────────────────────────────────────────────────────────────────────────────────────────────
//
// Index rules (the real API's, all in UTF-16 code units): index 0 is the section break, the body starts at 1. A
// paragraph occupies its text, which always ends with exactly one "\n". A table occupies 1 index for its start, each
// row 1, each cell 1 plus its content; a cell's content is blocks like the body's (an empty cell holds one "\n"
// paragraph) and there is no index for the end of a table, row or cell. So a fresh R×C table is 1 + R·(1 + 2C) long
// and its cell (r, c) content starts at tableStart + 1 + r·(1 + 2C) + 1 + 2c + 1 while the cells are empty.

interface Para {
  kind: "paragraph";
  text: string;
  /** One text style per UTF-16 code unit of `text`. */
  styles: Style[];
  paragraphStyle: Style;
}
type Cell = Block[];
interface Table {
  kind: "table";
  rows: Cell[][];
}
type Block = Para | Table;

interface DocModel {
  title: string;
  body: Block[];
  revisionId: string;
}

const NAMED_STYLES = words(`
  NORMAL_TEXT TITLE SUBTITLE HEADING_1 HEADING_2 HEADING_3 HEADING_4 HEADING_5 HEADING_6
`);
const PARAGRAPH_STYLE_FIELDS = words(`
  namedStyleType alignment lineSpacing direction spacingMode spaceAbove spaceBelow borderBetween borderTop
  borderBottom borderLeft borderRight indentFirstLine indentStart indentEnd tabStops keepLinesTogether
  keepWithNext avoidWidowAndOrphan shading pageBreakBefore
`);
const TEXT_STYLE_FIELDS = words(`
  bold italic underline strikethrough smallCaps backgroundColor foregroundColor fontSize weightedFontFamily
  baselineOffset link
`);
/** Request kinds the real API has but this emulator does not model: refused with 501 so the gap is obvious. */
const UNMODELLED_REQUESTS = words(`
  createParagraphBullets deleteParagraphBullets createNamedRange deleteNamedRange insertInlineImage
  insertTableRow insertTableColumn deleteTableRow deleteTableColumn insertPageBreak deletePositionedObject
  updateTableColumnProperties updateTableCellStyle updateTableRowStyle replaceImage updateDocumentStyle
  mergeTableCells unmergeTableCells createHeader createFooter createFootnote replaceNamedRangeContent
  updateSectionStyle insertSectionBreak deleteHeader deleteFooter pinTableHeaderRows insertPerson insertDate
  addDocumentTab deleteTab updateDocumentTabProperties
`);

const headingId = () => `h.${randomBytes(9).toString("hex").slice(0, 12)}`;

/** Headings carry a stable headingId (links to them use it); other styles do not. */
function withHeadingId(style: Style): Style {
  const isHeading = typeof style.namedStyleType === "string" && style.namedStyleType.startsWith("HEADING_");
  if (isHeading && !style.headingId) return { ...style, headingId: headingId() };
  if (!isHeading && style.headingId) {
    const { headingId: _dropped, ...rest } = style;
    return rest;
  }
  return style;
}

/** A paragraph split off another keeps its style but must not share its headingId. */
function splitOffStyle(style: Style): Style {
  const { headingId: _dropped, ...rest } = style;
  return withHeadingId(rest);
}

const emptyParagraph = (): Para => ({
  kind: "paragraph",
  text: "\n",
  styles: [{}],
  paragraphStyle: { namedStyleType: "NORMAL_TEXT" },
});

function paragraphsFromText(text: string): Para[] {
  return text.split("\n").map((line) => ({
    kind: "paragraph",
    text: `${line}\n`,
    styles: Array.from({ length: line.length + 1 }, () => ({})),
    paragraphStyle: { namedStyleType: "NORMAL_TEXT" },
  }));
}

const contentLength = (blocks: Block[]): number => blocks.reduce((n, b) => n + blockLength(b), 0);
const blockLength = (b: Block): number =>
  b.kind === "paragraph"
    ? b.text.length
    : 1 + b.rows.reduce((n, row) => n + 1 + row.reduce((m, cell) => m + 1 + contentLength(cell), 0), 0);
const bodyEnd = (body: Block[]) => 1 + contentLength(body);

type Hit =
  | { kind: "text"; container: Block[]; at: number; para: Para; start: number; offset: number }
  | { kind: "structure"; what: "table" | "row" | "cell" };

function locate(container: Block[], start: number, index: number): Hit | undefined {
  let pos = start;
  for (let at = 0; at < container.length; at++) {
    const block = container[at]!;
    const len = blockLength(block);
    if (index < pos + len) {
      if (block.kind === "paragraph")
        return { kind: "text", container, at, para: block, start: pos, offset: index - pos };
      return locateInTable(block, pos, index);
    }
    pos += len;
  }
  return undefined;
}

function locateInTable(table: Table, start: number, index: number): Hit | undefined {
  if (index === start) return { kind: "structure", what: "table" };
  let pos = start + 1;
  for (const row of table.rows) {
    if (index === pos) return { kind: "structure", what: "row" };
    pos++;
    for (const cell of row) {
      if (index === pos) return { kind: "structure", what: "cell" };
      pos++;
      const len = contentLength(cell);
      if (index < pos + len) return locate(cell, pos, index);
      pos += len;
    }
  }
  return undefined;
}

/** The content of the one cell holding all of [start, end), with the index its content starts at. */
function cellHolding(
  table: Table,
  tableStart: number,
  start: number,
  end: number,
): { cell: Cell; start: number } | undefined {
  let pos = tableStart + 1;
  for (const row of table.rows) {
    pos++;
    for (const cell of row) {
      pos++;
      const len = contentLength(cell);
      if (start >= pos && end <= pos + len) return { cell, start: pos };
      pos += len;
    }
  }
  return undefined;
}

/** Every paragraph at any depth, in document order, with its start index. */
function* paragraphsOf(container: Block[], start = 1): Generator<{ para: Para; start: number }> {
  let pos = start;
  for (const block of container) {
    if (block.kind === "paragraph") {
      yield { para: block, start: pos };
      pos += block.text.length;
      continue;
    }
    pos++;
    for (const row of block.rows) {
      pos++;
      for (const cell of row) {
        pos++;
        yield* paragraphsOf(cell, pos);
        pos += contentLength(cell);
      }
    }
  }
}

function* tablesOf(container: Block[]): Generator<Table> {
  for (const block of container) {
    if (block.kind !== "table") continue;
    yield block;
    for (const row of block.rows) for (const cell of row) yield* tablesOf(cell);
  }
}

// Text edits work on characters (UTF-16 code units) with the paragraph style riding on each "\n", as in Docs, then
// regroup them into paragraphs; that makes splitting and merging paragraphs one rule instead of many cases.
interface Char {
  c: string;
  s: Style;
  p?: Style;
}

function charsOf(para: Para): Char[] {
  const out: Char[] = [];
  for (let i = 0; i < para.text.length; i++) {
    const c = para.text[i]!;
    out.push(c === "\n" ? { c, s: para.styles[i] ?? {}, p: para.paragraphStyle } : { c, s: para.styles[i] ?? {} });
  }
  return out;
}

function paragraphsOfChars(chars: Char[]): Para[] {
  const out: Para[] = [];
  let current: Char[] = [];
  for (const ch of chars) {
    current.push(ch);
    if (ch.c !== "\n") continue;
    out.push({
      kind: "paragraph",
      text: current.map((x) => x.c).join(""),
      styles: current.map((x) => x.s),
      paragraphStyle: ch.p ?? { namedStyleType: "NORMAL_TEXT" },
    });
    current = [];
  }
  if (current.length > 0) throw new Error("emulator bug: paragraph characters must end with a newline");
  return out;
}

/**
 * Inserted text takes the style of the character before it (the real API's usual behaviour), except that a link is
 * only continued when the insertion is inside the link, not at its end.
 */
function inheritedStyle(chars: Char[], offset: number): Style {
  const before = chars[offset - 1];
  if (!before) return {};
  const after = chars[offset];
  if (before.s.link && (!after || styleKey(after.s.link) !== styleKey(before.s.link))) {
    const { link: _dropped, ...rest } = before.s;
    return rest;
  }
  return before.s;
}

function charsFor(text: string, style: Style, paragraphStyle: Style): Char[] {
  const out: Char[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    out.push(c === "\n" ? { c, s: style, p: splitOffStyle(paragraphStyle) } : { c, s: style });
  }
  return out;
}

const isHighSurrogate = (s: string, i: number) => {
  const code = s.charCodeAt(i);
  return code >= 0xd800 && code <= 0xdbff;
};

// ─── batchUpdate requests ────────────────────────────────────────────────────────────────────────────────────────────

interface Edit {
  body: Block[];
  where: string;
}

function checkSegment(e: Edit, loc: Record<string, unknown>): void {
  if (typeof loc.segmentId === "string" && loc.segmentId !== "")
    throw invalid(
      `${e.where}: Segment '${loc.segmentId}' does not exist in this emulator (only the body is modelled).`,
    );
  if (typeof loc.tabId === "string" && loc.tabId !== "" && loc.tabId !== "t.0")
    throw invalid(`${e.where}: The tab with ID '${loc.tabId}' does not exist.`);
}

/** The insertion index of a `location` or `endOfSegmentLocation` (just before the body's final newline). */
function insertionIndex(e: Edit, req: Record<string, unknown>): number {
  const location = req.location;
  const endOfSegment = req.endOfSegmentLocation;
  if (isRecord(location) && isRecord(endOfSegment))
    throw invalid(`${e.where}: Exactly one of location or endOfSegmentLocation must be specified.`);
  if (isRecord(endOfSegment)) {
    checkSegment(e, endOfSegment);
    return bodyEnd(e.body) - 1;
  }
  if (!isRecord(location))
    throw invalid(`${e.where}: Exactly one of location or endOfSegmentLocation must be specified.`);
  checkSegment(e, location);
  const index = toInt(location.index) ?? 0;
  const end = bodyEnd(e.body);
  if (index < 1) throw invalid(`${e.where}: Index ${index} must be greater than or equal to 1.`);
  if (index >= end)
    throw invalid(`${e.where}: Index ${index} must be less than the end index of the referenced segment, ${end}.`);
  return index;
}

function textHit(e: Edit, index: number): Extract<Hit, { kind: "text" }> {
  const hit = locate(e.body, 1, index);
  if (hit?.kind !== "text")
    throw invalid(
      `${e.where}: The insertion index must be inside the bounds of an existing paragraph. You can still create new paragraphs by inserting newlines.`,
    );
  checkWholeCharacter(e, index, hit);
  return hit;
}

/** An index between the two UTF-16 halves of one character (an emoji, say) would split it. */
function checkWholeCharacter(e: Edit, index: number, hit = locate(e.body, 1, index)): void {
  if (hit?.kind === "text" && hit.offset > 0 && isHighSurrogate(hit.para.text, hit.offset - 1))
    throw invalid(`${e.where}: Index ${index} is inside a surrogate pair; it cannot split a character.`);
}

function checkRange(e: Edit, range: unknown): { start: number; end: number } {
  if (!isRecord(range)) throw invalid(`${e.where}: The range must be specified.`);
  checkSegment(e, range);
  const start = toInt(range.startIndex) ?? 0;
  const end = toInt(range.endIndex) ?? 0;
  const segmentEnd = bodyEnd(e.body);
  if (start < 1) throw invalid(`${e.where}: Index ${start} must be greater than or equal to 1.`);
  if (end <= start) throw invalid(`${e.where}: The range should not be empty.`);
  if (end > segmentEnd)
    throw invalid(
      `${e.where}: Index ${end - 1} must be less than the end index of the referenced segment, ${segmentEnd}.`,
    );
  checkWholeCharacter(e, start);
  checkWholeCharacter(e, end);
  return { start, end };
}

/** `fields` is required on style updates; "*" means every field of that style. */
function fieldMask(e: Edit, fields: unknown, known: ReadonlySet<string>): string[] {
  if (typeof fields !== "string" || fields.trim() === "")
    throw invalid(`${e.where}: At least one field must be listed in 'fields'. (Use '*' to indicate all fields.)`);
  const names = fields.split(",").map((f) => f.trim());
  if (names.includes("*")) return [...known];
  for (const name of names) {
    const head = name.split(".")[0] ?? "";
    if (!known.has(head)) throw invalid(`${e.where}: Invalid field: ${name}`);
  }
  return [...new Set(names.map((n) => n.split(".")[0] ?? n))];
}

function masked(target: Style, source: Style, mask: string[]): Style {
  const out: Style = { ...target };
  for (const name of mask) {
    if (source[name] === undefined || source[name] === null) delete out[name];
    else out[name] = structuredClone(source[name]);
  }
  return out;
}

function insertText(e: Edit, req: Record<string, unknown>): unknown {
  const text = typeof req.text === "string" ? req.text : "";
  const hit = textHit(e, insertionIndex(e, req));
  const chars = charsOf(hit.para);
  chars.splice(hit.offset, 0, ...charsFor(text, inheritedStyle(chars, hit.offset), hit.para.paragraphStyle));
  hit.container.splice(hit.at, 1, ...paragraphsOfChars(chars));
  return {};
}

function replaceAllText(e: Edit, req: Record<string, unknown>): unknown {
  const contains = isRecord(req.containsText) ? req.containsText : {};
  const search = typeof contains.text === "string" ? contains.text : "";
  if (search === "") throw invalid(`${e.where}: The containsText text must not be empty.`);
  const replacement = typeof req.replaceText === "string" ? req.replaceText : "";
  const pattern = new RegExp(search.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), contains.matchCase === true ? "g" : "gi");
  let occurrences = 0;
  const visit = (container: Block[]): void => {
    const next: Block[] = [];
    for (const block of container) {
      if (block.kind === "table") {
        for (const row of block.rows) for (const cell of row) visit(cell);
        next.push(block);
        continue;
      }
      // A match never spans paragraphs: the search runs on each paragraph's text without its newline.
      const body = block.text.slice(0, -1);
      const matches = [...body.matchAll(pattern)];
      if (matches.length === 0) {
        next.push(block);
        continue;
      }
      const chars = charsOf(block);
      for (const m of matches.reverse()) {
        const style = chars[m.index]?.s ?? {};
        chars.splice(m.index, m[0].length, ...charsFor(replacement, style, block.paragraphStyle));
      }
      occurrences += matches.length;
      next.push(...paragraphsOfChars(chars));
    }
    container.splice(0, container.length, ...next);
  };
  visit(e.body);
  // Proto3 JSON leaves out zero values: a replace that matched nothing answers {replaceAllText: {}}.
  return { replaceAllText: occurrences > 0 ? { occurrencesChanged: occurrences } : {} };
}

function updateParagraphStyle(e: Edit, req: Record<string, unknown>): unknown {
  const { start, end } = checkRange(e, req.range);
  const style = isRecord(req.paragraphStyle) ? req.paragraphStyle : {};
  const mask = fieldMask(e, req.fields, PARAGRAPH_STYLE_FIELDS);
  if (
    mask.includes("namedStyleType") &&
    style.namedStyleType !== undefined &&
    !NAMED_STYLES.has(String(style.namedStyleType))
  )
    throw invalid(`${e.where}: Invalid value at 'paragraphStyle.named_style_type' (${String(style.namedStyleType)}).`);
  for (const { para, start: pStart } of paragraphsOf(e.body)) {
    if (pStart >= end || pStart + para.text.length <= start) continue;
    const next = masked(para.paragraphStyle, style, mask);
    if (next.namedStyleType === undefined) next.namedStyleType = "NORMAL_TEXT";
    para.paragraphStyle = withHeadingId(next);
  }
  return {};
}

function updateTextStyle(e: Edit, req: Record<string, unknown>): unknown {
  const { start, end } = checkRange(e, req.range);
  const style = isRecord(req.textStyle) ? req.textStyle : {};
  const mask = fieldMask(e, req.fields, TEXT_STYLE_FIELDS);
  if (mask.includes("link") && style.link !== undefined) {
    const link = style.link;
    if (!isRecord(link) || !["url", "bookmarkId", "headingId", "tabId"].some((k) => typeof link[k] === "string"))
      throw invalid(`${e.where}: The link must have a url, bookmarkId, headingId or tabId.`);
  }
  for (const { para, start: pStart } of paragraphsOf(e.body)) {
    for (let i = Math.max(0, start - pStart); i < para.text.length && pStart + i < end; i++) {
      para.styles[i] = masked(para.styles[i] ?? {}, style, mask);
    }
  }
  return {};
}

function insertTable(e: Edit, req: Record<string, unknown>): unknown {
  const rows = toInt(req.rows) ?? 0;
  const columns = toInt(req.columns) ?? 0;
  if (rows < 1) throw invalid(`${e.where}: The number of rows must be at least 1.`);
  if (columns < 1) throw invalid(`${e.where}: The number of columns must be at least 1.`);
  const hit = textHit(e, insertionIndex(e, req));
  // The real API always inserts a newline at the location first, then the table right after it, so the table starts
  // at location.index + 1 and sits between the two halves of the split paragraph (both keep the paragraph's style).
  const chars = charsOf(hit.para);
  chars.splice(hit.offset, 0, ...charsFor("\n", inheritedStyle(chars, hit.offset), hit.para.paragraphStyle));
  const [before, after] = paragraphsOfChars(chars);
  const table: Table = {
    kind: "table",
    rows: Array.from({ length: rows }, () => Array.from({ length: columns }, () => [emptyParagraph()])),
  };
  hit.container.splice(hit.at, 1, before!, table, after!);
  return {};
}

function deleteContentRange(e: Edit, req: Record<string, unknown>): unknown {
  const { start, end } = checkRange(e, req.range);
  if (end === bodyEnd(e.body))
    throw invalid(`${e.where}: The range cannot include the newline character at the end of the segment.`);
  deleteIn(e, e.body, 1, start, end);
  return {};
}

/**
 * Deletes [start, end) inside one container (the body or one cell). Coarse on purpose: a range may remove whole
 * tables, or stay inside one cell, but not cut through table structure; and it may not leave a table without the
 * paragraph that must follow it, nor delete a cell's last newline.
 */
function deleteIn(e: Edit, container: Block[], containerStart: number, start: number, end: number): void {
  const spans: { s: number; e: number }[] = [];
  let pos = containerStart;
  for (const block of container) {
    spans.push({ s: pos, e: pos + blockLength(block) });
    pos += blockLength(block);
  }
  if (end >= pos)
    throw invalid(`${e.where}: The range cannot include the newline character at the end of a table cell.`);
  const first = spans.findIndex((sp) => start < sp.e);
  const last = spans.findIndex((sp) => end - 1 < sp.e);
  const firstBlock = container[first]!;
  const firstSpan = spans[first]!;
  if (first === last && firstBlock.kind === "table" && !(start === firstSpan.s && end === firstSpan.e)) {
    const inside = cellHolding(firstBlock, firstSpan.s, start, end);
    if (!inside) throw invalid(`${e.where}: Invalid deletion range. The range cannot cross table cell boundaries.`);
    deleteIn(e, inside.cell, inside.start, start, end);
    return;
  }
  const kept: Char[] = [];
  for (let i = first; i <= last; i++) {
    const block = container[i]!;
    const span = spans[i]!;
    if (block.kind === "table") {
      if (start > span.s || end < span.e)
        throw invalid(
          `${e.where}: Invalid deletion range. A table can only be deleted whole (from its start index to its end index).`,
        );
      continue;
    }
    charsOf(block).forEach((ch, j) => {
      const index = span.s + j;
      if (index < start || index >= end) kept.push(ch);
    });
  }
  let upTo = last;
  if (kept.length > 0 && kept[kept.length - 1]!.c !== "\n") {
    // The paragraph lost its newline: it merges into the next one, which must be a paragraph.
    const next = container[last + 1];
    if (next?.kind !== "paragraph")
      throw invalid(`${e.where}: Invalid deletion range. Cannot delete the newline character before a table.`);
    kept.push(...charsOf(next));
    upTo = last + 1;
  }
  container.splice(first, upTo - first + 1, ...paragraphsOfChars(kept));
  container.forEach((block, i) => {
    if (block.kind === "table" && container[i + 1]?.kind !== "paragraph")
      throw invalid(`${e.where}: Invalid deletion range. A table must be followed by a paragraph.`);
  });
}

const REQUEST_HANDLERS: Record<string, (e: Edit, req: Record<string, unknown>) => unknown> = {
  insertText,
  replaceAllText,
  updateParagraphStyle,
  updateTextStyle,
  insertTable,
  deleteContentRange,
};

function applyRequest(body: Block[], request: unknown, i: number): unknown {
  if (!isRecord(request)) throw invalid(`Invalid JSON payload received. 'requests[${i}]' must be an object.`);
  const kinds = Object.keys(request).filter((k) => request[k] !== undefined && request[k] !== null);
  for (const kind of kinds) {
    if (!REQUEST_HANDLERS[kind] && !UNMODELLED_REQUESTS.has(kind))
      throw invalid(`Invalid JSON payload received. Unknown name "${kind}" at 'requests[${i}]': Cannot find field.`);
  }
  if (kinds.length !== 1)
    throw invalid(`Invalid requests[${i}]: Exactly one request kind must be set; got ${kinds.length}.`);
  const kind = kinds[0]!;
  const handler = REQUEST_HANDLERS[kind];
  if (!handler)
    throw new ApiError(501, `The emulator does not model requests[${i}].${kind}.`, { reason: "notImplemented" });
  const params = request[kind];
  if (!isRecord(params)) throw invalid(`Invalid JSON payload received. 'requests[${i}].${kind}' must be an object.`);
  return handler({ body, where: `Invalid requests[${i}].${kind}` }, params);
}

// ─── Document rendering (GET /v1/documents/{id}) ─────────────────────────────────────────────────────────────────────

function renderParagraph(para: Para, start: number): unknown {
  const elements: unknown[] = [];
  let runStart = 0;
  for (let i = 1; i <= para.text.length; i++) {
    if (i < para.text.length && styleKey(para.styles[i]!) === styleKey(para.styles[runStart]!)) continue;
    elements.push({
      startIndex: start + runStart,
      endIndex: start + i,
      textRun: { content: para.text.slice(runStart, i), textStyle: structuredClone(para.styles[runStart]!) },
    });
    runStart = i;
  }
  return {
    startIndex: start,
    endIndex: start + para.text.length,
    paragraph: { elements, paragraphStyle: { direction: "LEFT_TO_RIGHT", ...structuredClone(para.paragraphStyle) } },
  };
}

function renderBlocks(blocks: Block[], start: number): unknown[] {
  const out: unknown[] = [];
  let pos = start;
  for (const block of blocks) {
    if (block.kind === "paragraph") {
      out.push(renderParagraph(block, pos));
      pos += block.text.length;
      continue;
    }
    const tableStart = pos;
    pos++;
    const tableRows = block.rows.map((row) => {
      const rowStart = pos;
      pos++;
      const tableCells = row.map((cell) => {
        const cellStart = pos;
        pos++;
        const content = renderBlocks(cell, pos);
        pos += contentLength(cell);
        return {
          startIndex: cellStart,
          endIndex: pos,
          content,
          tableCellStyle: { rowSpan: 1, columnSpan: 1, contentAlignment: "TOP" },
        };
      });
      return { startIndex: rowStart, endIndex: pos, tableCells, tableRowStyle: { minRowHeight: { unit: "PT" } } };
    });
    const columns = block.rows[0]?.length ?? 0;
    out.push({
      startIndex: tableStart,
      endIndex: pos,
      table: {
        rows: block.rows.length,
        columns,
        tableRows,
        tableStyle: {
          tableColumnProperties: Array.from({ length: columns }, () => ({ widthType: "EVENLY_DISTRIBUTED" })),
        },
      },
    });
  }
  return out;
}

function renderDocument(id: string, doc: DocModel, includeTabs: boolean): Record<string, unknown> {
  const body = {
    content: [
      {
        endIndex: 1,
        sectionBreak: {
          sectionStyle: { columnSeparatorStyle: "NONE", contentDirection: "LEFT_TO_RIGHT", sectionType: "CONTINUOUS" },
        },
      },
      ...renderBlocks(doc.body, 1),
    ],
  };
  const base = {
    documentId: id,
    title: doc.title,
    revisionId: doc.revisionId,
    suggestionsViewMode: "SUGGESTIONS_INLINE",
  };
  // With includeTabsContent=true the real API moves the content into tabs[] and leaves the top-level body out.
  if (includeTabs)
    return {
      ...base,
      tabs: [{ tabProperties: { tabId: "t.0", title: "Tab 1", index: 0 }, documentTab: { body } }],
    };
  return { ...base, body };
}

// ─── Drive model ─────────────────────────────────────────────────────────────────────────────────────────────────────

const DOC_MIME = "application/vnd.google-apps.document";
const FOLDER_MIME = "application/vnd.google-apps.folder";
const OWNER_EMAIL = "owner@emulator.test";
const ROLES = new Set(["owner", "organizer", "fileOrganizer", "writer", "commenter", "reader"]);
const PERMISSION_TYPES = new Set(["user", "group", "domain", "anyone"]);
/** Drive limits each property (key + value, UTF-8) to 124 bytes and each app to 30 of each kind per file. */
const PROPERTY_BYTES = 124;
const PROPERTIES_PER_KIND = 30;

interface FileRecord extends EmulatedFile {
  description?: string;
  modifiedTime: string;
  version: number;
}

const permissionId = (key: string) =>
  BigInt(`0x${createHash("sha256").update(key.toLowerCase()).digest("hex").slice(0, 16)}`)
    .toString()
    .padStart(20, "0");
const ownerPermission = (): EmulatedPermission => ({
  id: permissionId(OWNER_EMAIL),
  type: "user",
  role: "owner",
  emailAddress: OWNER_EMAIL,
});

function webViewLink(id: string, mimeType: string): string {
  if (mimeType === DOC_MIME) return `https://docs.google.com/document/d/${id}/edit`;
  if (mimeType === FOLDER_MIME) return `https://drive.google.com/drive/folders/${id}`;
  return `https://drive.google.com/file/d/${id}/view?usp=drivesdk`;
}

function permissionJson(p: EmulatedPermission): Record<string, unknown> {
  return {
    kind: "drive#permission",
    id: p.id,
    type: p.type,
    role: p.role,
    ...(p.emailAddress ? { emailAddress: p.emailAddress } : {}),
    ...(p.domain ? { domain: p.domain } : {}),
    ...(p.type === "domain" || p.type === "anyone" ? { allowFileDiscovery: false } : {}),
    deleted: false,
    pendingOwner: false,
  };
}

function fileJson(f: FileRecord): Record<string, unknown> {
  const nonEmpty = (m: Record<string, string>) => Object.keys(m).length > 0;
  return {
    kind: "drive#file",
    id: f.id,
    name: f.name,
    mimeType: f.mimeType,
    ...(f.description !== undefined ? { description: f.description } : {}),
    starred: false,
    trashed: f.trashed,
    explicitlyTrashed: f.trashed,
    parents: [...f.parents],
    // Drive leaves empty property maps out of its answers.
    ...(nonEmpty(f.appProperties) ? { appProperties: { ...f.appProperties } } : {}),
    ...(nonEmpty(f.properties) ? { properties: { ...f.properties } } : {}),
    spaces: ["drive"],
    version: String(f.version),
    webViewLink: f.webViewLink,
    createdTime: f.createdTime,
    modifiedTime: f.modifiedTime,
    ownedByMe: true,
    owners: [{ kind: "drive#user", displayName: "Emulator Owner", emailAddress: OWNER_EMAIL, me: true }],
    shared: f.permissions.length > 1,
    permissions: f.permissions.map(permissionJson),
    permissionIds: f.permissions.map((p) => p.id),
  };
}

const FILE_FIELDS = words(`
  kind id name mimeType description starred trashed explicitlyTrashed parents properties appProperties spaces
  version webContentLink webViewLink iconLink hasThumbnail thumbnailLink thumbnailVersion viewedByMe
  viewedByMeTime createdTime modifiedTime modifiedByMeTime modifiedByMe sharedWithMeTime sharingUser owners
  teamDriveId driveId lastModifyingUser shared ownedByMe capabilities viewersCanCopyContent
  copyRequiresWriterPermission writersCanShare permissions permissionIds hasAugmentedPermissions folderColorRgb
  originalFilename fullFileExtension fileExtension md5Checksum sha1Checksum sha256Checksum size quotaBytesUsed
  headRevisionId contentHints imageMediaMetadata videoMediaMetadata isAppAuthorized exportLinks shortcutDetails
  contentRestrictions resourceKey linkShareMetadata labelInfo trashedTime trashingUser
  inheritedPermissionsDisabled downloadRestrictions
`);
const PERMISSION_FIELDS = words(`
  kind id type emailAddress domain role view allowFileDiscovery displayName photoLink expirationTime
  teamDrivePermissionDetails permissionDetails deleted pendingOwner inheritedPermissionsDisabled
`);

// ─── Partial responses (`fields`) ────────────────────────────────────────────────────────────────────────────────────
//
// Drive v3 answers only kind, id, name and mimeType for a file (kind, id, type and role for a permission) unless
// `fields` asks for more; forgetting `fields=webViewLink` is a classic bug, so the emulator does the same.

/** Field name → sub-selection, or null for "the whole value". */
type Selection = Map<string, Selection | null>;

function mergeSelection(into: Selection, key: string, sub: Selection | null): void {
  const existing = into.get(key);
  if (existing === null) return;
  if (sub === null || existing === undefined) {
    into.set(key, sub);
    return;
  }
  for (const [k, v] of sub) mergeSelection(existing, k, v);
}

function parseFields(spec: string): Selection {
  let i = 0;
  const fail = (): never => {
    throw new ApiError(400, `Invalid field selection ${spec}`, {
      reason: "invalidParameter",
      location: "fields",
      locationType: "parameter",
    });
  };
  const skipSpace = () => {
    while (spec[i] === " ") i++;
  };
  const name = (): string => {
    skipSpace();
    const m = /^[A-Za-z0-9_*]+/.exec(spec.slice(i));
    if (!m) return fail();
    i += m[0].length;
    return m[0];
  };
  const list = (): Selection => {
    const sel: Selection = new Map();
    for (;;) {
      const path = [name()];
      while (spec[i] === "/") {
        i++;
        path.push(name());
      }
      skipSpace();
      let sub: Selection | null = null;
      if (spec[i] === "(") {
        i++;
        sub = list();
        if (spec[i] !== ")") fail();
        i++;
        skipSpace();
      }
      for (let k = path.length - 1; k > 0; k--) sub = new Map([[path[k]!, sub]]);
      mergeSelection(sel, path[0]!, sub);
      if (spec[i] !== ",") return sel;
      i++;
    }
  };
  const sel = list();
  skipSpace();
  if (i !== spec.length) fail();
  return sel;
}

function select(value: unknown, sel: Selection): unknown {
  if (Array.isArray(value)) return value.map((v) => select(v, sel));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = sel.has("*") ? { ...value } : {};
  for (const [key, sub] of sel) {
    if (key === "*" || !(key in value)) continue;
    out[key] = sub ? select(value[key], sub) : value[key];
  }
  return out;
}

function checkFields(
  sel: Selection,
  allowed: ReadonlySet<string>,
  nested: Record<string, ReadonlySet<string>> = {},
): void {
  for (const [key, sub] of sel) {
    if (key !== "*" && !allowed.has(key))
      throw new ApiError(400, `Invalid field selection ${key}`, {
        reason: "invalidParameter",
        location: "fields",
        locationType: "parameter",
      });
    const inner = nested[key];
    if (inner && sub) checkFields(sub, inner);
  }
}

function partial(
  value: unknown,
  fields: string | undefined,
  defaults: string,
  allowed: ReadonlySet<string>,
  nested: Record<string, ReadonlySet<string>> = {},
): unknown {
  const sel = parseFields(fields && fields.trim() !== "" ? fields : defaults);
  checkFields(sel, allowed, nested);
  return select(value, sel);
}

// ─── Drive `q` ───────────────────────────────────────────────────────────────────────────────────────────────────────

type Token = { t: "str" | "word" | "op"; v: string };
type Predicate = (f: FileRecord) => boolean;

const badQuery = () => invalidParameter("q");

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let v = "";
      i++;
      for (;;) {
        const d = q[i];
        if (d === undefined) throw badQuery();
        if (d === "'") break;
        if (d === "\\") {
          const escaped = q[i + 1];
          if (escaped === undefined) throw badQuery();
          v += escaped;
          i += 2;
        } else {
          v += d;
          i++;
        }
      }
      i++;
      out.push({ t: "str", v });
    } else if ("(){}=".includes(c)) {
      out.push({ t: "op", v: c });
      i++;
    } else if (c === "!" || c === "<" || c === ">") {
      const two = q.slice(i, i + 2);
      if (two === "!=" || two === "<=" || two === ">=") {
        out.push({ t: "op", v: two });
        i += 2;
      } else if (c !== "!") {
        out.push({ t: "op", v: c });
        i++;
      } else throw badQuery();
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(q.slice(i));
      if (!m) throw badQuery();
      out.push({ t: "word", v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

/** Recursive descent over the Drive query language subset: or / and / not / parentheses and the terms below. */
class QueryParser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly resolveFolder: (id: string) => string,
    private readonly textOf: (f: FileRecord) => string,
  ) {}

  parse(): Predicate {
    const p = this.or();
    if (this.pos !== this.tokens.length) throw badQuery();
    return p;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw badQuery();
    return t;
  }
  private isKeyword(t: Token | undefined, word: string): boolean {
    return t?.t === "word" && t.v.toLowerCase() === word;
  }
  private keyword(word: string): void {
    if (!this.isKeyword(this.next(), word)) throw badQuery();
  }
  private op(...ops: string[]): string {
    const t = this.next();
    if (t.t === "op" && ops.includes(t.v)) return t.v;
    if (t.t === "word" && ops.includes(t.v.toLowerCase())) return t.v.toLowerCase();
    throw badQuery();
  }
  private string(): string {
    const t = this.next();
    if (t.t !== "str") throw badQuery();
    return t.v;
  }
  private boolean(): boolean {
    const t = this.next();
    if (this.isKeyword(t, "true")) return true;
    if (this.isKeyword(t, "false")) return false;
    throw badQuery();
  }

  private or(): Predicate {
    let left = this.and();
    while (this.isKeyword(this.peek(), "or")) {
      this.pos++;
      const [a, b] = [left, this.and()];
      left = (f) => a(f) || b(f);
    }
    return left;
  }
  private and(): Predicate {
    let left = this.unary();
    while (this.isKeyword(this.peek(), "and")) {
      this.pos++;
      const [a, b] = [left, this.unary()];
      left = (f) => a(f) && b(f);
    }
    return left;
  }
  private unary(): Predicate {
    if (this.isKeyword(this.peek(), "not")) {
      this.pos++;
      const p = this.unary();
      return (f) => !p(f);
    }
    const t = this.peek();
    if (t?.t === "op" && t.v === "(") {
      this.pos++;
      const p = this.or();
      if (this.op(")") !== ")") throw badQuery();
      return p;
    }
    return this.term();
  }

  private term(): Predicate {
    const t = this.next();
    if (t.t === "str") {
      this.keyword("in");
      const collection = this.next();
      const who = t.v === "me" ? OWNER_EMAIL : t.v.toLowerCase();
      const hasRole = (f: FileRecord, roles: string[]) =>
        f.permissions.some((p) => p.emailAddress?.toLowerCase() === who && roles.includes(p.role));
      switch (collection.t === "word" ? collection.v : "") {
        case "parents": {
          const folder = this.resolveFolder(t.v);
          return (f) => f.parents.includes(folder);
        }
        case "owners":
          return (f) => hasRole(f, ["owner"]);
        case "writers":
          return (f) => hasRole(f, ["owner", "organizer", "fileOrganizer", "writer"]);
        case "readers":
          return (f) => hasRole(f, [...ROLES]);
        default:
          throw badQuery();
      }
    }
    if (t.t !== "word") throw badQuery();
    switch (t.v) {
      case "name":
      case "mimeType": {
        const field = t.v;
        const op = this.op("=", "!=", "contains");
        const value = this.string();
        if (op === "contains") return (f) => f[field].toLowerCase().includes(value.toLowerCase());
        return op === "=" ? (f) => f[field] === value : (f) => f[field] !== value;
      }
      case "fullText": {
        this.op("contains");
        const value = this.string().toLowerCase();
        return (f) => f.name.toLowerCase().includes(value) || this.textOf(f).toLowerCase().includes(value);
      }
      case "trashed":
      case "starred": {
        const field = t.v;
        const op = this.op("=", "!=");
        const value = this.boolean();
        const actual = (f: FileRecord) => (field === "trashed" ? f.trashed : false);
        return op === "=" ? (f) => actual(f) === value : (f) => actual(f) !== value;
      }
      case "createdTime":
      case "modifiedTime": {
        const field = t.v;
        const op = this.op("=", "!=", "<", "<=", ">", ">=");
        const value = Date.parse(this.string());
        if (Number.isNaN(value)) throw badQuery();
        const cmp: Record<string, (a: number) => boolean> = {
          "=": (a) => a === value,
          "!=": (a) => a !== value,
          "<": (a) => a < value,
          "<=": (a) => a <= value,
          ">": (a) => a > value,
          ">=": (a) => a >= value,
        };
        const test = cmp[op]!;
        return (f) => test(Date.parse(f[field]));
      }
      case "appProperties":
      case "properties": {
        const field = t.v;
        this.keyword("has");
        this.op("{");
        this.keyword("key");
        this.op("=");
        const key = this.string();
        this.keyword("and");
        this.keyword("value");
        this.op("=");
        const value = this.string();
        this.op("}");
        return (f) => f[field][key] === value;
      }
      default:
        throw badQuery();
    }
  }
}

// ─── The server ──────────────────────────────────────────────────────────────────────────────────────────────────────

interface Reply {
  status: number;
  body?: unknown;
}

interface FailRule {
  method?: string;
  path?: RegExp;
  remaining: number;
  status?: number;
  reason?: string;
  message?: string;
}

const apiOf = (path: string): Api =>
  path.startsWith("/v1/documents") ? "docs" : path.startsWith("/drive/v3/") ? "drive" : "other";

function matches(rule: { method?: string; path?: RegExp }, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) return false;
  if (rule.path) {
    rule.path.lastIndex = 0;
    if (!rule.path.test(path)) return false;
  }
  return true;
}

/** Sliding one-minute window of write timestamps; false when the write would exceed the limit. */
function takeQuota(window: number[], limit: number): boolean {
  const cutoff = Date.now() - 60_000;
  while (window.length > 0 && window[0]! <= cutoff) window.shift();
  if (window.length >= limit) return false;
  window.push(Date.now());
  return true;
}

export async function startGoogleEmulator(options: GoogleEmulatorOptions = {}): Promise<GoogleEmulator> {
  const accessToken = options.accessToken ?? "ya29.test";
  const docsLimit = options.docsWritesPerMinute ?? 60;
  const driveLimit = options.driveWritesPerMinute ?? 300;

  const files = new Map<string, FileRecord>();
  const documents = new Map<string, DocModel>();
  const rootId = `0A${randomBytes(12).toString("base64url").slice(0, 15)}Uk9PVA`;
  const requests: RecordedRequest[] = [];
  const docsWrites: number[] = [];
  const driveWrites: number[] = [];
  const failRules: FailRule[] = [];
  const failAfterRules: FailRule[] = [];
  let rateLimited = 0;

  const faults: GoogleFaults = {
    latencyMs: 0,
    down: false,
    failNext(match, opts = {}) {
      failRules.push({ ...match, ...opts, remaining: opts.count ?? 1 });
    },
    failAfterWrite(match, count = 1) {
      failAfterRules.push({ ...match, remaining: count });
    },
    rateLimitNext(count) {
      rateLimited = count;
    },
    chaos: newChaosFaults(),
    reset() {
      calmChaos(faults.chaos);
      faults.latencyMs = 0;
      faults.down = false;
      failRules.length = 0;
      failAfterRules.length = 0;
      rateLimited = 0;
      docsWrites.length = 0;
      driveWrites.length = 0;
    },
  };

  // ── state helpers

  const resolveParent = (id: string): string => (id === "root" ? rootId : id);

  function checkParents(parents: unknown): string[] | undefined {
    if (parents === undefined || parents === null) return undefined;
    if (!Array.isArray(parents) || parents.some((p) => typeof p !== "string")) throw invalidParameter("parents");
    // My Drive items have had exactly one parent since 2020.
    if (parents.length > 1)
      throw new ApiError(403, "Increasing the number of parents is not allowed.", { reason: "cannotAddParent" });
    return parents.map((p: string) => {
      const id = resolveParent(p);
      if (id !== rootId && files.get(id)?.mimeType !== FOLDER_MIME) throw fileNotFound(p);
      return id;
    });
  }

  function checkProperties(value: unknown, kind: "appProperties" | "properties", base: Record<string, string>) {
    if (value === undefined || value === null) return { ...base };
    if (!isRecord(value)) throw invalidParameter(kind);
    const out = { ...base };
    for (const [key, v] of Object.entries(value)) {
      if (v === null) {
        delete out[key];
        continue;
      }
      if (typeof v !== "string") throw invalidParameter(kind, `Invalid value for ${kind}.${key}: must be a string.`);
      const bytes = Buffer.byteLength(key + v, "utf8");
      if (bytes > PROPERTY_BYTES)
        throw new ApiError(
          400,
          `The size of property '${key}' (${bytes} bytes, key plus value) exceeds ${PROPERTY_BYTES} bytes.`,
          {
            reason: "invalid",
            location: `${kind}.${key}`,
          },
        );
      out[key] = v;
    }
    if (Object.keys(out).length > PROPERTIES_PER_KIND)
      throw new ApiError(400, `A file can hold at most ${PROPERTIES_PER_KIND} ${kind} per app.`, { reason: "invalid" });
    return out;
  }

  function newFile(opts: {
    name: string;
    mimeType: string;
    parents?: string[];
    appProperties?: Record<string, string>;
    properties?: Record<string, string>;
    description?: string;
  }): FileRecord {
    const id = opts.mimeType === DOC_MIME ? randomId("1", 44) : randomId("1", 33);
    const record: FileRecord = {
      ...newRecord(id, opts.name, opts.mimeType),
      ...(opts.parents ? { parents: opts.parents } : {}),
      ...(opts.appProperties ? { appProperties: opts.appProperties } : {}),
      ...(opts.properties ? { properties: opts.properties } : {}),
      ...(opts.description !== undefined ? { description: opts.description } : {}),
    };
    files.set(id, record);
    return record;
  }

  function newRecord(id: string, name: string, mimeType: string): FileRecord {
    const at = now();
    return {
      id,
      name,
      mimeType,
      parents: [rootId],
      appProperties: {},
      properties: {},
      trashed: false,
      permissions: [ownerPermission()],
      webViewLink: webViewLink(id, mimeType),
      createdTime: at,
      modifiedTime: at,
      version: 1,
    };
  }

  const newRevision = () => `AL${randomBytes(36).toString("base64url")}`;

  function newDocument(title: string, blocks: Block[], parents?: string[]): string {
    const file = newFile({ name: title, mimeType: DOC_MIME, ...(parents ? { parents } : {}) });
    documents.set(file.id, { title, body: blocks, revisionId: newRevision() });
    return file.id;
  }

  function touch(f: FileRecord): void {
    f.modifiedTime = now();
    f.version++;
  }

  function documentOf(id: string): DocModel {
    const doc = documents.get(id);
    if (doc) return doc;
    if (files.has(id))
      throw new ApiError(400, "This operation is not supported for this document", { status: "FAILED_PRECONDITION" });
    throw new ApiError(404, "Requested entity was not found.");
  }

  function fileOf(id: string): FileRecord {
    const f = files.get(resolveParent(id));
    if (!f) throw fileNotFound(id);
    return f;
  }

  // ── Docs routes

  /** Docs answers in full unless `fields` narrows it (not validated: Docs masks are rarely used by muster). */
  const docsReply = (value: unknown, query: Record<string, string>): Reply => ({
    status: 200,
    body: query.fields ? select(value, parseFields(query.fields)) : value,
  });

  function docsCreate(body: unknown, query: Record<string, string>): Reply {
    const title = isRecord(body) && typeof body.title === "string" ? body.title : "Untitled document";
    const id = newDocument(title, [emptyParagraph()]);
    return docsReply(renderDocument(id, documents.get(id)!, false), query);
  }

  function docsGet(id: string, query: Record<string, string>): Reply {
    return docsReply(renderDocument(id, documentOf(id), query.includeTabsContent === "true"), query);
  }

  function docsBatchUpdate(id: string, body: unknown, query: Record<string, string>): Reply {
    const doc = documentOf(id);
    const list = isRecord(body) ? body.requests : undefined;
    if (!Array.isArray(list) || list.length === 0) throw invalid("Must specify at least one request.");
    const control = isRecord(body) && isRecord(body.writeControl) ? body.writeControl : {};
    if (typeof control.requiredRevisionId === "string" && control.requiredRevisionId !== doc.revisionId)
      throw new ApiError(
        400,
        `The required revision ID '${control.requiredRevisionId}' does not match the latest revision of the document.`,
        { status: "FAILED_PRECONDITION", reason: "failedPrecondition" },
      );
    // Atomic: every request is applied in order to a copy, which replaces the document only if all succeed.
    const draft = structuredClone(doc.body);
    const replies = list.map((request, i) => applyRequest(draft, request, i));
    doc.body = draft;
    doc.revisionId = newRevision();
    const file = files.get(id);
    if (file) touch(file);
    return docsReply({ documentId: id, replies, writeControl: { requiredRevisionId: doc.revisionId } }, query);
  }

  // ── Drive routes

  const fileDefaults = "kind,id,name,mimeType";
  const fileReply = (f: FileRecord, query: Record<string, string>, status = 200): Reply => ({
    status,
    body: partial(fileJson(f), query.fields, fileDefaults, FILE_FIELDS),
  });

  function driveGet(id: string, query: Record<string, string>): Reply {
    if (resolveParent(id) !== rootId) return fileReply(fileOf(id), query);
    // My Drive's root folder answers a get (by "root" or its id) but is never listed nor returned by files().
    const root: FileRecord = {
      ...newRecord(rootId, "My Drive", FOLDER_MIME),
      parents: [],
    };
    return fileReply(root, query);
  }

  function driveCreate(body: unknown, query: Record<string, string>): Reply {
    const meta = isRecord(body) ? body : {};
    const mimeType = typeof meta.mimeType === "string" ? meta.mimeType : "application/octet-stream";
    const parents = checkParents(meta.parents);
    const name = typeof meta.name === "string" ? meta.name : "Untitled";
    const appProperties = checkProperties(meta.appProperties, "appProperties", {});
    const properties = checkProperties(meta.properties, "properties", {});
    const description = typeof meta.description === "string" ? meta.description : undefined;
    const common = { appProperties, properties, ...(description !== undefined ? { description } : {}) };
    if (mimeType === DOC_MIME) {
      const id = newDocument(name, [emptyParagraph()], parents);
      Object.assign(files.get(id)!, common);
      return fileReply(files.get(id)!, query);
    }
    return fileReply(newFile({ name, mimeType, ...(parents ? { parents } : {}), ...common }), query);
  }

  function driveCopy(id: string, body: unknown, query: Record<string, string>): Reply {
    const source = fileOf(id);
    if (source.mimeType === FOLDER_MIME)
      throw new ApiError(403, "This file cannot be copied by the user.", { reason: "cannotCopyFile" });
    const meta = isRecord(body) ? body : {};
    // Without parents a copy lands where its source is (Drive v3 "inherits any discoverable parents").
    const parents = checkParents(meta.parents) ?? [...source.parents];
    const name = typeof meta.name === "string" ? meta.name : `Copy of ${source.name}`;
    // Properties are not carried over from the source: the copy has only those given in the request.
    const appProperties = checkProperties(meta.appProperties, "appProperties", {});
    const properties = checkProperties(meta.properties, "properties", {});
    const description = typeof meta.description === "string" ? meta.description : source.description;
    const copy = newFile({
      name,
      mimeType: source.mimeType,
      parents,
      appProperties,
      properties,
      ...(description !== undefined ? { description } : {}),
    });
    const doc = documents.get(source.id);
    if (doc) documents.set(copy.id, { title: name, body: structuredClone(doc.body), revisionId: newRevision() });
    return fileReply(copy, query);
  }

  function drivePatch(id: string, body: unknown, query: Record<string, string>): Reply {
    const f = fileOf(id);
    const meta = isRecord(body) ? body : {};
    const appProperties = checkProperties(meta.appProperties, "appProperties", f.appProperties);
    const properties = checkProperties(meta.properties, "properties", f.properties);
    let parents = [...f.parents];
    const remove = (query.removeParents ?? "").split(",").filter(Boolean).map(resolveParent);
    parents = parents.filter((p) => !remove.includes(p));
    const add = checkParents((query.addParents ?? "").split(",").filter(Boolean));
    for (const p of add ?? []) if (!parents.includes(p)) parents.push(p);
    if (parents.length > 1)
      throw new ApiError(403, "Increasing the number of parents is not allowed.", { reason: "cannotAddParent" });
    if (meta.trashed !== undefined && typeof meta.trashed !== "boolean") throw invalidParameter("trashed");
    // Validated in full above; only now is anything changed, so a bad patch changes nothing.
    if (typeof meta.name === "string") {
      f.name = meta.name;
      const doc = documents.get(f.id);
      if (doc) doc.title = meta.name;
    }
    if (typeof meta.description === "string") f.description = meta.description;
    if (typeof meta.trashed === "boolean") f.trashed = meta.trashed;
    f.appProperties = appProperties;
    f.properties = properties;
    f.parents = parents;
    touch(f);
    return fileReply(f, query);
  }

  function driveDelete(id: string): Reply {
    const f = fileOf(id);
    files.delete(f.id);
    documents.delete(f.id);
    return { status: 204 };
  }

  function driveList(query: Record<string, string>): Reply {
    let predicate: Predicate = () => true;
    if (query.q !== undefined && query.q.trim() !== "") {
      predicate = new QueryParser(
        tokenize(query.q),
        (id) => resolveParent(id),
        (f) => (documents.has(f.id) ? plainText(documents.get(f.id)!.body) : ""),
      ).parse();
    }
    const pageSize = query.pageSize === undefined ? 100 : toInt(query.pageSize);
    if (pageSize === undefined || pageSize < 1 || pageSize > 1000)
      throw invalidParameter(
        "pageSize",
        `Invalid value '${query.pageSize}'. Values must be within the range: [1, 1000]`,
      );
    let offset = 0;
    if (query.pageToken) {
      // Page tokens are bound to the query they came from, as on Drive.
      try {
        const token = JSON.parse(Buffer.from(query.pageToken, "base64url").toString("utf8")) as {
          o: number;
          q: string;
        };
        if (token.q !== (query.q ?? "") || !Number.isInteger(token.o)) throw new Error("mismatch");
        offset = token.o;
      } catch {
        throw invalidParameter("pageToken");
      }
    }
    let matched = [...files.values()].filter(predicate);
    if (query.orderBy) matched = ordered(matched, query.orderBy);
    const page = matched.slice(offset, offset + pageSize);
    const nextOffset = offset + page.length;
    const nextPageToken =
      nextOffset < matched.length
        ? Buffer.from(JSON.stringify({ o: nextOffset, q: query.q ?? "" })).toString("base64url")
        : undefined;
    const list = {
      kind: "drive#fileList",
      incompleteSearch: false,
      ...(nextPageToken ? { nextPageToken } : {}),
      files: page.map(fileJson),
    };
    return {
      status: 200,
      body: partial(
        list,
        query.fields,
        "kind,incompleteSearch,nextPageToken,files(kind,id,name,mimeType)",
        new Set(["kind", "incompleteSearch", "nextPageToken", "files"]),
        { files: FILE_FIELDS },
      ),
    };
  }

  function ordered(list: FileRecord[], orderBy: string): FileRecord[] {
    const keys = orderBy.split(",").map((part) => {
      const [field, direction, ...rest] = part.trim().split(/\s+/);
      if (!field || !["name", "createdTime", "modifiedTime"].includes(field) || rest.length > 0)
        throw invalidParameter("orderBy");
      if (direction !== undefined && direction !== "desc" && direction !== "asc") throw invalidParameter("orderBy");
      return { field: field as "name" | "createdTime" | "modifiedTime", sign: direction === "desc" ? -1 : 1 };
    });
    return [...list].sort((a, b) => {
      for (const { field, sign } of keys) {
        const c = a[field].localeCompare(b[field]);
        if (c !== 0) return c * sign;
      }
      return 0;
    });
  }

  const permissionDefaults = "kind,id,type,role";

  function permissionCreate(id: string, body: unknown, query: Record<string, string>): Reply {
    const f = fileOf(id);
    const p = isRecord(body) ? body : {};
    const required = (field: string) =>
      new ApiError(400, `The permission ${field} field is required.`, {
        reason: "required",
        location: `permission.${field}`,
        locationType: "other",
      });
    if (typeof p.type !== "string" || p.type === "") throw required("type");
    if (!PERMISSION_TYPES.has(p.type)) throw invalidParameter("permission.type", `Invalid permission type: ${p.type}.`);
    if (typeof p.role !== "string" || p.role === "") throw required("role");
    if (!ROLES.has(p.role)) throw invalidParameter("permission.role", `Invalid permission role: ${p.role}.`);
    const type = p.type as EmulatedPermission["type"];
    let emailAddress: string | undefined;
    let domain: string | undefined;
    if (type === "user" || type === "group") {
      if (typeof p.emailAddress !== "string" || p.emailAddress === "") throw required("emailAddress");
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(p.emailAddress))
        throw invalidParameter("permission.emailAddress", `Invalid email address: ${p.emailAddress}.`);
      emailAddress = p.emailAddress;
    }
    if (type === "domain") {
      if (typeof p.domain !== "string" || p.domain === "") throw required("domain");
      domain = p.domain;
    }
    if (p.role === "owner") {
      if (type !== "user") throw invalidParameter("permission.role", "Only a user can own a file.");
      if (query.transferOwnership !== "true")
        throw new ApiError(
          403,
          "The transferOwnership parameter must be enabled when the permission role is 'owner'.",
          {
            reason: "forbidden",
          },
        );
    }
    // Granting the same grantee again changes the role of the existing permission instead of adding another.
    const existing = f.permissions.find(
      (x) =>
        x.type === type &&
        (x.emailAddress ?? "").toLowerCase() === (emailAddress ?? "").toLowerCase() &&
        (x.domain ?? "").toLowerCase() === (domain ?? "").toLowerCase(),
    );
    let permission: EmulatedPermission;
    if (existing) {
      if (existing.role === "owner" && p.role !== "owner")
        throw new ApiError(403, "The owner's role cannot be changed; transfer ownership instead.", {
          reason: "forbidden",
        });
      existing.role = p.role;
      permission = existing;
    } else {
      permission = {
        id: type === "anyone" ? "anyoneWithLink" : permissionId(emailAddress ?? domain ?? ""),
        type,
        role: p.role,
        ...(emailAddress ? { emailAddress } : {}),
        ...(domain ? { domain } : {}),
      };
      f.permissions.push(permission);
    }
    touch(f);
    return {
      status: 200,
      body: partial(permissionJson(permission), query.fields, permissionDefaults, PERMISSION_FIELDS),
    };
  }

  function permissionList(id: string, query: Record<string, string>): Reply {
    const f = fileOf(id);
    const list = { kind: "drive#permissionList", permissions: f.permissions.map(permissionJson) };
    return {
      status: 200,
      body: partial(
        list,
        query.fields,
        `kind,nextPageToken,permissions(${permissionDefaults})`,
        new Set(["kind", "nextPageToken", "permissions"]),
        { permissions: PERMISSION_FIELDS },
      ),
    };
  }

  function permissionOf(f: FileRecord, pid: string): EmulatedPermission {
    const permission = f.permissions.find((x) => x.id === pid);
    if (!permission)
      throw new ApiError(404, `Permission not found: ${pid}.`, {
        reason: "notFound",
        location: "permissionId",
        locationType: "parameter",
      });
    return permission;
  }

  function permissionGet(id: string, pid: string, query: Record<string, string>): Reply {
    const permission = permissionOf(fileOf(id), pid);
    return {
      status: 200,
      body: partial(permissionJson(permission), query.fields, permissionDefaults, PERMISSION_FIELDS),
    };
  }

  function permissionDelete(id: string, pid: string): Reply {
    const f = fileOf(id);
    const permission = permissionOf(f, pid);
    if (permission.role === "owner")
      throw new ApiError(403, "The owner of a file cannot be removed.", { reason: "cannotRemoveOwner" });
    f.permissions = f.permissions.filter((x) => x !== permission);
    touch(f);
    return { status: 204 };
  }

  // ── routing

  interface Route {
    method: string;
    pattern: RegExp;
    /** Counts toward that API's per-minute write quota. */
    write?: "docs" | "drive";
    run: (m: string[], body: unknown, query: Record<string, string>) => Reply;
  }
  const routes: Route[] = [
    { method: "POST", pattern: /^\/v1\/documents$/, write: "docs", run: (_m, b, q) => docsCreate(b, q) },
    { method: "GET", pattern: /^\/v1\/documents\/([^/:]+)$/, run: (m, _b, q) => docsGet(m[1]!, q) },
    {
      method: "POST",
      pattern: /^\/v1\/documents\/([^/:]+):batchUpdate$/,
      write: "docs",
      run: (m, b, q) => docsBatchUpdate(m[1]!, b, q),
    },
    { method: "GET", pattern: /^\/drive\/v3\/files$/, run: (_m, _b, q) => driveList(q) },
    { method: "POST", pattern: /^\/drive\/v3\/files$/, write: "drive", run: (_m, b, q) => driveCreate(b, q) },
    { method: "GET", pattern: /^\/drive\/v3\/files\/([^/]+)$/, run: (m, _b, q) => driveGet(m[1]!, q) },
    {
      method: "PATCH",
      pattern: /^\/drive\/v3\/files\/([^/]+)$/,
      write: "drive",
      run: (m, b, q) => drivePatch(m[1]!, b, q),
    },
    { method: "DELETE", pattern: /^\/drive\/v3\/files\/([^/]+)$/, write: "drive", run: (m) => driveDelete(m[1]!) },
    {
      method: "POST",
      pattern: /^\/drive\/v3\/files\/([^/]+)\/copy$/,
      write: "drive",
      run: (m, b, q) => driveCopy(m[1]!, b, q),
    },
    {
      method: "GET",
      pattern: /^\/drive\/v3\/files\/([^/]+)\/permissions$/,
      run: (m, _b, q) => permissionList(m[1]!, q),
    },
    {
      method: "POST",
      pattern: /^\/drive\/v3\/files\/([^/]+)\/permissions$/,
      write: "drive",
      run: (m, b, q) => permissionCreate(m[1]!, b, q),
    },
    {
      method: "GET",
      pattern: /^\/drive\/v3\/files\/([^/]+)\/permissions\/([^/]+)$/,
      run: (m, _b, q) => permissionGet(m[1]!, m[2]!, q),
    },
    {
      method: "DELETE",
      pattern: /^\/drive\/v3\/files\/([^/]+)\/permissions\/([^/]+)$/,
      write: "drive",
      run: (m) => permissionDelete(m[1]!, m[2]!),
    },
  ];

  function quotaError(api: Api, write: boolean): ApiError {
    if (api === "docs") {
      const metric = write ? "Write requests" : "Read requests";
      return new ApiError(
        429,
        `Quota exceeded for quota metric '${metric}' and limit '${metric} per minute per user' of service 'docs.googleapis.com' for consumer 'project_number:000000000000'.`,
        { reason: "rateLimitExceeded", status: "RESOURCE_EXHAUSTED" },
      );
    }
    return new ApiError(403, "User rate limit exceeded.", { domain: "usageLimits", reason: "userRateLimitExceeded" });
  }

  /** Everything after the body is read: faults, auth, routing. Synchronous, so each request's change is atomic. */
  function respond(
    req: IncomingMessage,
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
  ): Reply {
    const api = apiOf(path);
    if (faults.down) throw new ApiError(503, "The service is currently unavailable.", { status: "UNAVAILABLE" });
    const auth = req.headers.authorization ?? "";
    if (!/^Bearer\s+/i.test(auth) || auth.replace(/^Bearer\s+/i, "") !== accessToken)
      throw new ApiError(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        {
          reason: "authError",
          location: "Authorization",
          locationType: "header",
          status: "UNAUTHENTICATED",
          headers: { "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
        },
      );
    const rule = failRules.find((r) => r.remaining > 0 && matches(r, method, path));
    if (rule) {
      rule.remaining--;
      const status = rule.status ?? 500;
      throw new ApiError(status, rule.message ?? DEFAULT_MESSAGES[status] ?? "Injected failure.", {
        ...(rule.reason ? { reason: rule.reason } : {}),
      });
    }
    const route = routes.find((r) => r.method === method && r.pattern.test(path));
    const chaos = rollChaos(faults.chaos);
    if (chaos === "rate_limit") throw quotaError(api, route?.write !== undefined);
    if (chaos === "fail")
      throw Math.random() < 0.5
        ? new ApiError(503, "The service is currently unavailable.", { status: "UNAVAILABLE" })
        : new ApiError(500, "Internal error encountered.", { reason: "backendError" });
    if (rateLimited > 0) {
      rateLimited--;
      throw quotaError(api, route?.write !== undefined);
    }
    if (!route) throw new ApiError(404, `Not found: ${method} ${path}`, { reason: "notFound" });
    if (route.write === "docs" && !takeQuota(docsWrites, docsLimit)) throw quotaError("docs", true);
    if (route.write === "drive" && !takeQuota(driveWrites, driveLimit)) throw quotaError("drive", true);
    const reply = route.run(route.pattern.exec(path)!, body, query);
    const after = failAfterRules.find((r) => r.remaining > 0 && matches(r, method, path));
    if (after && reply.status < 300) {
      after.remaining--;
      throw new ApiError(500, "Internal error encountered.", { reason: "backendError" });
    }
    if (chaos === "lose_reply" && reply.status < 300) {
      faults.chaos.injected.lostReplies++;
      throw new ApiError(500, "Internal error encountered.", { reason: "backendError" });
    }
    return reply;
  }

  const { sleep, cancelAll } = cancellableSleeps();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    let path = url.pathname;
    try {
      // The client may percent-encode the ":" of ":batchUpdate"; match on the decoded path.
      path = decodeURIComponent(url.pathname);
    } catch {
      // Malformed escapes: keep the raw path, which then matches no route (404).
    }
    const query = Object.fromEntries(url.searchParams);
    const raw = await readBody(req);
    const record: RecordedRequest = { method, path, query, body: raw, status: 0, at: Date.now() };
    requests.push(record);
    const api = apiOf(path);
    let reply: Reply;
    let headers: Record<string, string> = {};
    try {
      let body: unknown;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch {
          throw invalid("Invalid JSON payload received. Unexpected token.");
        }
      }
      record.body = body;
      await sleep(faults.latencyMs);
      reply = respond(req, method, path, query, body);
    } catch (err) {
      // Anything but an ApiError is an emulator bug: answer 500 with the cause so the failing test shows it.
      const error =
        err instanceof ApiError
          ? err
          : new ApiError(500, `Emulator error: ${err instanceof Error ? err.stack : String(err)}`);
      reply = { status: error.code, body: error.body(api) };
      headers = error.detail.headers ?? {};
    }
    record.status = reply.status;
    if (res.destroyed) return;
    if (reply.status === 204 || reply.body === undefined) {
      res.writeHead(reply.status, headers).end();
      return;
    }
    res.writeHead(reply.status, { ...headers, "content-type": "application/json; charset=UTF-8" });
    res.end(JSON.stringify(reply.body));
  }

  const server = createServer((req, res) => {
    // Only reading the request can fail here (the client went away); there is no one left to answer.
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  const copyOut = (f: FileRecord): EmulatedFile => ({
    id: f.id,
    name: f.name,
    mimeType: f.mimeType,
    parents: [...f.parents],
    appProperties: { ...f.appProperties },
    properties: { ...f.properties },
    trashed: f.trashed,
    permissions: f.permissions.map((p) => ({ ...p })),
    webViewLink: f.webViewLink,
    createdTime: f.createdTime,
  });
  const known = (id: string): DocModel => {
    const doc = documents.get(id);
    if (!doc) throw new Error(`No Google Doc ${id} in the emulator`);
    return doc;
  };

  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    faults,
    addDocument({ title, text, parents }) {
      return newDocument(title, paragraphsFromText(text), parents?.map(resolveParent));
    },
    addFolder(name) {
      return newFile({ name, mimeType: FOLDER_MIME }).id;
    },
    files: () => [...files.values()].map(copyOut),
    file: (id) => {
      const f = files.get(id);
      return f ? copyOut(f) : undefined;
    },
    documentText: (id) => plainText(known(id).body),
    documentTables: (id) =>
      [...tablesOf(known(id).body)].map((t) =>
        t.rows.map((row) => row.map((cell) => plainText(cell).replace(/\n$/, ""))),
      ),
    trashFile(id) {
      const f = files.get(id);
      if (!f) throw new Error(`No file ${id} in the emulator`);
      f.trashed = true;
      touch(f);
    },
    deleteFile(id) {
      if (!files.delete(id)) throw new Error(`No file ${id} in the emulator`);
      documents.delete(id);
    },
    writeUnderHeading(id, heading, text) {
      const doc = known(id);
      const at = doc.body.findIndex(
        (b) =>
          b.kind === "paragraph" &&
          String(b.paragraphStyle.namedStyleType).startsWith("HEADING_") &&
          b.text === `${heading}\n`,
      );
      if (at < 0) throw new Error(`No heading "${heading}" in document ${id}`);
      const next = doc.body[at + 1];
      // An empty paragraph under the heading is where the person types; otherwise a new paragraph goes in.
      const replace = next?.kind === "paragraph" && next.text === "\n" ? 1 : 0;
      doc.body.splice(at + 1, replace, ...paragraphsFromText(text));
      doc.revisionId = newRevision();
      const f = files.get(id);
      if (f) touch(f);
    },
    documentHeadings: (id) =>
      [...paragraphsOf(known(id).body)]
        .filter(({ para }) => para.paragraphStyle.namedStyleType !== "NORMAL_TEXT")
        .map(({ para }) => ({ style: String(para.paragraphStyle.namedStyleType), text: para.text.slice(0, -1) })),
    close() {
      if (!closing) {
        cancelAll();
        closing = closeServer(server);
      }
      return closing;
    },
  };
}

function plainText(blocks: Block[]): string {
  return [...paragraphsOf(blocks)].map(({ para }) => para.text).join("");
}
