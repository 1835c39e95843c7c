"""The host's W3C trace context, and spans for the plugin's calls that continue
it, exported over OTLP/HTTP only when the standard OTEL_* variables name an
endpoint."""

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import AttributeValue

from .errors import FloeError
from .protocol import ENV_TRACEPARENT, HEALTH_SERVICE_NAME

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

TRACER_NAME = "floe_quality_sdk"

# The plugin's gRPC service; span names are "<service>/<method>" as gRPC
# instrumentations name server spans.
RPC_SERVICE = HEALTH_SERVICE_NAME

# How long the exit waits for the last spans to reach the collector: the host
# sends SIGTERM 2 s after Shutdown.
FLUSH_SECONDS = 1.0

SUPPORTED_PROTOCOL = "http/protobuf"

_PROPAGATOR = TraceContextTextMapPropagator()


def host_trace_context(
    env: Mapping[str, str], call_metadata: Sequence[tuple[str, str | bytes]] = ()
) -> Context:
    """The trace context of the call: a ``traceparent`` sent with the call wins
    over the process's TRACEPARENT; an empty Context when neither is there."""
    carrier: dict[str, str] = {}
    if env.get(ENV_TRACEPARENT):
        carrier["traceparent"] = env[ENV_TRACEPARENT]
    for key, value in call_metadata:
        if key in ("traceparent", "tracestate") and isinstance(value, str):
            carrier[key] = value
    return _PROPAGATOR.extract(carrier) if carrier else Context()


def otlp_traces_endpoint(env: Mapping[str, str]) -> str | None:
    """The OTLP/HTTP traces URL the environment names (the same rules as the
    host), or None when tracing is off."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    # Only the OTLP exporter is offered; "none" or another exporter turns export off.
    chosen = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    exporters = {name.strip() for name in chosen.split(",")} if chosen else {"otlp"}
    if "none" in exporters or "otlp" not in exporters:
        return None
    if env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        return env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
    if env.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return env["OTEL_EXPORTER_OTLP_ENDPOINT"].rstrip("/") + "/v1/traces"
    return None


def unsupported_otlp_protocol(env: Mapping[str, str]) -> str | None:
    """The OTLP protocol the environment asks for when it is not OTLP/HTTP with
    protobuf (the only one this SDK sends), else None."""
    protocol = env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get("OTEL_EXPORTER_OTLP_PROTOCOL")
    return protocol if protocol and protocol != SUPPORTED_PROTOCOL else None


class PluginTracing:
    """The plugin's tracer provider: one SERVER span per call, flushed at exit."""

    def __init__(self, provider: "TracerProvider", plugin_name: str) -> None:
        self._provider = provider
        self._tracer = provider.get_tracer(TRACER_NAME)
        self.plugin_name = plugin_name

    def start_call_span(self, method: str, parent: Context, attributes: Mapping[str, AttributeValue]) -> Span:
        """A span for one call, child of the host's span in `parent`."""
        return self._tracer.start_span(
            f"{RPC_SERVICE}/{method}",
            context=parent,
            kind=SpanKind.SERVER,
            attributes={
                "rpc.system": "grpc",
                "rpc.service": RPC_SERVICE,
                "rpc.method": method,
                "floe.plugin.name": self.plugin_name,
                **attributes,
            },
        )

    def shutdown(self, timeout: float = FLUSH_SECONDS) -> bool:
        """Exports the spans still queued and stops; gives up after `timeout`
        seconds (an unreachable collector must not hold the exit). True when done."""
        done = threading.Event()

        def stop() -> None:
            self._provider.shutdown()
            done.set()

        threading.Thread(target=stop, name="floe-trace-flush", daemon=True).start()
        return done.wait(timeout)


def start_tracing(
    env: Mapping[str, str], plugin_name: Callable[[], str], log: logging.Logger
) -> PluginTracing | None:
    """Sets up export when the OTEL_* variables ask for it (the provider also
    becomes the global one, so the plugin's own spans go out too); None otherwise.
    `plugin_name` is asked only then."""
    endpoint = otlp_traces_endpoint(env)
    if endpoint is None:
        return None
    protocol = unsupported_otlp_protocol(env)
    if protocol is not None:
        log.warning(
            "traces are not exported: the plugin SDK sends OTLP over HTTP only",
            extra={"protocol": protocol, "fix": f"set OTEL_EXPORTER_OTLP_PROTOCOL={SUPPORTED_PROTOCOL}"},
        )
        return None
    # Loaded only now: the SDK and the exporter add about 0.1 s to every start.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    name = plugin_name()
    # Spawned plugins inherit the host's OTEL_SERVICE_NAME, so the plugin names itself.
    provider = TracerProvider(resource=Resource.create({"service.name": f"floe-quality-plugin-{name}"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    log.debug("exporting traces", extra={"endpoint": endpoint})
    return PluginTracing(provider, name)


def record_failure(span: Span, error: BaseException) -> None:
    """Marks the span failed: the FLOE-DQ code and message of a FloeError; only
    the type of any other error (its message may hold data)."""
    if isinstance(error, FloeError):
        span.set_attribute("floe.error.code", error.code)
        span.set_status(Status(StatusCode.ERROR, f"{error.code}: {error.message}"))
    else:
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
