// OpenTelemetry for the host: spans for compile, run, each plugin call and scoring;
// W3C trace context handed to plugins (TRACEPARENT at spawn, `traceparent` gRPC
// metadata per call). Exported over OTLP/HTTP only when the standard OTEL_*
// variables ask for it; otherwise every span is a no-op.

import { createRequire } from "node:module";
import { batchSpanSettings, otlpTracesUrl } from "@floe/quality-sdk";
import {
  type Attributes,
  context,
  propagation,
  type Span,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import type * as ContextAsyncHooks from "@opentelemetry/context-async-hooks";
import type * as Core from "@opentelemetry/core";
import type * as ExporterOtlpHttp from "@opentelemetry/exporter-trace-otlp-http";
import type * as Resources from "@opentelemetry/resources";
import type * as SdkTrace from "@opentelemetry/sdk-trace";
import type { SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";

// The SDK, the exporter and the context manager are loaded only when tracing is on:
// a run without OTEL_* variables (the usual case) does not pay for their import.
const load = createRequire(import.meta.url);
const sdk = () => ({
  contextHooks: load("@opentelemetry/context-async-hooks") as typeof ContextAsyncHooks,
  core: load("@opentelemetry/core") as typeof Core,
  resources: load("@opentelemetry/resources") as typeof Resources,
  trace: load("@opentelemetry/sdk-trace") as typeof SdkTrace,
});
const otlpHttp = () => load("@opentelemetry/exporter-trace-otlp-http") as typeof ExporterOtlpHttp;

// The plugins read the same OTEL_* variables, so the SDK holds the one reading of them.
export { otlpTracesUrl };

const TRACER_NAME = "floe-quality";

export interface TelemetryOptions {
  env?: NodeJS.ProcessEnv;
  /** An exporter to use instead of the environment's (tests use an in-memory one). */
  exporter?: SpanExporter;
  serviceName?: string;
}

export interface Telemetry {
  /** True when spans are recorded and exported. */
  readonly enabled: boolean;
  /** Flushes pending spans and stops exporting. */
  shutdown(): Promise<void>;
}

let active:
  | { provider: TracerProvider; contextManager: ContextAsyncHooks.AsyncLocalStorageContextManager }
  | undefined;

/** `k1=v1,k2=v2` (OTEL_EXPORTER_OTLP_HEADERS) → a header record. */
function parseHeaders(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (value ?? "").split(",")) {
    const at = pair.indexOf("=");
    if (at > 0)
      headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(
        pair.slice(at + 1).trim(),
      );
  }
  return headers;
}

/**
 * Installs tracing for this process when an exporter is given or the OTEL_*
 * variables name an OTLP endpoint; does nothing (spans stay no-ops) otherwise.
 */
export function initTelemetry(options: TelemetryOptions = {}): Telemetry {
  const env = options.env ?? process.env;
  let exporter = options.exporter;
  if (!exporter) {
    const url = otlpTracesUrl(env);
    if (!url) return { enabled: false, shutdown: async () => {} };
    exporter = new (otlpHttp().OTLPTraceExporter)({
      url,
      headers: parseHeaders(
        env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS,
      ),
    });
  }
  if (active) {
    throw new Error("telemetry is already initialised in this process");
  }
  // Exported continuously with the OpenTelemetry defaults (a batch every 5 s, or
  // sooner at 512 spans; OTEL_BSP_* override them), not only at shutdown: a host
  // that crashes loses at most the last batch.
  const { contextHooks, core, resources, trace: sdkTrace } = sdk();
  const processor = options.exporter
    ? new sdkTrace.SimpleSpanProcessor({ exporter })
    : new sdkTrace.BatchSpanProcessor({ exporter, ...batchSpanSettings(env) });
  const provider = new sdkTrace.TracerProvider({
    resource: resources.resourceFromAttributes({
      "service.name": env.OTEL_SERVICE_NAME ?? options.serviceName ?? "floe-quality",
    }),
    spanProcessors: [processor],
  });
  const contextManager = new contextHooks.AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  active = { provider, contextManager };
  return {
    enabled: true,
    async shutdown() {
      if (active?.provider !== provider) return;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
      active = undefined;
    },
  };
}

/**
 * Runs `fn` inside a new active span; records an exception and an error status
 * when it throws, and always ends the span.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * The W3C `traceparent` of the active span (for a plugin's TRACEPARENT environment
 * variable or a call's `traceparent` gRPC metadata), or undefined outside a trace.
 */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}
