// What the host holds of a plugin it started or dialled.
import type { contract } from "@floe/quality-sdk";
import type { PluginClient } from "./client.js";

export type PluginState = "starting" | "serving" | "restarting" | "failed" | "stopping" | "stopped";

/** Milliseconds from spawn (or dial) to each start-up step. */
export interface StartTimings {
  handshakeMs: number;
  servingMs: number;
  metadataMs: number;
}

export interface RunningPlugin {
  readonly name: string;
  readonly client: PluginClient;
  /** Metadata of the current process. */
  readonly metadata: contract.GetMetadataResponse;
  /** Timings of the latest start. */
  readonly timings: StartTimings;
  state(): PluginState;
  /** Pid of the current plugin process; undefined for a sidecar. */
  pid(): number | undefined;
  /** The private socket directory of the current process; undefined for a sidecar. */
  socketDir(): string | undefined;
  /** The last stderr lines of the plugin. */
  stderrTail(): string[];
  stop(): Promise<void>;
}

/** `promise`'s value, or undefined after `ms`; the timer never outlives the race. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
