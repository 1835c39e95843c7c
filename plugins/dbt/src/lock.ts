// One dbt invocation at a time per project directory, across processes: dbt's
// target/ holds the artifacts of one invocation, and two plugin processes may
// share a work root. The lock is a file created exclusively, holding the
// owner's pid; a lock whose owner is gone is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

const LOCK_FILE = ".floe-lock";
const POLL_MS = 50;

function ownerAlive(path: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path, "utf8").trim());
  } catch {
    return true; // Being written right now: its owner is alive.
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Waits for the project's lock (or for `signal`, rejecting with its reason); resolves to the release function. */
export async function lockProject(dir: string, signal: AbortSignal): Promise<() => void> {
  const path = join(dir, LOCK_FILE);
  for (;;) {
    if (signal.aborted) throw signal.reason;
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (!ownerAlive(path)) {
      rmSync(path, { force: true });
      continue;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, POLL_MS);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  }
}
