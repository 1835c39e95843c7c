// Where OpenLineage events go: an HTTP backend, a JSON-lines file, stderr, or nowhere.
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { RunEvent } from "./events.js";

export interface LineageTransport {
  readonly kind: "http" | "file" | "console" | "none";
  /**
   * Delivers one event or throws: LineageRejected when the backend refused this
   * event (retrying cannot help), LineageDeliveryError when it may be retried.
   * `id` is the event's stable id (HTTP: the Idempotency-Key header).
   */
  send(event: RunEvent, id?: string): Promise<void>;
}

export interface HttpTransportOptions {
  /** Base URL of the backend, e.g. http://localhost:5000 (OPENLINEAGE_URL); user:password in it becomes Basic authentication. */
  url: string;
  /** Path of the lineage endpoint (OPENLINEAGE_ENDPOINT), default /api/v1/lineage. */
  endpoint?: string | undefined;
  /** Sent as `Authorization: Bearer <key>` (OPENLINEAGE_API_KEY). */
  apiKey?: string | undefined;
  /** Per attempt, default 5 000 ms. */
  timeoutMs?: number | undefined;
}

/** The backend may answer later (5xx, 408, 429, a network error, a timeout). */
export class LineageDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LineageDeliveryError";
  }
}

/** The backend refused this event (4xx): retrying sends the same refusal. */
export class LineageRejected extends Error {
  readonly status: number;
  /** The start of the backend's answer, for the dead-letter record. */
  readonly answer: string;
  constructor(message: string, status: number, answer: string) {
    super(message);
    this.name = "LineageRejected";
    this.status = status;
    this.answer = answer;
  }
}

/** A URL as it may be printed: no user, password, query or fragment. */
export function redactedUrl(url: URL | string): string {
  try {
    const u = new URL(String(url));
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(an invalid URL)";
  }
}

const ANSWER_BYTES = 4096;

export function httpTransport(options: HttpTransportOptions): LineageTransport {
  const target = new URL(options.endpoint ?? "/api/v1/lineage", options.url);
  const headers: Record<string, string> = { "content-type": "application/json" };
  // fetch refuses URLs with credentials: they travel as a header instead.
  if (target.username !== "" || target.password !== "") {
    const user = decodeURIComponent(target.username);
    const password = decodeURIComponent(target.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    target.username = "";
    target.password = "";
  }
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const shown = redactedUrl(target);
  const timeoutMs = options.timeoutMs ?? 5_000;

  return {
    kind: "http",
    async send(event, id) {
      let response: Response;
      try {
        response = await fetch(target, {
          method: "POST",
          headers: id === undefined ? headers : { ...headers, "idempotency-key": id },
          body: JSON.stringify(event),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (error as Error).name;
        throw new LineageDeliveryError(`${shown} did not answer (${why})`);
      }
      const answer = (await response.text().catch(() => "")).slice(0, ANSWER_BYTES);
      if (response.ok) return;
      const retryable =
        response.status >= 500 || response.status === 408 || response.status === 429;
      if (retryable) throw new LineageDeliveryError(`${shown} answered HTTP ${response.status}`);
      throw new LineageRejected(
        `${shown} rejected the event with HTTP ${response.status}`,
        response.status,
        answer,
      );
    },
  };
}

/** Appends one JSON line per event; a single write per event keeps lines whole. */
export function fileTransport(path: string): LineageTransport {
  let ready: Promise<unknown> | undefined;
  return {
    kind: "file",
    async send(event: RunEvent) {
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
