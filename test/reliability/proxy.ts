// A small round-robin HTTP proxy in front of several muster processes, as a
// load balancer would be: each request goes to the next upstream; only when
// that upstream refuses the connection (its process is down, as a health
// check would find) is the request tried on another. Any other failure (a
// process killed while it held the request) is passed through as a 502, as
// Slack would see it.
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { closeServer, readBody } from "../emulators/http.js";

export interface Proxy {
  url: string;
  counts: { forwarded: number; refusedThenRetried: number; failed: number };
  close(): Promise<void>;
}

type Attempt = { status: number; headers: Record<string, string>; body: Buffer } | { error: string };

function forward(port: number, req: IncomingMessage, body: string): Promise<Attempt> {
  return new Promise((resolve) => {
    const headers = { ...req.headers, host: `127.0.0.1:${port}`, "content-length": String(Buffer.byteLength(body)) };
    const out = request(
      { host: "127.0.0.1", port, method: req.method, path: req.url, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
        res.on("end", () => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (typeof v === "string" && k !== "connection" && k !== "transfer-encoding") h[k] = v;
          resolve({ status: res.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
        });
      },
    );
    out.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    out.end(body);
  });
}

/** `upstreams()` names the ports to use now (processes come and go). */
export async function startProxy(upstreams: () => number[]): Promise<Proxy> {
  let next = 0;
  const counts = { forwarded: 0, refusedThenRetried: 0, failed: 0 };
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const ports = upstreams();
    const first = next++;
    let last: Attempt = { error: "no upstream" };
    for (let i = 0; i < ports.length; i++) {
      last = await forward(ports[(first + i) % ports.length]!, req, body);
      if (!("error" in last) || last.error !== "ECONNREFUSED") break;
      if (i + 1 < ports.length) counts.refusedThenRetried++;
    }
    if ("error" in last) {
      counts.failed++;
      res.writeHead(502, { "content-type": "text/plain" }).end(`bad gateway: ${last.error}`);
      return;
    }
    counts.forwarded++;
    res.writeHead(last.status, last.headers).end(last.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, counts, close: () => closeServer(server) };
}
