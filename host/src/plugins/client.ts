// A typed client for one plugin. Calls wait for the plugin to be ready (across
// a restart), carry deadlines, and fail fast with UNAVAILABLE + FLOE-DQ001 when
// the plugin process dies under them.

import {
  contract,
  FloeError,
  type FloeErrorCode,
  floeErrorFromServiceError,
} from "@floe/quality-sdk";
import { type CallOptions, Metadata, type ServiceError, status } from "@grpc/grpc-js";

type Service = typeof contract.QualityPluginServiceService;
type UnaryMethod = "getMetadata" | "validateConfig" | "validateSuite" | "listSuites" | "shutdown";
type RequestOf<M extends keyof Service> = Parameters<Service[M]["requestSerialize"]>[0];
type ResponseOf<M extends keyof Service> = ReturnType<Service[M]["responseDeserialize"]>;

/** A plugin call that failed: its FLOE-DQ code plus the gRPC status it came with. */
export class PluginCallError extends FloeError {
  readonly grpcCode: status;
  readonly plugin: string;
  constructor(
    plugin: string,
    grpcCode: status,
    code: FloeErrorCode,
    message: string,
    where: { file?: string; path?: string; fix?: string } = {},
  ) {
    super(code, message, where);
    this.name = "PluginCallError";
    this.plugin = plugin;
    this.grpcCode = grpcCode;
  }
}

/** What the client needs from whoever keeps the plugin alive (the supervisor). */
export interface PluginChannel {
  readonly plugin: string;
  /** The gRPC client of the serving plugin; waits for a restart, rejects when it cannot come back. */
  ready(): Promise<contract.QualityPluginServiceClient>;
  /** Registers a call to fail with `error` when the plugin dies; returns the unregister function. */
  track(onDeath: (error: PluginCallError) => void): () => void;
  /** The error a caller sees for a failed call, with what is known about the plugin's state. */
  explain(error: ServiceError, method: string): Promise<PluginCallError>;
}

export interface CallSettings {
  /** Deadline of the call; for RunChecks it is the suite timeout. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** W3C trace context sent as the `traceparent` header, so the plugin continues the trace. */
  traceparent?: string;
}

export interface RunChecksSettings extends CallSettings {
  /** Called with each check result as it arrives. */
  onCheck?: (result: contract.QualityCheckResult) => void;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class PluginClient {
  readonly #channel: PluginChannel;

  constructor(channel: PluginChannel) {
    this.#channel = channel;
  }

  getMetadata(settings?: CallSettings): Promise<contract.GetMetadataResponse> {
    return this.#unary("getMetadata", {}, settings);
  }

  validateConfig(
    request: contract.ValidateConfigRequest,
    settings?: CallSettings,
  ): Promise<contract.ValidateConfigResponse> {
    return this.#unary("validateConfig", request, settings);
  }

  validateSuite(
    request: contract.ValidateSuiteRequest,
    settings?: CallSettings,
  ): Promise<contract.ValidateSuiteResponse> {
    return this.#unary("validateSuite", request, settings);
  }

  listSuites(settings?: CallSettings): Promise<contract.ListSuitesResponse> {
    return this.#unary("listSuites", {}, settings);
  }

  /** Runs a suite; resolves with the plugin's summary after every streamed result. */
  async runChecks(
    request: contract.RunChecksRequest,
    settings: RunChecksSettings = {},
  ): Promise<contract.QualitySuiteResult> {
    let summary: contract.QualitySuiteResult | undefined;
    for await (const event of this.streamChecks(request, settings)) {
      if (event.$case === "checkResult") settings.onCheck?.(event.value);
      else summary = event.value;
    }
    if (summary === undefined) {
      throw new PluginCallError(
        this.#channel.plugin,
        status.INTERNAL,
        "FLOE-DQ001",
        `plugin ${this.#channel.plugin} ended RunChecks without a summary`,
        { fix: "The plugin must send the suite summary as the last message of the stream." },
      );
    }
    return summary;
  }

  /** The RunChecks stream as it arrives: check results, then the summary. */
  async *streamChecks(
    request: contract.RunChecksRequest,
    settings: CallSettings = {},
  ): AsyncGenerator<NonNullable<contract.RunChecksResponse["event"]>> {
    const client = await this.#channel.ready();
    const method = contract.QualityPluginServiceService.runChecks;
    const call = client.makeServerStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      metadataFor(settings),
      callOptions(settings),
    );
    let death: PluginCallError | undefined;
    const untrack = this.#channel.track((error) => {
      death = error;
      call.cancel();
    });
    const onAbort = () => call.cancel();
    settings.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const message of call as AsyncIterable<contract.RunChecksResponse>) {
        if (message.event !== undefined) yield message.event;
      }
    } catch (error) {
      if (death !== undefined) throw death;
      throw await this.#channel.explain(error as ServiceError, "RunChecks");
    } finally {
      untrack();
      settings.signal?.removeEventListener("abort", onAbort);
      call.cancel();
    }
    if (death !== undefined) throw death;
  }

  async #unary<M extends UnaryMethod>(
    name: M,
    request: RequestOf<M>,
    settings: CallSettings = {},
  ): Promise<ResponseOf<M>> {
    const client = await this.#channel.ready();
    const method = contract.QualityPluginServiceService[name] as unknown as {
      path: string;
      requestSerialize: (value: RequestOf<M>) => Buffer;
      responseDeserialize: (value: Buffer) => ResponseOf<M>;
    };
    return new Promise<ResponseOf<M>>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        untrack();
        settings.signal?.removeEventListener("abort", onAbort);
        fn();
      };
      const call = client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        metadataFor(settings),
        callOptions(settings),
        (error, response) => {
          if (error === null) settle(() => resolve(response as ResponseOf<M>));
          else this.#channel.explain(error, name).then((e) => settle(() => reject(e)));
        },
      );
      const untrack = this.#channel.track((error) => {
        settle(() => reject(error));
        call.cancel();
      });
      const onAbort = () => call.cancel();
      settings.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

function metadataFor(settings: CallSettings): Metadata {
  const metadata = new Metadata();
  if (settings.traceparent !== undefined) metadata.set("traceparent", settings.traceparent);
  return metadata;
}

function callOptions(settings: CallSettings): Partial<CallOptions> {
  return { deadline: Date.now() + (settings.timeoutMs ?? DEFAULT_TIMEOUT_MS) };
}

/**
 * The FLOE-DQ error for a failed call: the plugin's own FLOE-DQ code when its
 * status carries one, else a code chosen from the gRPC status.
 */
export function callErrorFrom(
  plugin: string,
  error: ServiceError,
  method: string,
): PluginCallError {
  const thrown = floeErrorFromServiceError(error);
  if (thrown !== undefined) {
    return new PluginCallError(plugin, error.code, thrown.code, thrown.message, {
      ...(thrown.file !== undefined ? { file: thrown.file } : {}),
      ...(thrown.path !== undefined ? { path: thrown.path } : {}),
      fix: thrown.fix,
    });
  }
  if (error.code === status.DEADLINE_EXCEEDED) {
    return new PluginCallError(
      plugin,
      error.code,
      "FLOE-DQ106",
      `plugin ${plugin} did not answer ${method} before its deadline`,
    );
  }
  return new PluginCallError(
    plugin,
    error.code,
    "FLOE-DQ001",
    `plugin ${plugin} failed ${method}: ${status[error.code] ?? error.code}: ${error.details}`,
  );
}
