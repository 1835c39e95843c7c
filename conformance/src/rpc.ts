// Promise-shaped calls on a plugin's two gRPC services, with every call under a
// deadline so a silent plugin can never hang the suite.
import {
  contract,
  type DecodedStatusDetails,
  errorInfoFromServiceError,
  statusDetailsOf,
} from "@floe/quality-sdk";
import {
  type CallOptions,
  type ChannelCredentials,
  type Client,
  credentials,
  Metadata,
  makeClientConstructor,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";

/** The unary call deadline when a test sets none. */
export const CALL_TIMEOUT_MS = 10_000;

export type HealthStatus = "SERVING" | "NOT_SERVING" | "UNKNOWN" | "SERVICE_UNKNOWN";

/** Connected clients of one plugin endpoint. */
export interface PluginClients {
  readonly target: string;
  readonly plugin: contract.QualityPluginServiceClient;
  readonly health: Client;
  close(): void;
}

export function connectClients(
  target: string,
  channelCredentials: ChannelCredentials = credentials.createInsecure(),
): PluginClients {
  const plugin = new contract.QualityPluginServiceClient(target, channelCredentials);
  const HealthClient = makeClientConstructor(
    healthService as unknown as Parameters<typeof makeClientConstructor>[0],
    "grpc.health.v1.Health",
  );
  const health = new HealthClient(target, channelCredentials);
  return {
    target,
    plugin,
    health,
    close() {
      plugin.close();
      health.close();
    },
  };
}

export function deadlineIn(ms: number): Date {
  return new Date(Date.now() + ms);
}

/** A gRPC error with the FLOE-DQ code from its ErrorInfo detail, when there is one. */
export interface CallError {
  readonly grpcCode: number;
  readonly grpcCodeName: string;
  readonly message: string;
  readonly floeCode: string | undefined;
  /** Every grpc-status-details-bin value, decoded (a string says why one could not be). */
  readonly statusDetails: (DecodedStatusDetails | string)[];
}

export function callErrorOf(error: ServiceError): CallError {
  return {
    grpcCode: error.code,
    grpcCodeName: status[error.code] ?? String(error.code),
    message: error.details,
    floeCode: floeCodeOf(error),
    statusDetails: statusDetailsOf(error),
  };
}

/** The reason of the google.rpc.ErrorInfo in `grpc-status-details-bin`, when it is a floe one. */
function floeCodeOf(error: ServiceError): string | undefined {
  const info = errorInfoFromServiceError(error);
  return info?.domain === "floe.dev" ? info.reason : undefined;
}

export class RpcError extends Error {
  readonly call: CallError;
  constructor(method: string, call: CallError) {
    super(
      `${method} failed: ${call.grpcCodeName}${call.floeCode ? ` ${call.floeCode}` : ""}: ${call.message}`,
    );
    this.name = "RpcError";
    this.call = call;
  }
}

type Unary<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => unknown;

function unary<Req, Res>(
  client: contract.QualityPluginServiceClient,
  method: Unary<Req, Res>,
  name: string,
  request: Req,
  timeoutMs: number,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    method.call(
      client,
      request,
      new Metadata(),
      { deadline: deadlineIn(timeoutMs) },
      (error: ServiceError | null, response: Res) => {
        if (error) reject(new RpcError(name, callErrorOf(error)));
        else resolve(response);
      },
    );
  });
}

export function getMetadata(
  clients: PluginClients,
  timeoutMs = CALL_TIMEOUT_MS,
): Promise<contract.GetMetadataResponse> {
  return unary(
    clients.plugin,
    clients.plugin.getMetadata as Unary<contract.GetMetadataRequest, contract.GetMetadataResponse>,
    "GetMetadata",
    {},
    timeoutMs,
  );
}

export function validateConfig(
  clients: PluginClients,
  request: contract.ValidateConfigRequest,
  timeoutMs = CALL_TIMEOUT_MS,
): Promise<contract.ValidateConfigResponse> {
  return unary(
    clients.plugin,
    clients.plugin.validateConfig as Unary<
      contract.ValidateConfigRequest,
      contract.ValidateConfigResponse
    >,
    "ValidateConfig",
    request,
    timeoutMs,
  );
}

export function validateSuite(
  clients: PluginClients,
  request: contract.ValidateSuiteRequest,
  timeoutMs = CALL_TIMEOUT_MS,
): Promise<contract.ValidateSuiteResponse> {
  return unary(
    clients.plugin,
    clients.plugin.validateSuite as Unary<
      contract.ValidateSuiteRequest,
      contract.ValidateSuiteResponse
    >,
    "ValidateSuite",
    request,
    timeoutMs,
  );
}

export function shutdown(clients: PluginClients, timeoutMs = CALL_TIMEOUT_MS): Promise<void> {
  return unary(
    clients.plugin,
    clients.plugin.shutdown as Unary<contract.ShutdownRequest, contract.ShutdownResponse>,
    "Shutdown",
    {},
    timeoutMs,
  ).then(() => undefined);
}

