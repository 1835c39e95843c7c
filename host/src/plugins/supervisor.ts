// The plugin supervisor: spawns a plugin (launch.ts), waits for its handshake,
// SERVING and metadata (health.ts), polls its health while it runs, restarts it
// with backoff within a budget (restart.ts), relays its log (log-relay.ts), and
// stops it gracefully. Sidecars are dialled instead (sidecar.ts).
//
// API:
//   const plugin = await startPlugin(descriptor, { startTimeoutMs, env, ... });
//   plugin.client.getMetadata() / validateSuite() / runChecks(request, { timeoutMs, onCheck })
//   plugin.metadata, plugin.pid(), plugin.socketDir(), plugin.state(), plugin.timings
//   await plugin.stop();   // Shutdown → 2 s → SIGTERM → 2 s → SIGKILL; socket dir removed
//   const sidecar = await connectPlugin({ name, address: "unix:///p.sock" | "host:port", tls });
// Every failure is a FloeError (FLOE-DQ001) naming the plugin and, for a
// process, its last stderr lines.
import { rmSync } from "node:fs";
import {
  type contract,
  FloeError,
  floeErrorFromServiceError,
  type LogLevel,
} from "@floe/quality-sdk";
import { credentials as grpcCredentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { callErrorFrom, PluginCallError, type PluginChannel, PluginClient } from "./client.js";
import type { PluginDescriptor } from "./discover.js";
import { dialTarget, parseHandshakeLine } from "./handshake.js";
import { fetchMetadata, openConnection, pollHealth, waitServing } from "./health.js";
import {
  CrashedDuringStart,
  type ExitInfo,
  firstStdoutLine,
  type Instance,
  spawnInstance,
} from "./launch.js";
import { LogRelay, type PluginLogEntry } from "./log-relay.js";
import { RestartBudget, type RestartPolicy } from "./restart.js";
import {
  delay,
  type PluginState,
  type RunningPlugin,
  type StartTimings,
  within,
} from "./running.js";

export type { PluginLogEntry } from "./log-relay.js";
export type { RestartPolicy } from "./restart.js";
export type { PluginState, RunningPlugin, StartTimings } from "./running.js";
export { connectPlugin, type SidecarOptions } from "./sidecar.js";

export interface SupervisorOptions {
  /** From spawn to the handshake line, and to SERVING. Default 10 s. */
  startTimeoutMs?: number;
  /**
   * Deadline of each health Check (no answer: the plugin hangs). SERVING may
   * also come up to this long after the handshake when that is later than the
   * start timeout. Default 5 s.
   */
  healthTimeoutMs?: number;
  /** Interval of the health checks while the plugin runs. Default 5 s. */
  healthIntervalMs?: number;
  restart?: Partial<RestartPolicy>;
  /** Added to the plugin's environment. */
  env?: NodeJS.ProcessEnv;
  logLevel?: LogLevel;
  /** Receives every stderr line of the plugin; by default warnings and errors go to our stderr. */
  onLog?: (entry: PluginLogEntry) => void;
}

const DEFAULTS = {
  startTimeoutMs: 10_000,
  healthTimeoutMs: 5_000,
  healthIntervalMs: 5_000,
};
const STOP_GRACE_MS = 2_000;

/** Spawns the plugin and resolves once it is SERVING with compatible metadata. */
export async function startPlugin(
  descriptor: PluginDescriptor,
  options: SupervisorOptions = {},
): Promise<RunningPlugin> {
  const supervisor = new ProcessSupervisor(descriptor, options);
  await supervisor.start();
  return supervisor;
}

class ProcessSupervisor implements RunningPlugin, PluginChannel {
  readonly name: string;
  readonly plugin: string;
  readonly client: PluginClient;
  metadata!: contract.GetMetadataResponse;
  timings: StartTimings = { handshakeMs: 0, servingMs: 0, metadataMs: 0 };
  readonly #descriptor: PluginDescriptor;
  readonly #startTimeoutMs: number;
  readonly #healthTimeoutMs: number;
  readonly #healthIntervalMs: number;
  readonly #budget: RestartBudget;
  readonly #options: SupervisorOptions;
  readonly #log: LogRelay;
  readonly #inFlight = new Set<(error: PluginCallError) => void>();
  #state: PluginState = "starting";
  #current: Instance | undefined;
  #ready: Promise<contract.QualityPluginServiceClient> = Promise.reject(new Error("not started"));
  #stopPolling: () => void = () => undefined;

  constructor(descriptor: PluginDescriptor, options: SupervisorOptions) {
    this.name = descriptor.provider;
    this.plugin = descriptor.provider;
    this.#descriptor = descriptor;
    this.#options = options;
    this.#startTimeoutMs =
      options.startTimeoutMs ?? descriptor.startTimeoutMs ?? DEFAULTS.startTimeoutMs;
    this.#healthTimeoutMs = options.healthTimeoutMs ?? DEFAULTS.healthTimeoutMs;
    this.#healthIntervalMs = options.healthIntervalMs ?? DEFAULTS.healthIntervalMs;
    this.#budget = new RestartBudget(options.restart);
    this.#log = new LogRelay(descriptor.provider, options.onLog);
    this.client = new PluginClient(this);
    this.#ready.catch(() => undefined);
  }

  state(): PluginState {
    return this.#state;
  }
  pid(): number | undefined {
    return this.#current?.child.pid;
  }
  socketDir(): string | undefined {
    return this.#current?.dir;
  }
  stderrTail(): string[] {
    return this.#log.tail();
  }

  async start(): Promise<void> {
    this.#ready = this.#launchWithRetries();
    await this.#ready;
  }

  ready(): Promise<contract.QualityPluginServiceClient> {
    if (this.#state === "stopping" || this.#state === "stopped") {
      return Promise.reject(new FloeError("FLOE-DQ001", `plugin ${this.name} has been stopped`));
    }
    return this.#ready;
  }

  track(onDeath: (error: PluginCallError) => void): () => void {
    this.#inFlight.add(onDeath);
    return () => this.#inFlight.delete(onDeath);
  }

  async explain(error: ServiceError, method: string): Promise<PluginCallError> {
    const instance = this.#current;
    if (
      error.code === status.UNAVAILABLE &&
      instance !== undefined &&
      floeErrorFromServiceError(error) === undefined
    ) {
      // The socket closes a moment before the exit event: wait briefly so the error can say why.
      const exit = await within(instance.exited, 500);
      if (exit !== undefined) return this.#deathError(exit);
    }
    return callErrorFrom(this.name, error, method);
  }

  async stop(): Promise<void> {
    if (this.#state === "stopped") return;
    this.#state = "stopping";
    this.#stopPolling();
    const instance = this.#current;
    if (instance !== undefined) await this.#terminate(instance, true);
    this.#state = "stopped";
  }

  async #launchWithRetries(): Promise<contract.QualityPluginServiceClient> {
    for (;;) {
      if (this.#state === "stopping" || this.#state === "stopped") {
        throw new FloeError("FLOE-DQ001", `plugin ${this.name} has been stopped`);
      }
      try {
        const instance = await this.#launch();
        this.#state = "serving";
        return instance.connection!.plugin;
      } catch (error) {
        if (!(error instanceof CrashedDuringStart) || (this.#state as PluginState) === "stopping") {
          this.#state = "failed";
          throw error;
        }
        const wait = this.#budget.nextBackoff();
        if (wait === undefined) {
          this.#state = "failed";
          throw this.#budget.exhausted(this.name, error);
        }
        this.#state = "restarting";
        await delay(wait);
      }
    }
  }

  async #launch(): Promise<Instance> {
    const started = performance.now();
    const startedAt = Date.now();
    this.#log.clearTail();
    const instance = spawnInstance(this.#descriptor, this.#options.env, this.#options.logLevel);
    this.#current = instance;
    this.#log.follow(instance.child);

    try {
      const line = await firstStdoutLine(instance, {
        name: this.name,
        descriptor: this.#descriptor,
        extraEnv: this.#options.env,
        remainingMs: this.#startTimeoutMs - (performance.now() - started),
        timeoutMs: this.#startTimeoutMs,
        tailText: () => this.#log.tailText(),
        exitMessage: (exit, when) => this.#exitMessage(exit, when),
      });
      this.timings.handshakeMs = performance.now() - started;
      const handshake = parseHandshakeLine(line, this.name);
      const connection = openConnection(dialTarget(handshake), grpcCredentials.createInsecure());
      instance.connection = connection;
      // Start-up work may run until the start timeout, and at least healthTimeoutMs after the handshake.
      const servingBy = Math.max(
        startedAt + this.#startTimeoutMs,
        Date.now() + this.#healthTimeoutMs,
      );
      await this.#orExit(
        instance,
        waitServing(connection, this.name, this.#healthTimeoutMs, servingBy, startedAt),
      );
      this.timings.servingMs = performance.now() - started;
      const client = new PluginClient({
        plugin: this.name,
        ready: async () => connection.plugin,
        track: () => () => undefined,
        explain: async (error, method) => callErrorFrom(this.name, error, method),
      });
      this.metadata = await this.#orExit(
        instance,
        fetchMetadata(client, this.name, this.#healthTimeoutMs),
      );
      this.timings.metadataMs = performance.now() - started;
    } catch (error) {
      // A call can fail on the closed socket a moment before the exit event arrives.
      const exitedAlone =
        instance.exit !== undefined || (await within(instance.exited, 50)) !== undefined;
      await this.#terminate(instance, false);
      if (
        exitedAlone &&
        instance.spawnError === undefined &&
        !(error instanceof CrashedDuringStart)
      ) {
        throw new CrashedDuringStart(
          "FLOE-DQ001",
          this.#exitMessage(instance.exit!, "while starting"),
        );
      }
      throw error;
    }
    const { child } = instance;
    child.stdout?.on("data", (chunk: Buffer) =>
      this.#log.relog({
        level: "warn",
        msg: `ignored stdout output after the handshake: ${chunk.toString().trim()}`,
      }),
    );
    // readline paused stdout when it closed; a plugin must never block on a full pipe.
    child.stdout?.resume();
    void instance.exited.then(() => this.#onExit(instance));
    this.#pollHealth(instance);
    return instance;
  }

  /** `work`, unless the process exits first. */
  async #orExit<T>(instance: Instance, work: Promise<T>): Promise<T> {
    const exit = instance.exited.then((info) => {
      throw new CrashedDuringStart("FLOE-DQ001", this.#exitMessage(info, "while starting"));
    });
    exit.catch(() => undefined);
    return Promise.race([work, exit]);
  }

  /** Polls Health/Check while the plugin runs: not SERVING within the health deadline, or no answer, and it is restarted. */
  #pollHealth(instance: Instance): void {
    this.#stopPolling = pollHealth(
      instance.connection!,
      { intervalMs: this.#healthIntervalMs, timeoutMs: this.#healthTimeoutMs },
      () => this.#current === instance && this.#state === "serving" && instance.exit === undefined,
      (why) => {
        this.#log.relog({ level: "error", msg: `plugin is unhealthy (${why}); restarting it` });
        instance.child.kill("SIGKILL");
      },
    );
  }

  #onExit(instance: Instance): void {
    if (this.#current !== instance || this.#state === "stopping" || this.#state === "stopped")
      return;
    this.#stopPolling();
    const error = this.#deathError(instance.exit!);
    for (const fail of [...this.#inFlight]) fail(error);
    this.#inFlight.clear();
    instance.connection?.close();
    rmSync(instance.dir, { recursive: true, force: true });
    this.#state = "restarting";
    this.#ready = (async () => {
      const wait = this.#budget.nextBackoff();
      if (wait === undefined) {
        this.#state = "failed";
        throw this.#budget.exhausted(this.name, error);
      }
      await delay(wait);
      return this.#launchWithRetries();
    })();
    this.#ready.catch(() => undefined);
  }

  #deathError(exit: ExitInfo): PluginCallError {
    return new PluginCallError(
      this.name,
      status.UNAVAILABLE,
      "FLOE-DQ001",
      this.#exitMessage(exit, ""),
      {
        fix: "Read the plugin's stderr above; the supervisor restarts it with backoff.",
      },
    );
  }

  #exitMessage(exit: ExitInfo, when: string): string {
    const how =
      exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    return `plugin ${this.name} (pid ${this.#current?.child.pid ?? "?"}) ${how}${when ? ` ${when}` : ""}${this.#log.tailText()}`;
  }

  /** Graceful (Shutdown RPC first) or not; always ends with the process gone and its directory removed. */
  async #terminate(instance: Instance, graceful: boolean): Promise<void> {
    const { child, connection } = instance;
    if (instance.exit === undefined && graceful && connection !== undefined) {
      await new Promise<void>((resolve) =>
        connection.plugin.shutdown(
          {},
          new Metadata(),
          { deadline: Date.now() + STOP_GRACE_MS },
          () => resolve(),
        ),
      );
      await within(instance.exited, STOP_GRACE_MS);
    }
    if (instance.exit === undefined) {
      child.kill("SIGTERM");
      await within(instance.exited, STOP_GRACE_MS);
    }
    if (instance.exit === undefined) {
      child.kill("SIGKILL");
      await instance.exited;
    }
    connection?.close();
    child.stdin?.destroy();
    rmSync(instance.dir, { recursive: true, force: true });
  }
}
