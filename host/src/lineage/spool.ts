// A durable, ordered, bounded on-disk queue of events not yet delivered. Each
// event is one file written atomically (temp + rename) whose name carries its
// emission time, a sequence number and a stable event id (sent as the
// Idempotency-Key of every delivery attempt). Names sort in emission order, so
// delivery resumes in order after a restart. A delivered event is first renamed
// to `.delivered` (the record of its delivery), then removed: a host killed in
// between does not send it again. One host process per spool directory.
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunEvent } from "./events.js";

const SUFFIX = ".event.json";
const DELIVERED = ".delivered";

export interface SpoolLimits {
  /** Events kept; the oldest are dropped past it. */
  maxEvents: number;
  /** Bytes kept; the oldest events are dropped past it. */
  maxBytes: number;
  /** An event older than this is dropped instead of delivered. */
  maxAgeMs: number;
}

export const DEFAULT_SPOOL_LIMITS: Readonly<SpoolLimits> = {
  maxEvents: 10_000,
  maxBytes: 64 * 1024 * 1024,
  maxAgeMs: 7 * 24 * 60 * 60 * 1000,
};

export interface SpooledEvent {
  /** The file name. */
  name: string;
  /** Stable across retries and restarts. */
  id: string;
  /** Epoch ms of emission. */
  time: number;
}

interface Entry extends SpooledEvent {
  size: number;
}

function entryOf(name: string, size: number): Entry | undefined {
  const match = /^(\d{15})-\d{9}-([0-9a-f-]{36})\.event\.json$/.exec(name);
  if (match === null) return undefined;
  return { name, id: match[2]!, time: Number(match[1]), size };
}

export class LineageSpool {
  readonly dir: string;
  readonly limits: SpoolLimits;
  private sequence = 0;
  private index: Promise<Entry[]> | undefined;

  constructor(dir: string, limits: Partial<SpoolLimits> = {}) {
    this.dir = dir;
    this.limits = { ...DEFAULT_SPOOL_LIMITS, ...limits };
  }

  /**
   * The events on disk, oldest first, read once per process: events already
   * renamed `.delivered` by an earlier process are removed, never resent.
   */
  private entries(): Promise<Entry[]> {
    this.index ??= (async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const out: Entry[] = [];
      for (const name of (await readdir(this.dir)).sort()) {
        if (name.endsWith(DELIVERED)) {
          await rm(join(this.dir, name), { force: true });
          continue;
        }
        const info = name.endsWith(SUFFIX) ? await stat(join(this.dir, name)) : undefined;
        const entry = info === undefined ? undefined : entryOf(name, info.size);
        if (entry !== undefined) out.push(entry);
      }
      return out;
    })();
    return this.index;
  }

  /**
   * Stores an event; resolves once it is on disk, with the events dropped to
   * stay within the count and size limits (oldest first).
   */
  async put(event: RunEvent): Promise<{ stored: SpooledEvent; dropped: number }> {
    const entries = await this.entries();
    // Milliseconds since the epoch, then a per-process sequence: later emissions sort later,
    // also across restarts (a restart takes longer than a millisecond).
    const time = Date.now();
    const id = randomUUID();
    const name = `${String(time).padStart(15, "0")}-${String(this.sequence++).padStart(9, "0")}-${id}${SUFFIX}`;
    const body = JSON.stringify(event);
    const tmp = join(this.dir, `.${randomUUID()}.tmp`);
    await writeFile(tmp, body, { mode: 0o600 });
    await rename(tmp, join(this.dir, name));
    const entry: Entry = { name, id, time, size: Buffer.byteLength(body) };
    entries.push(entry);
    let dropped = 0;
    let bytes = entries.reduce((sum, e) => sum + e.size, 0);
    while (
      entries.length > 1 &&
      (entries.length > this.limits.maxEvents || bytes > this.limits.maxBytes)
    ) {
      const oldest = entries.shift()!;
      bytes -= oldest.size;
      await rm(join(this.dir, oldest.name), { force: true });
      dropped += 1;
    }
    return { stored: entry, dropped };
  }

  /** Drops events older than the age limit; returns how many. */
  async expire(now: number = Date.now()): Promise<number> {
    const entries = await this.entries();
    let dropped = 0;
    while (entries.length > 0 && now - entries[0]!.time > this.limits.maxAgeMs) {
      const oldest = entries.shift()!;
      await rm(join(this.dir, oldest.name), { force: true });
      dropped += 1;
    }
    return dropped;
  }

  /** Stored events, oldest first. */
  async list(): Promise<SpooledEvent[]> {
    return [...(await this.entries())];
  }

  async read(event: SpooledEvent): Promise<RunEvent> {
    return JSON.parse(await readFile(join(this.dir, event.name), "utf8")) as RunEvent;
  }

  /** Records the event as delivered (rename), then removes it. */
  async delivered(event: SpooledEvent): Promise<void> {
    const file = join(this.dir, event.name);
    await rename(file, `${file}${DELIVERED}`);
    await this.forget(event);
    await rm(`${file}${DELIVERED}`, { force: true });
  }

  /** Removes an event without delivering it (dead-lettered). */
  async remove(event: SpooledEvent): Promise<void> {
    await rm(join(this.dir, event.name), { force: true });
    await this.forget(event);
  }

  private async forget(event: SpooledEvent): Promise<void> {
    const entries = await this.entries();
    const at = entries.findIndex((e) => e.name === event.name);
    if (at >= 0) entries.splice(at, 1);
  }
}
