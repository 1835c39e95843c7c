// servePlugin(): the whole plugin side of the floe plugin protocol
// (docs/plugin-protocol.md) around a plugin author's implementation.
import { chmodSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  type handleServerStreamingCall,
  type handleUnaryCall,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServerWritableStream,
  status,
} from "@grpc/grpc-js";
import { FloeError } from "./errors.js";
import {
  GetMetadataResponse,
  type ListSuitesRequest,
  ListSuitesResponse,
  type QualityPluginServiceServer,
  QualityPluginServiceService,
  type RunChecksRequest,
  type RunChecksResponse,
  type ShutdownRequest,
  type ShutdownResponse,
  type ValidateConfigRequest,
  ValidateConfigResponse,
  type ValidateSuiteRequest,
  ValidateSuiteResponse,
} from "./gen/floe/quality/v1/plugin.js";
import {
  CheckStatus,
  type QualityCheck,
  type QualityCheckResult,
  type QualitySuite,
  type QualitySuiteResult,
} from "./gen/floe/quality/v1/types.js";
import {
  handshakeLineFor,
  hasMagicCookie,
  hostProtocolVersions,
  type Network,
  negotiateProtocolVersion,
} from "./handshake.js";
import { addHealthService } from "./health.js";
import { createLogger, type PluginLogger } from "./log.js";
import {
  APP_PROTOCOL_VERSIONS,
  duplicateCheckName,
  ENV,
  FLOE_API_VERSION,
  SOCKET_FILE_NAME,
  STARTED_BY_HAND_MESSAGE,
} from "./protocol.js";
import { uncountedResult } from "./results.js";
import { type StatusObject, statusFromFloeError, statusFromThrown } from "./status.js";
import { endCallSpan, initPluginTracing, shutdownPluginTracing, startCallSpan } from "./tracing.js";

/** What every handler receives besides its request. */
export interface CallContext {
  /**
   * Fires when the call's deadline is about to pass, when the host cancels the
   * call, or when the plugin shuts down. `signal.reason` is a FloeError
   * (FLOE-DQ106) for the deadline.
   */
  signal: AbortSignal;
  /** The call's deadline, when the host set one. */
  deadline: Date | undefined;
  log: PluginLogger;
  /** W3C trace context of the call (its `traceparent` header, else TRACEPARENT), to continue the trace. */
  traceparent: string | undefined;
}

/**
 * A quality plugin. Only `getMetadata` and `runChecks` are required. Throw a
 * FloeError to answer with its FLOE-DQ code; anything else thrown becomes
 * INTERNAL with a safe message (the error itself goes to the log).
 */
export interface QualityPlugin {
  /** floe_api_version defaults to this SDK's FLOE_API_VERSION when empty. */
  getMetadata(): Partial<GetMetadataResponse> | Promise<Partial<GetMetadataResponse>>;
  /** Slow start-up work (imports, connections); health is NOT_SERVING until it resolves. */
  startup?(log: PluginLogger): Promise<void>;
  validateConfig?(
    request: ValidateConfigRequest,
    ctx: CallContext,
  ): Promise<ValidateConfigResponse>;
  /** Defaults to: every check type must be one of capabilities.check_types. */
  validateSuite?(request: ValidateSuiteRequest, ctx: CallContext): Promise<ValidateSuiteResponse>;
  listSuites?(request: ListSuitesRequest, ctx: CallContext): Promise<ListSuitesResponse>;
  /**
   * Yields one result per check as it finishes. The SDK streams them, then the
   * suite summary. When ctx.signal fires on the deadline, the SDK stops
   * waiting, reports every check not yet yielded as TIMED_OUT (FLOE-DQ106)
   * and ends the stream; the generator should stop its work on the signal.
   */
  runChecks(request: RunChecksRequest, ctx: CallContext): AsyncIterable<QualityCheckResult>;
  /** Releases resources before the process exits. */
  shutdown?(): Promise<void>;
}

export interface ServeOptions {
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  logger?: PluginLogger;
}

interface ListenTarget {
  network: Network;
  /** What grpc-js binds. */
  bindAddress: string;
  /** Socket file to chmod 0600 and remove on exit. */
  socketPath: string | undefined;
  credentials: ServerCredentials;
  sidecar: boolean;
}

