// A plugin's stderr: JSON log lines (`level`, `msg`, fields) re-logged under the
// plugin's name, anything else as an info line; the last lines are kept so a
// start-up failure can say what the plugin printed.
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface PluginLogEntry {
  plugin: string;
  level: string;
  msg: string;
  /** The rest of the plugin's JSON line, or the raw line when it was not JSON. */
  fields: Record<string, unknown>;
}

const STDERR_TAIL = 20;

export class LogRelay {
  readonly #plugin: string;
  readonly #onLog: ((entry: PluginLogEntry) => void) | undefined;
  readonly #tail: string[] = [];

  constructor(plugin: string, onLog: ((entry: PluginLogEntry) => void) | undefined) {
    this.#plugin = plugin;
    this.#onLog = onLog;
  }

  /** The last stderr lines. */
  tail(): string[] {
    return [...this.#tail];
  }

  clearTail(): void {
    this.#tail.length = 0;
  }

  /** "; last stderr lines: ..." for an error message, or a note that there were none. */
  tailText(): string {
    const last = this.#tail.slice(-5);
    return last.length === 0
      ? "; it wrote nothing on stderr"
      : `; last stderr lines:\n  ${last.join("\n  ")}`;
  }

  /** Relays every stderr line of `child`. */
  follow(child: ChildProcess): void {
    const lines = createInterface({ input: child.stderr! });
    lines.on("line", (line) => {
      this.#tail.push(line);
      if (this.#tail.length > STDERR_TAIL) this.#tail.shift();
      let record: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(line);
        record =
          typeof parsed === "object" && parsed !== null
            ? (parsed as Record<string, unknown>)
            : { msg: line };
      } catch {
        record = { level: "info", msg: line };
      }
      this.relog(record);
    });
  }

  /** One record under the plugin's name: to onLog, else warnings and errors to our stderr. */
  relog(record: Record<string, unknown>): void {
    const { level, msg, ...fields } = record;
    const entry: PluginLogEntry = {
      plugin: this.#plugin,
      level: typeof level === "string" ? level : "info",
      msg: typeof msg === "string" ? msg : JSON.stringify(msg),
      fields,
    };
    if (this.#onLog !== undefined) this.#onLog(entry);
    else if (entry.level === "warn" || entry.level === "error") {
      process.stderr.write(
        `${JSON.stringify({ plugin: entry.plugin, level: entry.level, msg: entry.msg, ...fields })}\n`,
      );
    }
  }
}
