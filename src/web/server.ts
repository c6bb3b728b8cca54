// muster's one HTTP server: a table of routes that modules register into
// (Slack's events endpoint, the operations endpoints, the public pages), one
// error path, one request counter. Pages and Slack share the port in HTTP and
// Socket Mode alike.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface WebRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Values of the route's `:name` segments, decoded. */
  params: Record<string, string>;
  /** The request body, at most `limitBytes` (default 64 kB); a larger one answers 413 itself. */
  body(limitBytes?: number): Promise<Buffer>;
}

export interface WebResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Returns the response, or nothing when it wrote to `res` itself (e.g. Bolt does). */
export type RouteHandler = (r: WebRequest) => WebResponse | undefined | Promise<WebResponse | undefined>;

export interface Route {
  method: Method;
  /** Exact segments, or `:name` for one segment, e.g. /status/incidents/:id. GET also answers HEAD. */
  path: string;
  handle: RouteHandler;
}

export interface RouteTable {
  add(route: Route): void;
  /** The route for a request, with its parameters; `allowed` lists the methods when only the path matched. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | { allowed: Method[] } | null;
  list(): readonly Route[];
}

const DEFAULT_BODY_LIMIT = 64 * 1024;

class BodyTooLarge extends Error {}

export function createRouteTable(): RouteTable {
  const routes: Route[] = [];
  const split = (p: string) => p.split("/").filter(Boolean);
  const paramsOf = (pattern: string, path: string): Record<string, string> | null => {
    const want = split(pattern);
    const got = split(path);
    if (want.length !== got.length) return null;
    const params: Record<string, string> = {};
    for (const [i, w] of want.entries()) {
      const g = got[i] as string;
      if (w.startsWith(":")) {
        try {
          params[w.slice(1)] = decodeURIComponent(g);
        } catch {
          return null;
        }
      } else if (w !== g) return null;
    }
    return params;
  };
  return {
    add(route) {
      // Two modules claiming one path is a wiring mistake: fail at start-up, not on a request.
      const clash = routes.find(
        (r) => r.method === route.method && split(r.path).join("/") === split(route.path).join("/"),
      );
      if (clash) throw new Error(`two routes for ${route.method} ${route.path}`);
      routes.push(route);
    },
    match(method, path) {
      const m = method === "HEAD" ? "GET" : method;
      const allowed: Method[] = [];
      for (const route of routes) {
        const params = paramsOf(route.path, path);
        if (!params) continue;
        if (route.method === m) return { route, params };
        allowed.push(route.method);
      }
      return allowed.length ? { allowed } : null;
    },
    list: () => routes,
  };
}

export interface WebServerOptions {
  routes: RouteTable;
  logger: Logger;
  /** Told of each answered request with the route's pattern (never the raw path: it may carry ids). */
  observe?: (o: { method: string; route: string; status: number; seconds: number }) => void;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Too large: stop buffering and let the rest drain, so the 413 reaches the
    // client (destroying the request closed the socket before any answer).
    if (Number(req.headers["content-length"] ?? 0) > limit) {
      req.resume();
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.off("data", onData);
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const text = (status: number, body: string, headers: Record<string, string> = {}): WebResponse => ({
  status,
  headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  body: `${body}\n`,
});

export function createWebServer(o: WebServerOptions): Server {
  const { routes, logger } = o;
  return createServer((req, res) => {
    const started = performance.now();
    let label = "unmatched";
    res.once("finish", () => {
      o.observe?.({
        method: req.method ?? "GET",
        route: label,
        status: res.statusCode,
        seconds: (performance.now() - started) / 1000,
      });
    });
    const send = (r: WebResponse) => {
      if (res.headersSent) return;
      res.writeHead(r.status, r.headers ?? {});
      res.end(req.method === "HEAD" ? undefined : r.body);
    };
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://muster.invalid");
    } catch {
      return send(text(400, "bad request"));
    }
    const found = routes.match(req.method ?? "GET", url.pathname);
    if (!found) return send(text(404, "not found"));
    if ("allowed" in found) {
      const allow = [...new Set(found.allowed.flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m])))].join(", ");
      return send(text(405, "method not allowed", { allow }));
    }
    label = found.route.path;
    const request: WebRequest = {
      req,
      res,
      url,
      params: found.params,
      body: (limit = DEFAULT_BODY_LIMIT) => readBody(req, limit),
    };
    void (async () => found.route.handle(request))().then(
      (r) => {
        if (r) send(r);
      },
      (e: unknown) => {
        // The connection closes after the answer: the rest of the body is not read.
        if (e instanceof BodyTooLarge) return send(text(413, "request too large", { connection: "close" }));
        // A reference people can quote, and the same one in the log; never the error's text (it may quote incident data).
        const ref = randomUUID().slice(0, 8);
        const err = e as { name?: string; code?: string };
        logger.error({ ref, route: label, errName: err?.name, errCode: err?.code }, "a web request failed");
        send(text(500, `muster could not answer this request (reference ${ref})`));
      },
    );
  });
}

/** Listens on `port` (0: any free one) and resolves with the port taken. */
export async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as { port: number }).port;
}