class StartupError extends Error {}

/**
 * Runs the plugin until the host lets it go: checks the cookie, negotiates the
 * version, listens, prints the handshake line, reports health, and exits on
 * Shutdown, SIGTERM or stdin EOF. Never returns normally.
 */
export async function servePlugin(
  plugin: QualityPlugin,
  options: ServeOptions = {},
): Promise<never> {
  const env = options.env ?? process.env;
  const log = options.logger ?? createLogger();
  let target: ListenTarget;
  let app: number;
  try {
    if (env[ENV.listen] === undefined && !hasMagicCookie(env))
      throw new StartupError(STARTED_BY_HAND_MESSAGE);
    const hostVersions = hostProtocolVersions(env);
    const negotiated = negotiateProtocolVersion(hostVersions);
    if (negotiated === undefined) {
      throw new StartupError(
        `floe-quality plugin: no common protocol version: the host speaks [${hostVersions.join(",")}] (${ENV.protocolVersions}), this plugin speaks [${APP_PROTOCOL_VERSIONS.join(",")}]`,
      );
    }
    app = negotiated;
    target = listenTarget(env);
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }

  await initPluginTracing(env, "floe-quality-plugin");
  const server = new Server();
  const health = addHealthService(server);
  const inFlight = new Set<AbortController>();
  let stopping: Promise<never> | undefined;
  let hostGone = false;

  const stop = (why: string): Promise<never> => {
    stopping ??= (async () => {
      log.info("plugin stopping", { reason: why });
      health.set("NOT_SERVING");
      for (const controller of inFlight)
        controller.abort(new FloeError("FLOE-DQ001", "the plugin is shutting down"));
      // Cancelled calls answer within a moment.
      const settleBy = Date.now() + 1_000;
      while (inFlight.size > 0 && Date.now() < settleBy)
        await new Promise((r) => setTimeout(r, 10));
      // A graceful close lets answers already given (Shutdown's own) reach the host;
      // health Watch streams never end on their own, hence the forced close after a moment.
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 250);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      if (target.socketPath !== undefined) rmSync(target.socketPath, { force: true });
      if (hostGone && target.socketPath !== undefined) {
        // The host cannot remove its private directory any more; it is empty now.
        try {
          rmdirSync(dirname(target.socketPath));
        } catch {
          // Not empty or already gone: the directory belongs to the host.
        }
      }
      try {
        await plugin.shutdown?.();
      } catch (error) {
        log.error("plugin shutdown hook failed", { error });
      }
      await shutdownPluginTracing();
      process.exit(0);
    })();
    return stopping;
  };

  const context = (
    call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>,
  ) => callContext(call, inFlight, log);

  const handlers: QualityPluginServiceServer = {
    getMetadata: unary(log, async () => metadataOf(plugin)),
    validateConfig: unary(log, async (request: ValidateConfigRequest, call) => {
      if (plugin.validateConfig === undefined) {
        return ValidateConfigResponse.fromPartial({ result: { success: true } });
      }
      return withContext(context(call), (ctx) => plugin.validateConfig!(request, ctx));
    }),
    validateSuite: unary(log, async (request: ValidateSuiteRequest, call) => {
      if (plugin.validateSuite === undefined)
        return validateAgainstCapabilities(request, await metadataOf(plugin));
      return withContext(context(call), (ctx) => plugin.validateSuite!(request, ctx));
    }),
    listSuites: unary(log, async (request: ListSuitesRequest, call) => {
      if (plugin.listSuites === undefined) return ListSuitesResponse.fromPartial({});
      return withContext(context(call), (ctx) => plugin.listSuites!(request, ctx));
    }),
    runChecks: streamRunChecks(plugin, log, inFlight),
    shutdown: (_call: ServerUnaryCall<ShutdownRequest, ShutdownResponse>, callback) => {
      callback(null, {});
      // grpc-js writes the status in a later turn than the callback; stopping in
      // setImmediate closed the session first and the host saw CANCELLED.
      setTimeout(() => void stop("Shutdown requested by the host"), 0);
    },
  };
  server.addService(QualityPluginServiceService, handlers);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(target.bindAddress, target.credentials, (error, bound) =>
      error === null ? resolve(bound) : reject(error),
    );
  }).catch((error: Error) => {
    process.stderr.write(
      `floe-quality plugin: cannot listen on ${target.bindAddress}: ${error.message}\n`,
    );
    process.exit(1);
  });
  if (target.socketPath !== undefined) chmodSync(target.socketPath, 0o600);

  // Once the host is gone its end of our stdout/stderr pipes is closed: a write
  // there must not crash the orderly exit.
  process.stdout.on("error", () => undefined);
  process.stderr.on("error", () => undefined);
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("uncaughtException", (error) => {
    log.error("plugin crashed", { error: error.message, stack: error.stack });
    process.exit(1);
  });
  if (!target.sidecar) {
    // The host keeps our stdin open for its whole life: EOF means it died.
    const gone = (why: string) => {
      hostGone = true;
      void stop(why);
    };
    process.stdin.on("end", () => gone("stdin closed: the host is gone"));
    process.stdin.on("error", () => gone("stdin failed: the host is gone"));
    process.stdin.resume();
  }

  const address =
    target.network === "unix" ? target.socketPath! : tcpAddress(target.bindAddress, port);
  process.stdout.write(`${handshakeLineFor(app, target.network, address)}\n`);

  try {
    await plugin.startup?.(log);
  } catch (error) {
    log.error("plugin startup failed", { error });
    process.exit(1);
  }
  health.set("SERVING");
  log.debug("plugin serving", { address });
  return new Promise<never>(() => {});
}

