"""The py-echo plugin continues the caller's trace: a real plugin process exports
its call spans over OTLP/HTTP to a local receiver, decoded with opentelemetry-proto."""

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import grpc
import pytest
from google.protobuf import struct_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

from floe_quality_sdk.contract import plugin_pb2, types_pb2
from floe_quality_sdk.trace import otlp_traces_endpoint, unsupported_otlp_protocol

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"
TRACED = (("traceparent", TRACEPARENT),)
SPAWN_TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
SPAWN_SPAN_ID = "b7ad6b7169203331"
PASSWORD = "pw-7f3a9c-never-in-a-span"
RUN_CHECKS = "floe.quality.v1.QualityPluginService/RunChecks"


@dataclass
class ExportedSpan:
    service_name: str
    span: trace_pb2.Span

    @property
    def trace_id(self) -> str:
        return self.span.trace_id.hex()

    @property
    def parent_span_id(self) -> str:
        return self.span.parent_span_id.hex()

    def attributes(self) -> dict[str, object]:
        return {a.key: _value(a.value) for a in self.span.attributes}


def _value(value: common_pb2.AnyValue) -> object:
    return getattr(value, value.WhichOneof("value"))


class OtlpReceiver:
    """A local OTLP/HTTP collector: records every POST body sent to /v1/traces."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.paths: list[str] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.paths.append(self.path)
                receiver.bodies.append(body)
                reply = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def spans(self) -> list[ExportedSpan]:
        exported: list[ExportedSpan] = []
        for body in self.bodies:
            request = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
            for resource_spans in request.resource_spans:
                service = {a.key: _value(a.value) for a in resource_spans.resource.attributes}["service.name"]
                for scope_spans in resource_spans.scope_spans:
                    exported.extend(ExportedSpan(str(service), span) for span in scope_spans.spans)
        return exported

    def span_named(self, name: str) -> ExportedSpan:
        matching = [s for s in self.spans() if s.span.name == name]
        assert len(matching) == 1, f"spans named {name}: {[s.span.name for s in self.spans()]}"
        return matching[0]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    started = OtlpReceiver()
    yield started
    started.close()


@pytest.fixture
def traced_env(plugin_env: dict[str, str], receiver: OtlpReceiver) -> dict[str, str]:
    env = {k: v for k, v in plugin_env.items() if not k.startswith("OTEL_") and k != "TRACEPARENT"}
    env["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.url
    return env


def orders_request(run_id: str) -> plugin_pb2.RunChecksRequest:
    suite = types_pb2.QualitySuite(model_name="orders")
    for name, passed in (("id_not_null", True), ("amount_not_null", False)):
        parameters = struct_pb2.Struct()
        parameters.update({"passed": passed, "records_checked": 20, "records_failed": 0 if passed else 3})
        suite.checks.add(name=name, type="not_null", column="id", enabled=True, parameters=parameters)
    connection = types_pb2.Connection(
        dialect="duckdb", host="db.internal", user="analyst", password=PASSWORD, options={"token": PASSWORD}
    )
    return plugin_pb2.RunChecksRequest(suite=suite, connection=connection, relation="main.orders", run_id=run_id)


def shut_down(plugin) -> None:
    plugin.stub().Shutdown(plugin_pb2.ShutdownRequest(), timeout=5)
    assert plugin.wait() == 0


def test_run_checks_span_is_a_child_of_the_callers_traceparent(traced_env, receiver, start_plugin):
    plugin = start_plugin(traced_env)
    responses = list(
        plugin.stub().RunChecks(orders_request("run-1"), timeout=10, metadata=TRACED)
    )
    assert [r.WhichOneof("event") for r in responses] == ["check_result", "check_result", "summary"]
    shut_down(plugin)

    assert set(receiver.paths) == {"/v1/traces"}
    run = receiver.span_named(RUN_CHECKS)
    assert run.trace_id == TRACE_ID
    assert run.parent_span_id == PARENT_SPAN_ID
    assert run.span.kind == trace_pb2.Span.SPAN_KIND_SERVER
    assert run.service_name == "floe-quality-plugin-py_echo"
    assert run.attributes() == {
        "rpc.system": "grpc",
        "rpc.service": "floe.quality.v1.QualityPluginService",
        "rpc.method": "RunChecks",
        "floe.plugin.name": "py_echo",
        "floe.model": "orders",
        "floe.checks.count": 2,
        "floe.dialect": "duckdb",
        "floe.run_id": "run-1",
        "floe.suite.passed": False,
        "floe.checks.failed": 1,
    }
    assert run.span.status.code == trace_pb2.Status.STATUS_CODE_UNSET
    # The Shutdown call has its own span, a root one: it was sent without a traceparent.
    shutdown = receiver.span_named("floe.quality.v1.QualityPluginService/Shutdown")
    assert shutdown.parent_span_id == ""
    assert shutdown.trace_id != TRACE_ID


def test_secrets_of_the_connection_never_reach_the_collector(traced_env, receiver, start_plugin):
    plugin = start_plugin(traced_env)
    request = orders_request("run-secret")
    list(plugin.stub().RunChecks(request, timeout=10, metadata=TRACED))
    plugin.stub().ValidateSuite(
        plugin_pb2.ValidateSuiteRequest(suite=request.suite, connection=request.connection), timeout=5, metadata=TRACED
    )
    shut_down(plugin)

    validate = receiver.span_named("floe.quality.v1.QualityPluginService/ValidateSuite")
    assert (validate.trace_id, validate.parent_span_id) == (TRACE_ID, PARENT_SPAN_ID)
    assert validate.attributes()["floe.checks.count"] == 2
    for span in receiver.spans():
        assert all(PASSWORD not in str(value) for value in span.attributes().values()), span.span.name
        assert "db.internal" not in str(span.attributes())
    assert receiver.bodies and all(PASSWORD.encode() not in body for body in receiver.bodies)
    assert all(PASSWORD not in line for line in plugin.stderr_lines_after_exit())


def test_a_floe_error_marks_the_span_failed_with_its_code(traced_env, receiver, start_plugin):
    plugin = start_plugin(traced_env)
    with pytest.raises(grpc.RpcError) as raised:
        list(plugin.stub().RunChecks(orders_request("missing-column"), timeout=10, metadata=TRACED))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    shut_down(plugin)

    run = receiver.span_named(RUN_CHECKS)
    assert run.parent_span_id == PARENT_SPAN_ID
    assert run.attributes()["floe.error.code"] == "FLOE-DQ105"
    assert run.span.status.code == trace_pb2.Status.STATUS_CODE_ERROR
    assert run.span.status.message == "FLOE-DQ105: column 'nope' does not exist in orders"


def test_an_unexpected_error_names_only_its_type_in_the_span(traced_env, receiver, start_plugin):
    plugin = start_plugin(traced_env)
    with pytest.raises(grpc.RpcError):
        list(plugin.stub().RunChecks(orders_request("bug"), timeout=10))
    shut_down(plugin)

    run = receiver.span_named(RUN_CHECKS)
    assert run.span.status.code == trace_pb2.Status.STATUS_CODE_ERROR
    assert run.span.status.message == "RuntimeError"
    assert "/etc/passwd" not in str(run.span)


def test_traceparent_at_spawn_is_the_parent_when_the_call_has_none(traced_env, receiver, start_plugin):
    traced_env["TRACEPARENT"] = f"00-{SPAWN_TRACE_ID}-{SPAWN_SPAN_ID}-01"
    plugin = start_plugin(traced_env)
    list(plugin.stub().RunChecks(orders_request("run-2"), timeout=10))
    shut_down(plugin)

    run = receiver.span_named(RUN_CHECKS)
    assert (run.trace_id, run.parent_span_id) == (SPAWN_TRACE_ID, SPAWN_SPAN_ID)


def test_an_unsampled_caller_exports_no_span(traced_env, receiver, start_plugin):
    plugin = start_plugin(traced_env)
    unsampled = f"00-{TRACE_ID}-{PARENT_SPAN_ID}-00"
    list(plugin.stub().RunChecks(orders_request("run-3"), timeout=10, metadata=(("traceparent", unsampled),)))
    shut_down(plugin)

    assert [s.span.name for s in receiver.spans()] == ["floe.quality.v1.QualityPluginService/Shutdown"]


@pytest.mark.parametrize(
    "setting",
    [
        {"OTEL_SDK_DISABLED": "true"},
        {"OTEL_TRACES_EXPORTER": "none"},
        {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
    ],
    ids=["sdk-disabled", "exporter-none", "grpc-protocol"],
)
def test_tracing_turned_off_exports_nothing(traced_env, receiver, start_plugin, setting):
    traced_env.update(setting)
    plugin = start_plugin(traced_env)
    list(plugin.stub().RunChecks(orders_request("run-4"), timeout=10, metadata=TRACED))
    shut_down(plugin)
    assert receiver.bodies == []
    warnings = [r for r in plugin.log_records() if r["msg"].startswith("traces are not exported")]
    assert len(warnings) == (1 if "OTEL_EXPORTER_OTLP_PROTOCOL" in setting else 0)


def test_without_otel_variables_the_plugin_exports_nothing(plugin_env, receiver, start_plugin):
    env = {k: v for k, v in plugin_env.items() if not k.startswith("OTEL_")}
    plugin = start_plugin(env)
    list(plugin.stub().RunChecks(orders_request("run-5"), timeout=10, metadata=TRACED))
    shut_down(plugin)
    assert receiver.bodies == []


@pytest.mark.parametrize(
    ("env", "endpoint"),
    [
        ({}, None),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, "http://collector:4318/v1/traces"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"}, "http://collector:4318/v1/traces"),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b/traces"},
            "http://b/traces",
        ),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_SDK_DISABLED": "TRUE"}, None),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_SDK_DISABLED": "false"}, "http://a:4318/v1/traces"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_TRACES_EXPORTER": "none"}, None),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_TRACES_EXPORTER": "console"}, None),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_TRACES_EXPORTER": "console,otlp"},
            "http://a:4318/v1/traces",
        ),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_TRACES_EXPORTER": ""}, "http://a:4318/v1/traces"),
    ],
)
def test_the_endpoint_follows_the_standard_variables(env, endpoint):
    assert otlp_traces_endpoint(env) == endpoint


def test_only_otlp_over_http_with_protobuf_is_spoken():
    assert unsupported_otlp_protocol({}) is None
    assert unsupported_otlp_protocol({"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}) is None
    assert unsupported_otlp_protocol({"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}) == "grpc"
    assert (
        unsupported_otlp_protocol(
            {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json"}
        )
        == "http/json"
    )
