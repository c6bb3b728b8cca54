// The address a request came from, for rate limits. Behind a proxy every
// request comes from the proxy, so with TRUST_PROXY muster takes the last
// X-Forwarded-For entry: the one the proxy in front appended (earlier ones
// were sent by the client and prove nothing).
import type { IncomingMessage } from "node:http";

export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const last = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? ""))
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .pop();
    if (last) return last.slice(0, 100);
  }
  return req.socket.remoteAddress ?? "unknown";
}
