// Slots of a project directory: each dbt invocation holds one, and its slot
// number names its target and log directories (target-<n>, logs-<n>), because
// dbt's target/ holds the artifacts and partial-parse state of one invocation.
// Several suites on one connection thus run at once, each slot keeping its own
// partial parse warm, across plugin processes that share a work root. A slot's
// lock is a file created exclusively, holding the owner's pid; a lock whose
// owner is gone is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

const LOCK_PREFIX = ".floe-slot-";
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

function tryLock(path: string): boolean {
  try {
    const fd = openSync(path, "wx", 0o600);
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  if (ownerAlive(path)) return false;
  rmSync(path, { force: true });
  return tryLock(path);
}

export interface ProjectSlot {
  readonly slot: number;
  release(): void;
}

/**
 * Takes a free slot of the project (0 … slots − 1), waiting for one to free up
 * or for `signal` (rejecting with its reason).
 */
export async function takeSlot(
  dir: string,
  slots: number,
  signal: AbortSignal,
): Promise<ProjectSlot> {
  for (;;) {
    if (signal.aborted) throw signal.reason;
    for (let slot = 0; slot < slots; slot++) {
      const path = join(dir, `${LOCK_PREFIX}${slot}`);
      if (tryLock(path)) return { slot, release: () => rmSync(path, { force: true }) };
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
