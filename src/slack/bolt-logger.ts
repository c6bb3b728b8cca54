// Bolt and the Web API client log through pino at warn and above only: their
// debug output can carry payloads.
import { type Logger as BoltLogger, LogLevel } from "@slack/bolt";
import type { Logger } from "pino";

export function boltLogger(logger: Logger): BoltLogger {
  const l = logger.child({ component: "bolt" });
  let level = LogLevel.WARN;
  return {
    debug: () => {},
    info: () => {},
    warn: (...m: unknown[]) => l.warn(m.map(String).join(" ").slice(0, 300)),
    error: (...m: unknown[]) =>
      l.error(
        m
          .map((x) => (x instanceof Error ? x.name : String(x)))
          .join(" ")
          .slice(0, 300),
      ),
    setLevel: (v) => {
      level = v;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