function listenTarget(env: NodeJS.ProcessEnv): ListenTarget {
  const listen = env[ENV.listen];
  if (listen === undefined) {
    const dir = env[ENV.socketDir];
    if (dir === undefined || dir === "") {
      throw new StartupError(
        `floe-quality plugin: ${ENV.socketDir} is not set; the host must provide a private directory`,
      );
    }
    const socketPath = join(dir, SOCKET_FILE_NAME);
    return {
      network: "unix",
      bindAddress: `unix:${socketPath}`,
      socketPath,
      credentials: ServerCredentials.createInsecure(),
      sidecar: false,
    };
  }
  if (listen.startsWith("unix://")) {
    const socketPath = listen.slice("unix://".length);
    if (!socketPath.startsWith("/")) {
      throw new StartupError(
        `floe-quality plugin: ${ENV.listen}=${listen}: use an absolute path, unix:///path/p.sock`,
      );
    }
    rmSync(socketPath, { force: true });
    return {
      network: "unix",
      bindAddress: `unix:${socketPath}`,
      socketPath,
      credentials: ServerCredentials.createInsecure(),
      sidecar: true,
    };
  }
  if (listen.startsWith("tcp://")) {
    return {
      network: "tcp",
      bindAddress: listen.slice("tcp://".length),
      socketPath: undefined,
      credentials: tcpCredentials(env),
      sidecar: true,
    };
  }
  throw new StartupError(
    `floe-quality plugin: ${ENV.listen}=${listen}: expected unix:///path or tcp://host:port`,
  );
}

function tcpCredentials(env: NodeJS.ProcessEnv): ServerCredentials {
  const cert = env[ENV.tlsCert];
  const key = env[ENV.tlsKey];
  if (cert !== undefined && key !== undefined) {
    const clientCa = env[ENV.tlsClientCa];
    return ServerCredentials.createSsl(
      clientCa === undefined ? null : readFileSync(clientCa),
      [{ cert_chain: readFileSync(cert), private_key: readFileSync(key) }],
      clientCa !== undefined,
    );
  }
  if (env[ENV.insecure] === "1") return ServerCredentials.createInsecure();
  throw new StartupError(
    `floe-quality plugin: a TCP listener needs TLS: set ${ENV.tlsCert} and ${ENV.tlsKey} (and ${ENV.tlsClientCa} for mTLS), or ${ENV.insecure}=1 for loopback tests`,
  );
}

function tcpAddress(bindAddress: string, port: number): string {
  const host = bindAddress.slice(0, bindAddress.lastIndexOf(":"));
  return `${host}:${port}`;
}

