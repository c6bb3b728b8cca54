// Posting to a response_url. Bolt's respond() goes through axios and a new
// connection per call; under load what matters is reusing connections and
// doing little per post, so this is a plain node:http(s) request on a
// keep-alive agent.
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

const agents = {
  "http:": new HttpAgent({ keepAlive: true, maxSockets: 256 }),
  "https:": new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
};

/** Posts a message to a response_url; false (never a throw) when it could not. */
export function respondTo(url: string | undefined, body: Record<string, unknown>): Promise<boolean> {
  let target: URL;
  try {
    target = new URL(url ?? "");
  } catch {
    return Promise.resolve(false);
  }
  if (target.protocol !== "https:" && target.protocol !== "http:") return Promise.resolve(false);
  const payload = JSON.stringify(body);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(
      target,
      {
        method: "POST",
        agent: agents[target.protocol as "http:" | "https:"],
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
        res.on("error", () => resolve(false));
      },
    );
    req.on("timeout", () => req.destroy(new Error("response_url timed out")));
    req.on("error", () => resolve(false));
    req.end(payload);
  });
}
