// Emits lineage without ever failing a quality run: events for a remote backend go
// through the durable, bounded spool first and are delivered in order. An event
// the backend refuses (4xx) moves to the dead-letter file with the answer and
// delivery goes on; a backend that is away (5xx, network) is retried with
// backoff, and what is left is drained again when the host restarts.
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { RunEvent } from "./events.js";
import { LineageSpool, type SpooledEvent, type SpoolLimits } from "./spool.js";
import {
  consoleTransport,
  fileTransport,
  httpTransport,
  LineageRejected,
  type LineageTransport,
  noTransport,
} from "./transports.js";

export interface LineageEmitterOptions {
  transport: LineageTransport;
  /** Spool directory; events are spooled (and survive restarts) when set. */
  spoolDir?: string | undefined;
  spoolLimits?: Partial<SpoolLimits> | undefined;
  /** JSON-lines file of events the backend refused, each with its answer. */
  deadLetterFile?: string | undefined;
  /** Warnings (delivery failures) go here; never thrown. */
  warn?: ((message: string) => void) | undefined;
  /** Retry delay after a failed delivery, doubled up to `maxRetryMs`. */
  retryMs?: number | undefined;
  maxRetryMs?: number | undefined;
}

/** One line of the dead-letter file. */
export interface DeadLetter {
  event_id: string;
  rejected_at: string;
  http_status: number;
  answer: string;
  reason: string;
  event: RunEvent;
}

export class LineageEmitter {
  readonly transport: LineageTransport;
  readonly deadLetterFile: string | undefined;
  private readonly spool: LineageSpool | undefined;
  private readonly warn: (message: string) => void;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private nextRetryMs: number;
  private draining: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private outage = false;

  constructor(options: LineageEmitterOptions) {
    this.transport = options.transport;
    this.spool = options.spoolDir
      ? new LineageSpool(options.spoolDir, options.spoolLimits)
      : undefined;
    this.deadLetterFile =
      options.deadLetterFile ??
      (options.spoolDir ? `${dirname(options.spoolDir)}/lineage-dead-letter.jsonl` : undefined);
    this.warn = options.warn ?? ((m) => process.stderr.write(`warning: ${m}\n`));
    this.retryMs = options.retryMs ?? 1_000;
    this.maxRetryMs = options.maxRetryMs ?? 30_000;
    this.nextRetryMs = this.retryMs;
  }

  /** Delivers what an earlier process left in the spool. */
  start(): Promise<void> {
    return this.drain();
  }

  /** Never throws: a run's results never depend on lineage. */
  async emit(event: RunEvent): Promise<void> {
    if (this.transport.kind === "none") return;
    if (!this.spool) {
      try {
        await this.transport.send(event);
      } catch (error) {
        this.warn(`FLOE-DQ110 lineage event not delivered: ${describe(error)}`);
      }
      return;
    }
    try {
      const { dropped } = await this.spool.put(event);
      if (dropped > 0) {
        this.warn(
          `FLOE-DQ110 lineage spool ${this.spool.dir} is full (${this.spool.limits.maxEvents} events or ${this.spool.limits.maxBytes} bytes): dropped the ${dropped} oldest undelivered event(s)`,
        );
      }
    } catch (error) {
      this.warn(`FLOE-DQ110 lineage spool ${this.spool.dir} not writable: ${describe(error)}`);
      return;
    }
    void this.drain();
  }

  /** Number of events still waiting for delivery. */
  async pending(): Promise<number> {
    return this.spool ? (await this.spool.list()).length : 0;
  }

  /** Waits until the spool is empty or the deadline passes; true when empty. */
  async flush(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await this.drain();
      if ((await this.pending()) === 0) return true;
      await new Promise((r) => setTimeout(r, Math.min(100, Math.max(0, deadline - Date.now()))));
    }
    return (await this.pending()) === 0;
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private drain(): Promise<void> {
    if (!this.spool || this.closed) return Promise.resolve();
    this.draining ??= this.deliverSpooled()
      .catch((error: unknown) => {
        this.warn(`FLOE-DQ110 lineage spool ${this.spool!.dir} unreadable: ${describe(error)}`);
      })
      .finally(() => {
        this.draining = undefined;
      });
    return this.draining;
  }

