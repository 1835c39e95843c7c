// Emits lineage without ever failing a quality run: events for a remote backend go
// through the durable spool first and are delivered in order, retried with
// backoff while the backend is away, and drained again when the host restarts.
import type { RunEvent } from "./events.js";
import { LineageSpool } from "./spool.js";
import {
  consoleTransport,
  fileTransport,
  httpTransport,
  type LineageTransport,
  noTransport,
} from "./transports.js";

export interface LineageEmitterOptions {
  transport: LineageTransport;
  /** Spool directory; events are spooled (and survive restarts) when set. */
  spoolDir?: string | undefined;
  /** Warnings (delivery failures) go here; never thrown. */
  warn?: ((message: string) => void) | undefined;
  /** Retry delay after a failed delivery, doubled up to `maxRetryMs`. */
  retryMs?: number | undefined;
  maxRetryMs?: number | undefined;
}

export class LineageEmitter {
  readonly transport: LineageTransport;
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
    this.spool = options.spoolDir ? new LineageSpool(options.spoolDir) : undefined;
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
      await this.spool.put(event);
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
    this.draining ??= this.deliverSpooled().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async deliverSpooled(): Promise<void> {
    const spool = this.spool!;
    for (;;) {
      const [oldest] = await spool.list();
      if (oldest === undefined) return;
      try {
        await this.transport.send(await spool.read(oldest));
      } catch (error) {
        if (!this.outage) {
          this.warn(
            `FLOE-DQ110 lineage backend unavailable, events kept in ${spool.dir}: ${describe(error)}`,
          );
          this.outage = true;
        }
        this.scheduleRetry();
        return;
      }
      await spool.remove(oldest);
      if (this.outage) {
        this.outage = false;
        this.nextRetryMs = this.retryMs;
      }
    }
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

/**
 * The emitter the environment asks for: `OPENLINEAGE_URL` (+ `OPENLINEAGE_ENDPOINT`,
 * `OPENLINEAGE_API_KEY`, `OPENLINEAGE_TIMEOUT` seconds) selects HTTP with a spool under
 * `stateDir`; `FLOE_LINEAGE_TRANSPORT=file|console|none` (with `FLOE_LINEAGE_FILE`) picks
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
      const timeout = Number(env.OPENLINEAGE_TIMEOUT ?? "5");
      return new LineageEmitter({
        transport: httpTransport({
          url: env.OPENLINEAGE_URL,
          endpoint: env.OPENLINEAGE_ENDPOINT,
          apiKey: env.OPENLINEAGE_API_KEY,
          timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : 5_000,
        }),
        spoolDir: env.FLOE_LINEAGE_SPOOL_DIR ?? `${stateDir}/lineage-spool`,
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
