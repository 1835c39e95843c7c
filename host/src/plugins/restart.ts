// The restart policy of a supervised plugin: exponential backoff, and a budget
// of restarts within a window past which the plugin is declared failed. The
// exhausted budget is UNAVAILABLE (retryable later), as docs/plugin-protocol.md
// promises, with FLOE-DQ001 naming the last failure.
import type { FloeError } from "@floe/quality-sdk";
import { status } from "@grpc/grpc-js";
import { PluginCallError } from "./client.js";

export interface RestartPolicy {
  /** Restarts allowed within `windowMs` before the plugin is declared failed. */
  maxRestarts: number;
  windowMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RESTART_POLICY: Readonly<RestartPolicy> = {
  maxRestarts: 3,
  windowMs: 60_000,
  initialBackoffMs: 100,
  maxBackoffMs: 5_000,
};

export class RestartBudget {
  readonly policy: RestartPolicy;
  readonly #restartTimes: number[] = [];

  constructor(policy: Partial<RestartPolicy> = {}) {
    this.policy = { ...DEFAULT_RESTART_POLICY, ...policy };
  }

  /** The wait before the next restart, or undefined when the budget is spent (the restart is counted). */
  nextBackoff(now: number = Date.now()): number | undefined {
    while (this.#restartTimes.length > 0 && now - this.#restartTimes[0]! > this.policy.windowMs) {
      this.#restartTimes.shift();
    }
    if (this.#restartTimes.length >= this.policy.maxRestarts) return undefined;
    const wait = Math.min(
      this.policy.maxBackoffMs,
      this.policy.initialBackoffMs * 2 ** this.#restartTimes.length,
    );
    this.#restartTimes.push(now);
    return wait;
  }

  /** The error of a plugin whose budget is spent: UNAVAILABLE, FLOE-DQ001. */
  exhausted(plugin: string, last: FloeError): PluginCallError {
    return new PluginCallError(
      plugin,
      status.UNAVAILABLE,
      "FLOE-DQ001",
      `plugin ${plugin} keeps crashing: restart budget exhausted (${this.policy.maxRestarts} restarts within ${this.policy.windowMs / 1000} s). Last failure: ${last.message}`,
      {
        fix: "Run `floe-quality plugins check <provider>` and read the plugin's stderr; fix its installation or configuration. The next call tries to start it again.",
      },
    );
  }
}
