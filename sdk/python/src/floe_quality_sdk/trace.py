"""W3C trace context from the host, so a plugin's spans continue the host's trace."""

from collections.abc import Mapping, Sequence

from opentelemetry.context import Context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from .protocol import ENV_TRACEPARENT

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