export function checkHealth(
  clients: PluginClients,
  serviceName: string,
  timeoutMs = CALL_TIMEOUT_MS,
): Promise<HealthStatus> {
  const check = (clients.health as unknown as Record<string, Unary<unknown, unknown>>).Check;
  if (check === undefined) throw new Error("the health client has no Check method");
  return new Promise<HealthStatus>((resolve, reject) => {
    check.call(
      clients.health,
      { service: serviceName },
      new Metadata(),
      { deadline: deadlineIn(timeoutMs) },
      (error: ServiceError | null, response: unknown) => {
        if (error) {
          if (error.code === status.NOT_FOUND) resolve("SERVICE_UNKNOWN");
          else reject(new RpcError("Health.Check", callErrorOf(error)));
          return;
        }
        resolve(servingStatusName((response as { status?: unknown }).status));
      },
    );
  });
}

function servingStatusName(value: unknown): HealthStatus {
  switch (value) {
    case 1:
    case "SERVING":
      return "SERVING";
    case 2:
    case "NOT_SERVING":
      return "NOT_SERVING";
    case 3:
    case "SERVICE_UNKNOWN":
      return "SERVICE_UNKNOWN";
    default:
      return "UNKNOWN";
  }
}

/** Everything a RunChecks stream delivered, and how it ended. */
export interface RunOutcome {
  readonly results: contract.QualityCheckResult[];
  readonly summary: contract.QualitySuiteResult | undefined;
  /** Set when the stream ended with an error status instead of OK. */
  readonly error: CallError | undefined;
  /** Messages received after the summary (the summary must be last). */
  readonly afterSummary: number;
  readonly elapsedMs: number;
}

/** `signal` cancels the call (the host gives up) before its deadline. */
export function runChecks(
  clients: PluginClients,
  request: contract.RunChecksRequest,
  deadlineMs: number,
  signal?: AbortSignal,
): Promise<RunOutcome> {
  const started = performance.now();
  const results: contract.QualityCheckResult[] = [];
  let summary: contract.QualitySuiteResult | undefined;
  let afterSummary = 0;
  return new Promise<RunOutcome>((resolve) => {
    const stream = clients.plugin.runChecks(request, { deadline: deadlineIn(deadlineMs) });
    let settled = false;
    const settle = (error: CallError | undefined) => {
      if (settled) return;
      settled = true;
      resolve({
        results,
        summary,
        error,
        afterSummary,
        elapsedMs: performance.now() - started,
      });
    };
    stream.on("data", (message: contract.RunChecksResponse) => {
      if (summary !== undefined) afterSummary += 1;
      const event = message.event;
      if (event?.$case === "checkResult") results.push(event.value);
      else if (event?.$case === "summary") summary = event.value;
    });
    stream.on("error", (error: ServiceError) => settle(callErrorOf(error)));
    stream.on("end", () => settle(undefined));
    signal?.addEventListener("abort", () => stream.cancel(), { once: true });
  });
}

export function listSuites(
  clients: PluginClients,
  timeoutMs = CALL_TIMEOUT_MS,
): Promise<contract.ListSuitesResponse> {
  return unary(
    clients.plugin,
    clients.plugin.listSuites as Unary<contract.ListSuitesRequest, contract.ListSuitesResponse>,
    "ListSuites",
    {},
    timeoutMs,
  );
}

/** What a Health/Watch stream delivered before the test stopped listening. */
export interface WatchOutcome {
  readonly statuses: HealthStatus[];
  /** How the stream ended on the plugin's side, when it did (e.g. "UNIMPLEMENTED: ..."). */
  readonly ended: string | undefined;
}

/** A Health/Watch stream that can be read while it stays open. */
export interface HealthWatch {
  readonly statuses: HealthStatus[];
  /** Resolves once `done(statuses)` holds, the stream ends, or `timeoutMs` passes. */
  until(
    done: (statuses: readonly HealthStatus[]) => boolean,
    timeoutMs: number,
  ): Promise<WatchOutcome>;
  cancel(): void;
}

export function watchHealth(clients: PluginClients, serviceName: string): HealthWatch {
  const watch = (clients.health as unknown as Record<string, unknown>).Watch as
    | ((
        request: unknown,
        metadata: Metadata,
        options: Partial<CallOptions>,
      ) => NodeJS.EventEmitter & { cancel(): void })
    | undefined;
  if (watch === undefined) throw new Error("the health client has no Watch method");
  const stream = watch.call(clients.health, { service: serviceName }, new Metadata(), {});
  const statuses: HealthStatus[] = [];
  let ended: string | undefined;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  stream.on("data", (response: { status?: unknown }) => {
    statuses.push(servingStatusName(response.status));
    wake();
  });
  stream.on("error", (error: ServiceError) => {
    ended ??= `${status[error.code] ?? error.code}: ${error.details}`;
    wake();
  });
  stream.on("end", () => {
    ended ??= "OK (the stream ended)";
    wake();
  });
  return {
    statuses,
    cancel: () => stream.cancel(),
    until(done, timeoutMs) {
      return new Promise<WatchOutcome>((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve({ statuses: [...statuses], ended });
        };
        const check = () => {
          if (done(statuses) || ended !== undefined) finish();
        };
        const timer = setTimeout(finish, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
