// The plugin supervisor: spawns a plugin (or dials a sidecar), waits for its
// handshake, health and metadata, polls its health while it runs, restarts it
// with backoff within a budget, and stops it gracefully.
//
// API:
//   const plugin = await startPlugin(descriptor, { startTimeoutMs, env, ... });
//   plugin.client.getMetadata() / validateSuite() / runChecks(request, { timeoutMs, onCheck })
//   plugin.metadata, plugin.pid(), plugin.socketDir(), plugin.state(), plugin.timings
//   await plugin.stop();   // Shutdown → 2 s → SIGTERM → 2 s → SIGKILL; socket dir removed
//   const sidecar = await connectPlugin({ name, address: "unix:///p.sock" | "host:port", tls });
// Every failure is a FloeError (FLOE-DQ001) naming the plugin and, for a
// process, its last stderr lines.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  APP_PROTOCOL_VERSIONS,
  contract,
  FloeError,
  floeErrorFromServiceError,
  HEALTH_SERVICE_NAME,
  type LogLevel,
  MAGIC_COOKIE_VALUE,
  PLUGIN_ENV,
} from "@floe/quality-sdk";
import {
  type ChannelCredentials,
  type ClientReadableStream,
  credentials as grpcCredentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { callErrorFrom, PluginCallError, type PluginChannel, PluginClient } from "./client.js";
import { launchCommand, type PluginDescriptor } from "./discover.js";
import { dialTarget, parseHandshakeLine } from "./handshake.js";

export interface RestartPolicy {
  /** Restarts allowed within `windowMs` before the plugin is declared failed. */
  maxRestarts: number;
  windowMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface PluginLogEntry {
  plugin: string;
  level: string;
  msg: string;
  /** The rest of the plugin's JSON line, or the raw line when it was not JSON. */
  fields: Record<string, unknown>;
}

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

export interface SidecarOptions {
  name: string;
  /** `unix:///path/p.sock` or `host:port`. */
  address: string;
  /** TLS material (PEM file paths) for a TCP address; client cert and key give mTLS. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** Plain TCP, for loopback tests only. */
  insecure?: boolean;
  healthTimeoutMs?: number;
}

const DEFAULTS = {
  startTimeoutMs: 10_000,
  healthTimeoutMs: 5_000,
  healthIntervalMs: 5_000,
  restart: {
    maxRestarts: 3,
    windowMs: 60_000,
    initialBackoffMs: 100,
    maxBackoffMs: 5_000,
  } satisfies RestartPolicy,
};
const STDERR_TAIL = 20;
const STOP_GRACE_MS = 2_000;
const HOST_API_MAJOR = 1;

/** Spawns the plugin and resolves once it is SERVING with compatible metadata. */
export async function startPlugin(
  descriptor: PluginDescriptor,
  options: SupervisorOptions = {},
): Promise<RunningPlugin> {
  const supervisor = new ProcessSupervisor(descriptor, options);
  await supervisor.start();
  return supervisor;
}

/** Dials a plugin that runs on its own (sidecar mode) and checks its health and metadata. */
export async function connectPlugin(options: SidecarOptions): Promise<RunningPlugin> {
  const sidecar = new SidecarConnection(options);
  await sidecar.connect();
  return sidecar;
}

// grpc.health.v1 messages as grpc-health-check's proto-loader definition decodes them.
interface HealthResponse {
  status: "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";
}
interface HealthClient {
  check(
    request: { service: string },
    metadata: Metadata,
    options: { deadline: number },
    callback: (error: ServiceError | null, response?: HealthResponse) => void,
  ): void;
  watch(request: { service: string }, metadata?: Metadata): ClientReadableStream<HealthResponse>;
  close(): void;
}
const HealthClientConstructor = makeGenericClientConstructor(
  healthService as never,
  "Health",
) as unknown as new (
  address: string,
  credentials: ChannelCredentials,
  options: Record<string, unknown>,
) => HealthClient;

interface Connection {
  plugin: contract.QualityPluginServiceClient;
  health: HealthClient;
  close(): void;
}

function openConnection(target: string, creds: ChannelCredentials): Connection {
  const plugin = new contract.QualityPluginServiceClient(target, creds);
  const health = new HealthClientConstructor(target, creds, {
    channelOverride: plugin.getChannel(),
  });
  const connection: Connection = {
    plugin,
    health,
    close() {
      plugin.close();
    },
  };
  return connection;
}

/**
 * Resolves when the plugin reports SERVING. A health Check that gets no answer
 * within `checkTimeoutMs` means the plugin hangs; NOT_SERVING means it is
 * still starting, which may last until `servingBy` (epoch ms).
 */
async function waitServing(
  connection: Connection,
  name: string,
  checkTimeoutMs: number,
  servingBy: number,
  startedAt: number,
): Promise<void> {
  const first = await new Promise<HealthResponse | ServiceError>((resolve) =>
    connection.health.check(
      { service: HEALTH_SERVICE_NAME },
      new Metadata(),
      { deadline: Date.now() + checkTimeoutMs },
      (error, response) => resolve(error ?? (response as HealthResponse)),
    ),
  );
  if ("status" in first && first.status === "SERVING") return;
  if ("code" in first && first.code === status.DEADLINE_EXCEEDED) {
    throw new FloeError(
      "FLOE-DQ001",
      `plugin ${name} is unhealthy: its health check got no answer within ${checkTimeoutMs} ms`,
      {
        fix: "The plugin's gRPC server must answer grpc.health.v1.Health/Check at once, even during start-up work; see its log.",
      },
    );
  }
  if ("code" in first && first.code !== status.NOT_FOUND) {
    throw new FloeError("FLOE-DQ001", `plugin ${name} health check failed: ${first.details}`);
  }
  await new Promise<void>((resolve, reject) => {
    const watch = connection.health.watch({ service: HEALTH_SERVICE_NAME });
    let last = "status" in first ? first.status : "SERVICE_UNKNOWN";
    const timer = setTimeout(
      () => {
        watch.cancel();
        reject(
          new FloeError(
            "FLOE-DQ001",
            `plugin ${name} is unhealthy: health status for ${HEALTH_SERVICE_NAME} is still ${last} ${Math.round(Date.now() - startedAt)} ms after start`,
            {
              fix: "The plugin must report SERVING once its startup work is done; see its log, or raise the start timeout if it is just slow.",
            },
          ),
        );
      },
      Math.max(0, servingBy - Date.now()),
    );
    watch.on("data", (response: HealthResponse) => {
      last = response.status;
      if (response.status === "SERVING") {
        clearTimeout(timer);
        watch.cancel();
        resolve();
      }
    });
    watch.on("error", () => undefined);
  });
}

async function fetchMetadata(
  client: PluginClient,
  name: string,
  timeoutMs: number,
): Promise<contract.GetMetadataResponse> {
  const metadata = await client.getMetadata({ timeoutMs });
  const major = /^(\d+)\./.exec(metadata.floeApiVersion)?.[1];
  if (major === undefined || Number(major) !== HOST_API_MAJOR) {
    throw new FloeError(
      "FLOE-DQ001",
      `plugin ${name} implements floe_api_version ${JSON.stringify(metadata.floeApiVersion)}, but this host speaks ${HOST_API_MAJOR}.x`,
      {
        fix: `Install a version of the plugin built for floe plugin API ${HOST_API_MAJOR}.x, or upgrade floe-quality.`,
      },
    );
  }
  return metadata;
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Instance {
  child: ChildProcess;
  dir: string;
  connection: Connection | undefined;
  exited: Promise<ExitInfo>;
  exit: ExitInfo | undefined;
  /** Why the command could not be run at all (ENOENT, EACCES). */
  spawnError: Error | undefined;
}

class CrashedDuringStart extends FloeError {}

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
  readonly #policy: RestartPolicy;
  readonly #options: SupervisorOptions;
  readonly #tail: string[] = [];
  readonly #inFlight = new Set<(error: PluginCallError) => void>();
  readonly #restartTimes: number[] = [];
  #state: PluginState = "starting";
  #current: Instance | undefined;
  #ready: Promise<contract.QualityPluginServiceClient> = Promise.reject(new Error("not started"));
  #healthTimer: NodeJS.Timeout | undefined;

  constructor(descriptor: PluginDescriptor, options: SupervisorOptions) {
    this.name = descriptor.provider;
    this.plugin = descriptor.provider;
    this.#descriptor = descriptor;
    this.#options = options;
    this.#startTimeoutMs =
      options.startTimeoutMs ?? descriptor.startTimeoutMs ?? DEFAULTS.startTimeoutMs;
    this.#healthTimeoutMs = options.healthTimeoutMs ?? DEFAULTS.healthTimeoutMs;
    this.#healthIntervalMs = options.healthIntervalMs ?? DEFAULTS.healthIntervalMs;
    this.#policy = { ...DEFAULTS.restart, ...options.restart };
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
    return [...this.#tail];
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
    clearTimeout(this.#healthTimer);
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
        const wait = this.#nextBackoff();
        if (wait === undefined) {
          this.#state = "failed";
          throw this.#budgetError(error);
        }
        this.#state = "restarting";
        await delay(wait);
      }
    }
  }

  #nextBackoff(): number | undefined {
    const now = Date.now();
    while (this.#restartTimes.length > 0 && now - this.#restartTimes[0]! > this.#policy.windowMs) {
      this.#restartTimes.shift();
    }
    if (this.#restartTimes.length >= this.#policy.maxRestarts) return undefined;
    const wait = Math.min(
      this.#policy.maxBackoffMs,
      this.#policy.initialBackoffMs * 2 ** this.#restartTimes.length,
    );
    this.#restartTimes.push(now);
    return wait;
  }

  #budgetError(last: FloeError): FloeError {
    return new FloeError(
      "FLOE-DQ001",
      `plugin ${this.name} keeps crashing: restart budget exhausted (${this.#policy.maxRestarts} restarts within ${this.#policy.windowMs / 1000} s). Last failure: ${last.message}`,
      {
        fix: "Run `floe-quality plugins check <provider>` and read the plugin's stderr; fix its installation or configuration.",
      },
    );
  }

  async #launch(): Promise<Instance> {
    const started = performance.now();
    const startedAt = Date.now();
    this.#tail.length = 0;
    const dir = mkdtempSync(join(tmpdir(), "floe-plugin-"));
    chmodSync(dir, 0o700);
    const { file, args } = launchCommand(this.#descriptor, {
      ...process.env,
      ...this.#options.env,
    });
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.#options.env };
    delete env[PLUGIN_ENV.listen];
    Object.assign(env, {
      [PLUGIN_ENV.magicCookie]: MAGIC_COOKIE_VALUE,
      [PLUGIN_ENV.protocolVersions]: APP_PROTOCOL_VERSIONS.join(","),
      [PLUGIN_ENV.socketDir]: dir,
      [PLUGIN_ENV.logLevel]: this.#options.logLevel ?? env[PLUGIN_ENV.logLevel] ?? "info",
    });
    const child = spawn(file, args, { env, stdio: ["pipe", "pipe", "pipe"] });
    const instance: Instance = {
      child,
      dir,
      connection: undefined,
      exit: undefined,
      spawnError: undefined,
      exited: new Promise<ExitInfo>((resolve) => {
        child.once("exit", (code, signal) => {
          instance.exit = { code, signal };
          resolve(instance.exit);
        });
        child.once("error", (error) => {
          instance.spawnError = error;
          instance.exit = { code: 127, signal: null };
          resolve(instance.exit);
        });
      }),
    };
    this.#current = instance;
    // The plugin exits when this pipe closes, i.e. when the host dies.
    child.stdin?.on("error", () => undefined);
    this.#collectStderr(child);

    try {
      const line = await this.#firstStdoutLine(instance, started);
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
    child.stdout?.on("data", (chunk: Buffer) =>
      this.#relog({
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

  #firstStdoutLine(instance: Instance, started: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: instance.child.stdout! });
      const timer = setTimeout(
        () => {
          lines.close();
          reject(
            new FloeError(
              "FLOE-DQ001",
              `plugin ${this.name} printed no handshake line within ${this.#startTimeoutMs} ms${this.#tailText()}`,
              {
                fix: "The plugin must print CORE|APP|NETWORK|ADDRESS|grpc on stdout once it listens (docs/plugin-protocol.md); raise the start timeout if it is just slow.",
              },
            ),
          );
        },
        Math.max(0, this.#startTimeoutMs - (performance.now() - started)),
      );
      lines.once("line", (line) => {
        clearTimeout(timer);
        lines.close();
        resolve(line);
      });
      instance.exited.then((exit) => {
        clearTimeout(timer);
        if (instance.spawnError !== undefined) {
          const { file } = launchCommand(this.#descriptor, {
            ...process.env,
            ...this.#options.env,
          });
          return reject(
            new FloeError(
              "FLOE-DQ001",
              `plugin ${this.name} could not be started: ${file}: ${instance.spawnError.message}`,
              {
                file: this.#descriptor.file,
                path: "command",
                fix: "Install the plugin's runtime (Node, Python: set FLOE_PYTHON) or correct the descriptor's command.",
              },
            ),
          );
        }
        reject(
          new CrashedDuringStart(
            "FLOE-DQ001",
            this.#exitMessage(exit, "before its handshake line"),
          ),
        );
      });
    });
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
    const connection = instance.connection!;
    const current = () =>
      this.#current === instance && this.#state === "serving" && instance.exit === undefined;
    const schedule = () => {
      this.#healthTimer = setTimeout(poll, this.#healthIntervalMs);
      this.#healthTimer.unref();
    };
    const poll = () => {
      if (!current()) return;
      const deadline = Date.now() + this.#healthTimeoutMs;
      connection.health.check(
        { service: HEALTH_SERVICE_NAME },
        new Metadata(),
        { deadline },
        (error, response) => {
          if (!current()) return;
          if (error === null && response?.status === "SERVING") return schedule();
          const why =
            error !== null
              ? `health check failed: ${error.details}`
              : `health status ${response?.status}`;
          this.#relog({ level: "error", msg: `plugin is unhealthy (${why}); restarting it` });
          instance.child.kill("SIGKILL");
        },
      );
    };
    schedule();
  }

  #onExit(instance: Instance): void {
    if (this.#current !== instance || this.#state === "stopping" || this.#state === "stopped")
      return;
    clearTimeout(this.#healthTimer);
    const error = this.#deathError(instance.exit!);
    for (const fail of [...this.#inFlight]) fail(error);
    this.#inFlight.clear();
    instance.connection?.close();
    rmSync(instance.dir, { recursive: true, force: true });
    this.#state = "restarting";
    this.#ready = (async () => {
      const wait = this.#nextBackoff();
      if (wait === undefined) {
        this.#state = "failed";
        throw this.#budgetError(error);
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
    return `plugin ${this.name} (pid ${this.#current?.child.pid ?? "?"}) ${how}${when ? ` ${when}` : ""}${this.#tailText()}`;
  }

  #tailText(): string {
    const last = this.#tail.slice(-5);
    return last.length === 0
      ? "; it wrote nothing on stderr"
      : `; last stderr lines:\n  ${last.join("\n  ")}`;
  }

  #collectStderr(child: ChildProcess): void {
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
      this.#relog(record);
    });
  }

  #relog(record: Record<string, unknown>): void {
    const { level, msg, ...fields } = record;
    const entry: PluginLogEntry = {
      plugin: this.name,
      level: typeof level === "string" ? level : "info",
      msg: typeof msg === "string" ? msg : JSON.stringify(msg),
      fields,
    };
    if (this.#options.onLog !== undefined) this.#options.onLog(entry);
    else if (entry.level === "warn" || entry.level === "error") {
      process.stderr.write(
        `${JSON.stringify({ plugin: entry.plugin, level: entry.level, msg: entry.msg, ...fields })}\n`,
      );
    }
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

class SidecarConnection implements RunningPlugin, PluginChannel {
  readonly name: string;
  readonly plugin: string;
  readonly client: PluginClient;
  metadata!: contract.GetMetadataResponse;
  timings: StartTimings = { handshakeMs: 0, servingMs: 0, metadataMs: 0 };
  readonly #options: SidecarOptions;
  #connection: Connection | undefined;
  #state: PluginState = "starting";

  constructor(options: SidecarOptions) {
    this.name = options.name;
    this.plugin = options.name;
    this.#options = options;
    this.client = new PluginClient(this);
  }

  state(): PluginState {
    return this.#state;
  }
  pid(): undefined {
    return undefined;
  }
  socketDir(): undefined {
    return undefined;
  }
  stderrTail(): string[] {
    return [];
  }

  async connect(): Promise<void> {
    const started = performance.now();
    const { address } = this.#options;
    const target = address.startsWith("unix://")
      ? `unix:${address.slice("unix://".length)}`
      : address;
    this.#connection = openConnection(target, this.#credentials());
    const timeout = this.#options.healthTimeoutMs ?? DEFAULTS.healthTimeoutMs;
    try {
      const startedAt = Date.now();
      await waitServing(
        this.#connection,
        `${this.name} at ${address}`,
        timeout,
        startedAt + timeout,
        startedAt,
      );
      this.timings.servingMs = performance.now() - started;
      this.#state = "serving";
      this.metadata = await fetchMetadata(this.client, this.name, timeout);
      this.timings.metadataMs = performance.now() - started;
    } catch (error) {
      this.#connection.close();
      this.#state = "failed";
      throw error;
    }
  }

  #credentials(): ChannelCredentials {
    const { tls, insecure, address } = this.#options;
    if (address.startsWith("unix://") || insecure === true) return grpcCredentials.createInsecure();
    const read = (file: string | undefined) => (file === undefined ? null : readFileSync(file));
    return grpcCredentials.createSsl(read(tls?.caFile), read(tls?.keyFile), read(tls?.certFile));
  }

  async ready(): Promise<contract.QualityPluginServiceClient> {
    if (this.#connection === undefined || this.#state === "stopped") {
      throw new FloeError(
        "FLOE-DQ001",
        `plugin ${this.name} at ${this.#options.address} is not connected`,
      );
    }
    return this.#connection.plugin;
  }

  track(): () => void {
    return () => undefined;
  }

  async explain(error: ServiceError, method: string): Promise<PluginCallError> {
    if (error.code === status.UNAVAILABLE) {
      return new PluginCallError(
        this.name,
        error.code,
        "FLOE-DQ001",
        `plugin ${this.name} at ${this.#options.address} is unavailable: ${error.details}`,
        { fix: "Check that the sidecar is running and reachable, and its TLS material." },
      );
    }
    return callErrorFrom(this.name, error, method);
  }

  async stop(): Promise<void> {
    // A sidecar belongs to its deployment: we only hang up.
    this.#connection?.close();
    this.#state = "stopped";
  }
}

/** `promise`'s value, or undefined after `ms`; the timer never outlives the race. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
