// How muster talks to PostgreSQL: two measured savings on every query, both
// through options Prisma's pg adapter and node-postgres offer.
//
// - Named prepared statements. Prisma's SQL is a small, fixed set of strings;
//   naming each (a hash of its text) lets PostgreSQL parse and plan it once
//   per connection, and node-postgres then sends only Bind/Execute.
// - One write per query. node-postgres writes each protocol message (Parse,
//   Bind, Describe, Execute, Sync) with its own socket write, each its own
//   system call: profiled under `npm run bench:store`, socket writes were a
//   quarter of a command's CPU. The socket here holds writes made in the same
//   tick and sends them together.
import { createHash } from "node:crypto";
import { Socket } from "node:net";
import type { PrismaPg } from "@prisma/adapter-pg";

type PgOptions = NonNullable<ConstructorParameters<typeof PrismaPg>[1]>;

/** A TCP socket that coalesces the writes of one tick into one system call. */
export function coalescingSocket(): Socket {
  const socket = new Socket();
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  socket.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(() => {
        corked = false;
        socket.uncork();
      });
    }
    return write(...args);
  }) as Socket["write"];
  return socket;
}

/**
 * Names statements after their SQL, up to `max` distinct texts (lists with a
 * varying number of ids make new texts; past the cap they run unnamed rather
 * than fill every connection's statement cache).
 */
export function statementNames(max = 500): PgOptions["statementNameGenerator"] {
  const names = new Map<string, string>();
  return (query) => {
    let name = names.get(query.sql);
    if (name === undefined && names.size < max) {
      name = `m_${createHash("sha1").update(query.sql).digest("hex").slice(0, 20)}`;
      names.set(query.sql, name);
    }
    return name as string;
  };
}