async function metadataOf(plugin: QualityPlugin): Promise<GetMetadataResponse> {
  const metadata = GetMetadataResponse.fromPartial(await plugin.getMetadata());
  if (metadata.floeApiVersion === "") metadata.floeApiVersion = FLOE_API_VERSION;
  return metadata;
}

function validateAgainstCapabilities(
  request: ValidateSuiteRequest,
  metadata: GetMetadataResponse,
): ValidateSuiteResponse {
  const known = new Set(metadata.capabilities?.checkTypes ?? []);
  const checks = request.suite?.checks ?? [];
  const unknown = known.size === 0 ? [] : checks.filter((c) => !known.has(c.type));
  const diagnostics = unknown.map((c) => ({
    code: "FLOE-DQ101",
    message: `check '${c.name}': type '${c.type}' is not supported by plugin ${metadata.name}`,
    file: "",
    path: `${request.suite?.modelName ?? ""}/${c.name}`,
    fix: `Use one of: ${[...known].sort().join(", ")}`,
    level: "error",
  }));
  return ValidateSuiteResponse.fromPartial({
    result: {
      success: diagnostics.length === 0,
      errors: diagnostics.map((d) => d.message),
      diagnostics,
    },
  });
}

function unary<Req, Res>(
  log: PluginLogger,
  handle: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    handle(call.request, call).then(
      (response) => callback(null, response),
      (error: unknown) => callback(statusFor(error, log, call.getPath())),
    );
  };
}

function statusFor(error: unknown, log: PluginLogger, method: string): StatusObject {
  if (error instanceof FloeError) {
    log.warn(error.message, { method, code: error.code });
    return statusFromFloeError(error);
  }
  log.error("unexpected error in handler", {
    method,
    error: error instanceof Error ? error.message : String(error),
    stack: error instanceof Error ? error.stack : undefined,
  });
  return statusFromThrown(error);
}

interface TrackedContext {
  ctx: CallContext;
  controller: AbortController;
  dispose(): void;
}

/** The deadline fires a little early so the TIMED_OUT results still reach the host. */
function deadlineMargin(remainingMs: number): number {
  return Math.min(250, Math.max(20, remainingMs * 0.05));
}

function callContext(
  call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>,
  inFlight: Set<AbortController>,
  log: PluginLogger,
): TrackedContext {
  const controller = new AbortController();
  const raw = call.getDeadline();
  const deadline = raw instanceof Date ? raw : Number.isFinite(raw) ? new Date(raw) : undefined;
  let timer: NodeJS.Timeout | undefined;
  if (deadline !== undefined) {
    const remaining = deadline.getTime() - Date.now();
    timer = setTimeout(
      () =>
        controller.abort(
          new FloeError("FLOE-DQ106", "the suite deadline passed before every check finished"),
        ),
      Math.max(0, remaining - deadlineMargin(remaining)),
    );
  }
  const onCancel = () => controller.abort(new Error("the host cancelled the call"));
  call.on("cancelled", onCancel);
  inFlight.add(controller);
  const header = call.metadata.get("traceparent")[0];
  const traceparent = typeof header === "string" ? header : process.env[ENV.traceparent];
  return {
    ctx: { signal: controller.signal, deadline, log, traceparent },
    controller,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      call.off("cancelled", onCancel);
      inFlight.delete(controller);
    },
  };
}

async function withContext<T>(
  tracked: TrackedContext,
  handle: (ctx: CallContext) => Promise<T>,
): Promise<T> {
  try {
    return await handle(tracked.ctx);
  } finally {
    tracked.dispose();
  }
}

