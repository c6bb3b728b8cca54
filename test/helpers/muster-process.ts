// A real muster process (test/helpers/muster-child.mjs) against the parent's
// emulators: started, waited for, its log lines kept, killed. Used where one
// Node process running several musters would hide what separate processes do
// (migrating at once, SIGKILL, restarts).
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { GOOGLE_TOKEN } from "./stack.js";

/** The sources under tsx, or with `compiled` the built muster (dist/) as `npm start` runs it (the caller builds first). */
const CHILD = fileURLToPath(new URL("./muster-child.mjs", import.meta.url));

export interface MusterProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  /** The process's log lines (JSON, at its LOG_LEVEL), oldest first. */
  lines: string[];
  /** Resolves with the exit code (null after a signal) when the process ends. */
  exited: Promise<number | null>;
  alive(): boolean;
  /** The last few kB the process wrote to stderr (a crash's stack). */
  stderr(): string;
}

/**
 * Forks a muster with `env` and resolves once it listens. Rejects if it exits
 * first or takes longer than `timeoutMs` (then it is killed): a muster that
 * cannot reach its database exits, as it would under a supervisor.
 */
export function startMusterProcess(
  env: Record<string, string>,
  timeoutMs = 30_000,
  o: { compiled?: boolean } = {},
): Promise<MusterProcess> {
  const child = fork(CHILD, [], {
    execArgv: o.compiled ? [] : ["--import", "tsx"],
    env: {
      ...process.env,
      ...env,
      MUSTER_CHILD_GOOGLE_TOKEN: GOOGLE_TOKEN,
      MUSTER_CHILD_FROM: o.compiled ? "dist" : "src",
    },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const lines: string[] = [];
  let buffered = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    lines.push(...parts.filter((l) => l !== ""));
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4000);
  });
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running = false;
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`muster did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("message", (m: { port?: number }) => {
      if (!m?.port) return;
      clearTimeout(timer);
      resolve({ child, pid: child.pid!, port: m.port, lines, exited, alive: () => running, stderr: () => stderr });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      const why = stderr.split("\n").find((l) => /Error|failed/.test(l)) ?? stderr.trim().split("\n")[0] ?? "";
      reject(new Error(`muster exited with ${code} before listening: ${why.trim()}`));
    });
  });
}

/** SIGKILL, and wait until the process is gone. */
export async function killMusterProcess(p: MusterProcess): Promise<void> {
  if (p.alive()) p.child.kill("SIGKILL");
  await p.exited;
}
