// Where OpenLineage events go: an HTTP backend, a JSON-lines file, stderr, or nowhere.
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { RunEvent } from "./events.js";

export interface LineageTransport {
  readonly kind: "http" | "file" | "console" | "none";
  /** Delivers one event or throws; the emitter keeps undelivered events in its spool. */
  send(event: RunEvent): Promise<void>;
}

export interface HttpTransportOptions {
  /** Base URL of the backend, e.g. http://localhost:5000 (OPENLINEAGE_URL). */
  url: string;
  /** Path of the lineage endpoint (OPENLINEAGE_ENDPOINT), default /api/v1/lineage. */
  endpoint?: string | undefined;
  /** Sent as `Authorization: Bearer <key>` (OPENLINEAGE_API_KEY). */
  apiKey?: string | undefined;
  /** Per attempt, default 5 000 ms. */
  timeoutMs?: number | undefined;
  /** Attempts after the first, default 2, with exponential backoff from `backoffMs` (default 200). */
  retries?: number | undefined;
  backoffMs?: number | undefined;
}

export class LineageDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LineageDeliveryError";
  }
}

export function httpTransport(options: HttpTransportOptions): LineageTransport {
  const target = new URL(options.endpoint ?? "/api/v1/lineage", options.url).toString();
  const timeoutMs = options.timeoutMs ?? 5_000;
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 200;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;

  async function attempt(body: string): Promise<void> {
    const response = await fetch(target, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Drain the body so the connection can be reused.
    await response.arrayBuffer();
    if (!response.ok) {
      throw new LineageDeliveryError(`${target} answered HTTP ${response.status}`);
    }
  }

  return {
    kind: "http",
    async send(event) {
      const body = JSON.stringify(event);
      let lastError: unknown;
      for (let i = 0; i <= retries; i++) {
        try {
          await attempt(body);
          return;
        } catch (error) {
          lastError = error;
          if (i < retries) await new Promise((r) => setTimeout(r, backoffMs * 2 ** i));
        }
      }
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new LineageDeliveryError(`could not deliver to ${target}: ${reason}`);
    },
  };
}

/** Appends one JSON line per event; a single write per event keeps lines whole. */
export function fileTransport(path: string): LineageTransport {
  let ready: Promise<unknown> | undefined;
  return {
    kind: "file",
    async send(event) {
      ready ??= mkdir(dirname(path), { recursive: true });
      await ready;
      await appendFile(path, `${JSON.stringify(event)}\n`);
    },
  };
}

/** One JSON line per event on stderr (stdout stays free for command output). */
export function consoleTransport(write = (line: string) => process.stderr.write(line)) {
  return {
    kind: "console",
    async send(event: RunEvent) {
      write(`${JSON.stringify(event)}\n`);
    },
  } satisfies LineageTransport;
}

export const noTransport: LineageTransport = { kind: "none", async send() {} };