function streamRunChecks(
  plugin: QualityPlugin,
  log: PluginLogger,
  inFlight: Set<AbortController>,
): handleServerStreamingCall<RunChecksRequest, RunChecksResponse> {
  return (call) => {
    const started = performance.now();
    const tracked = callContext(call, inFlight, log);
    const request = call.request;
    const ctx = { ...tracked.ctx, log: log.child({ run_id: request.runId }) };
    const suite = request.suite;
    const results: QualityCheckResult[] = [];
    const span = startCallSpan("floe.plugin.serve.RunChecks", ctx.traceparent, {
      "floe.model": suite?.modelName ?? "",
      "floe.checks.total": suite?.checks.length ?? 0,
    });
    let failure: unknown;
    const aborted = new Promise<"aborted">((resolve) => {
      if (ctx.signal.aborted) resolve("aborted");
      ctx.signal.addEventListener("abort", () => resolve("aborted"), { once: true });
    });

    const finish = () => {
      call.write({
        event: {
          $case: "summary",
          value: suiteSummary(suite, results, performance.now() - started),
        },
      });
      call.end();
    };

    const duplicate = duplicateCheckName((suite?.checks ?? []).map((c) => c.name));
    if (duplicate !== undefined) {
      // Results are told apart by name: refused before the plugin sees the request.
      const error = new FloeError(
        "FLOE-DQ101",
        `suite '${suite?.modelName ?? ""}' names two checks '${duplicate}'; check names must be unique within a suite`,
        { path: `${suite?.modelName ?? ""}/${duplicate}` },
      );
      tracked.dispose();
      endCallSpan(span, error);
      call.emit("error", statusFor(error, log, call.getPath()));
      return;
    }

    (async () => {
      const iterator = plugin.runChecks(request, ctx)[Symbol.asyncIterator]();
      try {
        for (;;) {
          const step = await Promise.race([iterator.next(), aborted]);
          if (step === "aborted") {
            void iterator.return?.()?.catch(() => undefined);
            const reason: unknown = ctx.signal.reason;
            if (reason instanceof FloeError && reason.code === "FLOE-DQ106") {
              for (const timedOut of unfinishedChecks(suite, results)) {
                results.push(timedOut);
                call.write({ event: { $case: "checkResult", value: timedOut } });
              }
              finish();
            } else if (reason instanceof FloeError) {
              call.emit("error", statusFromFloeError(reason, status.UNAVAILABLE));
            }
            return;
          }
          if (step.done) break;
          results.push(step.value);
          call.write({ event: { $case: "checkResult", value: step.value } });
        }
        finish();
      } catch (error) {
        failure = error;
        if (!call.cancelled) call.emit("error", statusFor(error, log, call.getPath()));
      } finally {
        tracked.dispose();
        span.setAttribute("floe.checks.reported", results.length);
        endCallSpan(span, failure);
      }
    })();
  };
}

function unfinishedChecks(
  suite: QualitySuite | undefined,
  reported: readonly QualityCheckResult[],
): QualityCheckResult[] {
  const done = new Set(reported.map((r) => r.checkName));
  const timeout = suite?.timeoutSeconds ? ` (${suite.timeoutSeconds} s)` : "";
  return (suite?.checks ?? [])
    .filter((c) => !done.has(c.name))
    .map((c) => timedOutResult(c, timeout));
}

function timedOutResult(check: QualityCheck, timeout: string): QualityCheckResult {
  if (!check.enabled) return uncountedResult(check, { status: CheckStatus.CHECK_STATUS_SKIPPED });
  return uncountedResult(check, {
    errorMessage: `the check did not finish within the suite deadline${timeout}`,
    status: CheckStatus.CHECK_STATUS_TIMED_OUT,
    errorCode: "FLOE-DQ106",
  });
}

const FAILING = new Set([
  CheckStatus.CHECK_STATUS_FAILED,
  CheckStatus.CHECK_STATUS_ERROR,
  CheckStatus.CHECK_STATUS_TIMED_OUT,
]);

function suiteSummary(
  suite: QualitySuite | undefined,
  checks: QualityCheckResult[],
  elapsedMs: number,
): QualitySuiteResult {
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  return {
    suiteName: suite?.modelName ?? "",
    modelName: suite?.modelName ?? "",
    passed: !checks.some((c) => FAILING.has(c.status)),
    checks,
    executionTimeMs: elapsedMs,
    summary: {
      checks_total: checks.length,
      checks_passed: count(CheckStatus.CHECK_STATUS_PASSED),
      checks_failed: count(CheckStatus.CHECK_STATUS_FAILED),
      checks_error: count(CheckStatus.CHECK_STATUS_ERROR),
      checks_skipped: count(CheckStatus.CHECK_STATUS_SKIPPED),
      checks_timed_out: count(CheckStatus.CHECK_STATUS_TIMED_OUT),
    },
    timestamp: new Date(),
  };
}
