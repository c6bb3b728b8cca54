// What every emulator's HTTP side needs: the request body, delays that a
// closing emulator cancels (no timer outlives it), and a close that does not
// wait for clients' keep-alive connections.
import type { IncomingMessage, Server } from "node:http";

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Sleeps for fault latencies; `cancelAll` drops them (their requests are abandoned with their connections). */
export function cancellableSleeps() {
  const timers = new Set<NodeJS.Timeout>();
  return {
    sleep(ms: number): Promise<void> {
      if (ms <= 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timer.unref();
        timers.add(timer);
      });
    },
    cancelAll() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

export function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  server.closeAllConnections();
  return closed;
}
