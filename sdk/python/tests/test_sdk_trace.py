from opentelemetry import trace

from floe_quality_sdk.trace import host_trace_context

HOST_PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
CALL_PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def span_context(env, metadata=()):
    return trace.get_current_span(host_trace_context(env, metadata)).get_span_context()


def test_traceparent_from_the_environment_continues_the_host_trace():
    context = span_context({"TRACEPARENT": HOST_PARENT})
    assert format(context.trace_id, "032x") == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert format(context.span_id, "016x") == "00f067aa0ba902b7"
    assert context.is_remote and context.trace_flags.sampled


def test_traceparent_sent_with_the_call_wins():
    context = span_context({"TRACEPARENT": HOST_PARENT}, [("traceparent", CALL_PARENT)])
    assert format(context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"


def test_no_trace_context_gives_an_invalid_span():
    assert not span_context({}).is_valid
    assert not span_context({"TRACEPARENT": "garbage"}).is_valid
