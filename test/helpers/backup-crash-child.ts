// Run as a child process by backup.test.ts: takes a backup to argv[3] and,
// once the copy is written but before it gets its name, tells the parent and
// waits to be killed.
import { takeBackup } from "../../src/backup/take-backup.js";
import { targetFor } from "../../src/store/open-store.js";

const [url, out] = process.argv.slice(2) as [string, string];
await takeBackup({
  target: targetFor(url),
  out,
  takenBy: "crash-child",
  beforeCommit: async () => {
    process.send?.("halfway");
    // Hang until SIGKILL; the timer keeps the event loop (a pending promise alone does not).
    await new Promise(() => setInterval(() => {}, 60_000));
  },
});
