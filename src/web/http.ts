// Cacheable answers: a strong ETag from the body, 304 for a matching
// If-None-Match, and Cache-Control so browsers, proxies and Statuspage
// widgets poll cheaply.
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { WebResponse } from "./server.js";

export const etagOf = (body: string | Buffer) =>
  `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;

/** True when the client already holds this version (If-None-Match lists it, weakly or not, or is *). */
export function notModified(req: IncomingMessage, etag: string): boolean {
  const header = req.headers["if-none-match"];
  if (!header) return false;
  return header.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag === etag || tag === `W/${etag}`;
  });
}

export function cacheable(
  req: IncomingMessage,
  o: { body: string; contentType: string; maxAgeSeconds?: number },
): WebResponse {
  const etag = etagOf(o.body);
  const headers = {
    etag,
    "cache-control": `public, max-age=${o.maxAgeSeconds ?? 30}`,
    // Public pages and feeds may be read from any origin (widgets fetch the JSON).
    "access-control-allow-origin": "*",
    "x-content-type-options": "nosniff",
  };
  if (notModified(req, etag)) return { status: 304, headers };
  return { status: 200, headers: { ...headers, "content-type": o.contentType }, body: o.body };
}
