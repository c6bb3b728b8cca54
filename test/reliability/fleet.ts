// The muster processes of a reliability run, each in a slot that a
// supervisor keeps filled: killed (SIGKILL) or failed to start (its database
// unreachable), the slot is started again, as Kubernetes or systemd would.
import { killMusterProcess, type MusterProcess, startMusterProcess } from "../helpers/muster-process.js";

export interface Fleet {
  /** Ports of the processes up now. */
  ports(): number[];
  /** SIGKILL slot i's process; the supervisor starts another. */
  kill(slot: number): Promise<boolean>;
  /** Resolves when every slot has a process up. */
  allUp(timeoutMs: number): Promise<boolean>;
  counts: { started: number; failedStarts: number; killed: number; diedByThemselves: number };
  /** How each process that died by itself ended: exit code and the end of its stderr. */
  crashes: string[];
  stop(): Promise<void>;
}

export async function startFleet(
  size: number,
  env: Record<string, string>,
  o: { compiled?: boolean } = {},
): Promise<Fleet> {
  const slots: (MusterProcess | null)[] = Array.from({ length: size }, () => null);
  const counts = { started: 0, failedStarts: 0, killed: 0, diedByThemselves: 0 };
  const killing = new Set<MusterProcess>();
  const crashes: string[] = [];
  let stopping = false;

  async function supervise(slot: number): Promise<void> {
    while (!stopping) {
      let p: MusterProcess;
      try {
        p = await startMusterProcess(env, 60_000, o);
      } catch {
        counts.failedStarts++;
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (stopping) {
        await killMusterProcess(p);
        return;
      }
      counts.started++;
      slots[slot] = p;
      const code = await p.exited;
      slots[slot] = null;
      if (!killing.delete(p) && !stopping) {
        counts.diedByThemselves++;
        crashes.push(`exit ${code}: ${p.stderr().trim().split("\n").slice(-45).join("\n    ")}`);
      }
    }
  }

  const loops = slots.map((_, i) => supervise(i));
  const fleet: Fleet = {
    ports: () => slots.filter((p): p is MusterProcess => p?.alive() === true).map((p) => p.port),
    async kill(slot) {
      const p = slots[slot];
      if (!p?.alive()) return false;
      killing.add(p);
      counts.killed++;
      await killMusterProcess(p);
      return true;
    },
    async allUp(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (slots.some((p) => !p?.alive())) {
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 100));
      }
      return true;
    },
    counts,
    crashes,
    async stop() {
      stopping = true;
      await Promise.all(slots.map((p) => (p ? killMusterProcess(p) : undefined)));
      await Promise.all(loops);
    },
  };
  return fleet;
}
