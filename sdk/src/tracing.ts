// Plugin-side spans. A call's span continues the host's trace from its
// `traceparent`; spans are exported over OTLP/HTTP only when the standard OTEL_*
// variables name an endpoint, and the OpenTelemetry SDK is loaded only then, so
// a plugin without tracing starts as fast as before.
import {
  type Attributes,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";

let provider: { forceFlush(): Promise<void>; shutdown(): Promise<void> } | undefined;

/** The OTLP/HTTP traces URL the environment names, or undefined when tracing is off. */
export function otlpTracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OTEL_SDK_DISABLED === "true" || env.OTEL_TRACES_EXPORTER === "none") return undefined;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/traces`;
  }
  return undefined;
}

/**
 * BatchSpanProcessor settings from the standard OTEL_BSP_* variables; what is
 * not set keeps the OpenTelemetry default (a batch every 5 000 ms, at most 512
 * spans, a queue of 2 048, 30 000 ms per export).
 */
export function batchSpanSettings(env: NodeJS.ProcessEnv): {
  scheduledDelayMillis?: number;
  maxExportBatchSize?: number;
  maxQueueSize?: number;
  exportTimeoutMillis?: number;
} {
  const read = (name: string) => {
    const value = Number(env[name]);
    return Number.isFinite(value) && value > 0 ? value : undefined;
  };
  const settings = {
    scheduledDelayMillis: read("OTEL_BSP_SCHEDULE_DELAY"),
    maxExportBatchSize: read("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"),
    maxQueueSize: read("OTEL_BSP_MAX_QUEUE_SIZE"),
    exportTimeoutMillis: read("OTEL_BSP_EXPORT_TIMEOUT"),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

/** Installs OTLP export when the environment asks for it; a no-op otherwise. */
export async function initPluginTracing(
  env: NodeJS.ProcessEnv,
  serviceName: string,
): Promise<void> {
  const url = otlpTracesUrl(env);
  if (url === undefined || provider !== undefined) return;
  const [core, sdk, otlp, resources] = await Promise.all([
    import("@opentelemetry/core"),
    import("@opentelemetry/sdk-trace"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
  ]);
  const tracerProvider = new sdk.TracerProvider({
    resource: resources.resourceFromAttributes({
      "service.name": env.OTEL_SERVICE_NAME ?? serviceName,
    }),
    // Batches with the OpenTelemetry defaults (OTEL_BSP_*), exported while the
    // plugin runs; shutdownPluginTracing flushes the last one on exit.
    spanProcessors: [
      new sdk.BatchSpanProcessor({
        exporter: new otlp.OTLPTraceExporter({ url }),
        ...batchSpanSettings(env),
      }),
    ],
  });
  propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(tracerProvider);
  provider = tracerProvider;
}

/** Exports what is pending, for at most `timeoutMs` (an unreachable endpoint must not hold the exit). */
export async function shutdownPluginTracing(timeoutMs = 500): Promise<void> {
  const stopping = provider?.shutdown().catch(() => undefined);
  provider = undefined;
  await Promise.race([stopping, new Promise((done) => setTimeout(done, timeoutMs).unref())]);
}

/** A server span for one call, child of the host's span when `traceparent` is given. */
export function startCallSpan(
  name: string,
  traceparent: string | undefined,
  attributes: Attributes = {},
): Span {
  const parent =
    traceparent === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, { traceparent });
  return trace
    .getTracer("floe-quality-plugin")
    .startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
}

/** Ends a call span, marking it failed when `error` is given. */
export function endCallSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  span.end();
}
