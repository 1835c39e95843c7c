// A durable, ordered on-disk queue of events not yet delivered. Each event is one
// file written atomically (temp + rename); names sort in emission order, so
// delivery resumes in order after a restart. One host process per spool directory.
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunEvent } from "./events.js";

const SUFFIX = ".event.json";

export class LineageSpool {
  readonly dir: string;
  private sequence = 0;
  private ready: Promise<unknown> | undefined;

  constructor(dir: string) {
    this.dir = dir;
  }

  private ensureDir(): Promise<unknown> {
    this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 });
    return this.ready;
  }

  /** Stores an event; resolves once it is on disk. */
  async put(event: RunEvent): Promise<string> {
    await this.ensureDir();
    // Milliseconds since the epoch, then a per-process sequence: later emissions sort later,
    // also across restarts (a restart takes longer than a millisecond).
    const name = `${String(Date.now()).padStart(15, "0")}-${String(this.sequence++).padStart(9, "0")}${SUFFIX}`;
    const tmp = join(this.dir, `.${randomUUID()}.tmp`);
    await writeFile(tmp, JSON.stringify(event), { mode: 0o600 });
    await rename(tmp, join(this.dir, name));
    return name;
  }

  /** Names of stored events, oldest first. */
  async list(): Promise<string[]> {
    await this.ensureDir();
    const names = await readdir(this.dir);
    return names.filter((n) => n.endsWith(SUFFIX)).sort();
  }

  async read(name: string): Promise<RunEvent> {
    return JSON.parse(await readFile(join(this.dir, name), "utf8")) as RunEvent;
  }

  async remove(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true });
  }
}