  private async deliverSpooled(): Promise<void> {
    const spool = this.spool!;
    const expired = await spool.expire();
    if (expired > 0) {
      this.warn(
        `FLOE-DQ110 dropped ${expired} lineage event(s) older than ${Math.round(spool.limits.maxAgeMs / 3_600_000)} h from ${spool.dir}`,
      );
    }
    for (;;) {
      if (this.closed) return;
      const [oldest] = await spool.list();
      if (oldest === undefined) return;
      const event = await spool.read(oldest);
      try {
        await this.transport.send(event, oldest.id);
      } catch (error) {
        if (error instanceof LineageRejected) {
          await this.deadLetter(oldest, event, error);
          continue;
        }
        if (!this.outage) {
          this.warn(
            `FLOE-DQ110 lineage backend unavailable, events kept in ${spool.dir}: ${describe(error)}`,
          );
          this.outage = true;
        }
        this.scheduleRetry();
        return;
      }
      await spool.delivered(oldest);
      if (this.outage) {
        this.outage = false;
        this.nextRetryMs = this.retryMs;
      }
    }
  }

  /** Moves a refused event to the dead-letter file (with the answer) and warns; delivery goes on. */
  private async deadLetter(
    spooled: SpooledEvent,
    event: RunEvent,
    error: LineageRejected,
  ): Promise<void> {
    const file = this.deadLetterFile!;
    const record: DeadLetter = {
      event_id: spooled.id,
      rejected_at: new Date().toISOString(),
      http_status: error.status,
      answer: error.answer,
      reason: error.message,
      event,
    };
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await appendFile(file, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    await this.spool!.remove(spooled);
    this.warn(
      `FLOE-DQ110 lineage event ${event.eventType} of run ${event.run.runId} refused: ${error.message}; moved to ${file}`,
    );
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    const delay = this.nextRetryMs;
    this.nextRetryMs = Math.min(this.nextRetryMs * 2, this.maxRetryMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.drain();
    }, delay);
    this.retryTimer.unref();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A positive number from the environment, else `fallback`. */
function positiveNumber(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * The emitter the environment asks for: `OPENLINEAGE_URL` (+ `OPENLINEAGE_ENDPOINT`,
 * `OPENLINEAGE_API_KEY`, `OPENLINEAGE_TIMEOUT` seconds) selects HTTP with a spool under
 * `stateDir` (bounded by `FLOE_LINEAGE_SPOOL_MAX_EVENTS`, `_MAX_BYTES`, `_MAX_AGE_HOURS`)
 * and the dead-letter file `stateDir/lineage-dead-letter.jsonl`;
 * `FLOE_LINEAGE_TRANSPORT=file|console|none` (with `FLOE_LINEAGE_FILE`) picks
 * another; `OPENLINEAGE_DISABLED=true` turns lineage off.
 */
export function lineageEmitterFromEnv(
  env: NodeJS.ProcessEnv,
  stateDir: string,
  warn?: (message: string) => void,
): LineageEmitter {
  if (env.OPENLINEAGE_DISABLED === "true") return new LineageEmitter({ transport: noTransport });
  const kind = env.FLOE_LINEAGE_TRANSPORT ?? (env.OPENLINEAGE_URL ? "http" : "none");
  switch (kind) {
    case "http": {
      if (!env.OPENLINEAGE_URL) {
        throw new Error("FLOE_LINEAGE_TRANSPORT=http needs OPENLINEAGE_URL");
      }
      let transport: LineageTransport;
      try {
        transport = httpTransport({
          url: env.OPENLINEAGE_URL,
          endpoint: env.OPENLINEAGE_ENDPOINT,
          apiKey: env.OPENLINEAGE_API_KEY,
          timeoutMs: positiveNumber(env.OPENLINEAGE_TIMEOUT, 5) * 1000,
        });
      } catch {
        // The URL itself may hold a password: never print it.
        throw new Error("OPENLINEAGE_URL is not a valid URL");
      }
      return new LineageEmitter({
        transport,
        spoolDir: env.FLOE_LINEAGE_SPOOL_DIR ?? `${stateDir}/lineage-spool`,
        spoolLimits: {
          maxEvents: positiveNumber(env.FLOE_LINEAGE_SPOOL_MAX_EVENTS, 10_000),
          maxBytes: positiveNumber(env.FLOE_LINEAGE_SPOOL_MAX_BYTES, 64 * 1024 * 1024),
          maxAgeMs: positiveNumber(env.FLOE_LINEAGE_SPOOL_MAX_AGE_HOURS, 168) * 3_600_000,
        },
        deadLetterFile: `${stateDir}/lineage-dead-letter.jsonl`,
        warn,
      });
    }
    case "file":
      return new LineageEmitter({
        transport: fileTransport(env.FLOE_LINEAGE_FILE ?? `${stateDir}/lineage.jsonl`),
        warn,
      });
    case "console":
      return new LineageEmitter({ transport: consoleTransport(), warn });
    case "none":
      return new LineageEmitter({ transport: noTransport });
    default:
      throw new Error(`FLOE_LINEAGE_TRANSPORT=${kind} is not one of http, file, console, none`);
  }
}
