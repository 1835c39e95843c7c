// Sidecar mode: the host dials a plugin that runs on its own (Kubernetes) at a
// Unix socket or over TCP with TLS (client certificate and key give mTLS),
// checks its health and metadata, and only hangs up when stopped.
import { readFileSync } from "node:fs";
import { type contract, FloeError } from "@floe/quality-sdk";
import {
  type ChannelCredentials,
  credentials as grpcCredentials,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import { callErrorFrom, PluginCallError, type PluginChannel, PluginClient } from "./client.js";
import { type Connection, fetchMetadata, openConnection, waitServing } from "./health.js";
import type { PluginState, RunningPlugin, StartTimings } from "./running.js";

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

const DEFAULT_HEALTH_TIMEOUT_MS = 5_000;

/** Dials a plugin that runs on its own (sidecar mode) and checks its health and metadata. */
export async function connectPlugin(options: SidecarOptions): Promise<RunningPlugin> {
  const sidecar = new SidecarConnection(options);
  await sidecar.connect();
  return sidecar;
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
    const timeout = this.#options.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
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
