"""The py-echo plugin as a real child process, spoken to over real gRPC."""

import os
import signal
import stat

import grpc
import pytest
from google.protobuf import struct_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc

from floe_quality_sdk.contract import plugin_pb2, plugin_pb2_grpc, types_pb2
from floe_quality_sdk.protocol import HEALTH_SERVICE_NAME, STARTED_BY_HAND_MESSAGE
from floe_quality_sdk.status import error_info_from_rpc_error, floe_error_from_rpc_error

def suite(*checks: tuple[str, dict], timeout_seconds: int = 0) -> types_pb2.QualitySuite:
    built = types_pb2.QualitySuite(model_name="orders", timeout_seconds=timeout_seconds)
    for name, params in checks:
        parameters = struct_pb2.Struct()
        parameters.update(params)
        built.checks.add(name=name, type="not_null", column="id", enabled=True, parameters=parameters)
    return built


def run(stub, request, timeout=10.0) -> list[plugin_pb2.RunChecksResponse]:
    return list(stub.RunChecks(request, timeout=timeout))


def test_started_by_hand_prints_the_message_and_exits_1(plugin_env, start_plugin):
    del plugin_env["FLOE_PLUGIN_MAGIC_COOKIE"]
    plugin = start_plugin(plugin_env)
    assert plugin.wait() == 1
    assert plugin.stdout_lines() == []
    assert plugin.stderr_lines_after_exit() == [STARTED_BY_HAND_MESSAGE]


def test_no_common_protocol_version_exits_1(plugin_env, start_plugin):
    plugin_env["FLOE_PLUGIN_PROTOCOL_VERSIONS"] = "2"
    plugin = start_plugin(plugin_env)
    assert plugin.wait() == 1
    assert plugin.stderr_lines_after_exit() == [
        "floe-quality plugin: no common protocol version: the host speaks [2] "
        "(FLOE_PLUGIN_PROTOCOL_VERSIONS), this plugin speaks [1]"
    ]


def test_normal_start_serves_until_shutdown(plugin_env, socket_dir, tmp_path, start_plugin):
    gate = tmp_path / "startup-gate"
    os.mkfifo(gate)
    plugin_env["FLOE_ECHO_STARTUP_GATE"] = str(gate)
    plugin = start_plugin(plugin_env)
    socket_path = os.path.join(socket_dir, "plugin.sock")
    assert plugin.handshake() == f"1|1|unix|{socket_path}|grpc"
    assert stat.S_IMODE(os.stat(socket_path).st_mode) == 0o600

    channel = plugin.connect()
    watch = health_pb2_grpc.HealthStub(channel).Watch(
        health_pb2.HealthCheckRequest(service=HEALTH_SERVICE_NAME), timeout=10
    )
    first = next(watch).status
    gate.write_text("go", encoding="utf-8")
    second = next(watch).status
    watch.cancel()
    assert [first, second] == [health_pb2.HealthCheckResponse.NOT_SERVING, health_pb2.HealthCheckResponse.SERVING]
    overall = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
    assert overall.status == health_pb2.HealthCheckResponse.SERVING

    stub = plugin.stub()
    metadata = stub.GetMetadata(plugin_pb2.GetMetadataRequest(), timeout=5)
    assert (metadata.name, metadata.version, metadata.floe_api_version) == ("py_echo", "0.1.0", "1.0.0")
    assert list(metadata.capabilities.check_types) == ["not_null", "unique", "row_count_between"]

    stub.Shutdown(plugin_pb2.ShutdownRequest(), timeout=5)
    assert plugin.wait() == 0
    assert not os.path.exists(socket_path)
    assert plugin.stdout_lines() == [f"1|1|unix|{socket_path}|grpc\n"]
    assert {"level": "info", "reason": "Shutdown requested by the host"}.items() <= [
        r for r in plugin.log_records() if r["msg"] == "plugin stopping"
    ][0].items()


def test_stdin_eof_means_the_host_died(plugin_env, socket_dir, start_plugin):
    plugin = start_plugin(plugin_env)
    plugin.handshake()
    assert plugin.process.stdin is not None
    plugin.process.stdin.close()
    assert plugin.wait() == 0
    assert not os.path.exists(os.path.join(socket_dir, "plugin.sock"))
    # The host is gone: the plugin removes the host's (now empty) private directory.
    assert not os.path.exists(socket_dir)
    assert [r["reason"] for r in plugin.log_records() if r["msg"] == "plugin stopping"] == [
        "stdin closed: the host is gone"
    ]


def test_sigterm_keeps_the_hosts_private_directory(plugin_env, socket_dir, start_plugin):
    plugin = start_plugin(plugin_env)
    plugin.handshake()
    plugin.process.send_signal(signal.SIGTERM)
    assert plugin.wait() == 0
    assert os.path.isdir(socket_dir)


def test_sigterm_stops_cleanly(plugin_env, socket_dir, start_plugin):
    plugin = start_plugin(plugin_env)
    plugin.handshake()
    plugin.process.send_signal(signal.SIGTERM)
    assert plugin.wait() == 0
    assert not os.path.exists(os.path.join(socket_dir, "plugin.sock"))


def test_run_checks_streams_each_result_then_the_summary(plugin_env, start_plugin):
    plugin = start_plugin(plugin_env)
    stub = plugin.stub()
    request = plugin_pb2.RunChecksRequest(
        suite=suite(("ids_not_null", {}), ("ids_unique", {"passed": False, "records_checked": 100, "records_failed": 3})),
        run_id="r1",
    )
    events = run(stub, request)
    assert [e.WhichOneof("event") for e in events] == ["check_result", "check_result", "summary"]
    first, second = events[0].check_result, events[1].check_result
    assert (first.check_name, first.status, first.records_failed) == ("ids_not_null", types_pb2.CHECK_STATUS_PASSED, 0)
    assert (second.check_name, second.status, second.records_checked, second.records_failed) == (
        "ids_unique",
        types_pb2.CHECK_STATUS_FAILED,
        100,
        3,
    )
    summary = events[2].summary
    assert (summary.model_name, summary.passed, len(summary.checks)) == ("orders", False, 2)
    assert summary.summary["checks_failed"] == 2 - 1


def test_floe_error_reaches_the_caller_with_its_code(plugin_env, start_plugin):
    plugin = start_plugin(plugin_env)
    with pytest.raises(grpc.RpcError) as raised:
        run(plugin.stub(), plugin_pb2.RunChecksRequest(suite=suite(("a", {})), run_id="missing-column"))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.details() == "column 'nope' does not exist in orders"
    info = error_info_from_rpc_error(raised.value)
    assert info is not None and (info.reason, info.domain) == ("FLOE-DQ105", "floe.dev")
    error = floe_error_from_rpc_error(raised.value)
    assert error is not None and (error.code, error.path) == ("FLOE-DQ105", "orders/nope_not_null")


def test_unexpected_error_is_internal_and_its_detail_stays_in_the_log(plugin_env, start_plugin):
    plugin = start_plugin(plugin_env)
    with pytest.raises(grpc.RpcError) as raised:
        run(plugin.stub(), plugin_pb2.RunChecksRequest(suite=suite(("a", {})), run_id="bug"))
    assert raised.value.code() == grpc.StatusCode.INTERNAL
    assert raised.value.details() == "the plugin failed while handling the call; see the plugin log"
    assert error_info_from_rpc_error(raised.value) is None
    plugin.process.stdin.close()
    plugin.wait()
    [record] = [r for r in plugin.log_records() if r["msg"] == "unexpected error in handler"]
    assert (record["level"], record["method"], record["error"]) == ("error", "RunChecks", "secret internal detail /etc/passwd")
    assert "Traceback" in record["stack"]


def test_deadline_streams_unfinished_checks_as_timed_out(plugin_env, start_plugin):
    plugin = start_plugin(plugin_env)
    request = plugin_pb2.RunChecksRequest(
        suite=suite(("fast", {}), ("slow", {"sleep_ms": 30000}), ("never", {}), timeout_seconds=5)
    )
    # 5 s, not 1: the results are sent a margin (5 %, at most 0.25 s) before the
    # deadline, which a busy machine can eat at 1 s. The slow check needs 30 s.
    events = run(plugin.stub(), request, timeout=5.0)
    results = [e.check_result for e in events[:-1]]
    assert [(r.check_name, r.status, r.error_code) for r in results] == [
        ("fast", types_pb2.CHECK_STATUS_PASSED, ""),
        ("slow", types_pb2.CHECK_STATUS_TIMED_OUT, "FLOE-DQ106"),
        ("never", types_pb2.CHECK_STATUS_TIMED_OUT, "FLOE-DQ106"),
    ]
    summary = events[-1].summary
    assert (summary.passed, summary.summary["checks_timed_out"]) == (False, 2)
    # The plugin is free again: its cancelled check stopped instead of holding a worker.
    assert len(run(plugin.stub(), plugin_pb2.RunChecksRequest(suite=suite(("a", {}))))) == 2


def test_validate_suite_defaults_to_the_capabilities(plugin_env, start_plugin):
    plugin = start_plugin(plugin_env)
    bad = suite(("a", {}))
    bad.checks[0].type = "regex"
    response = plugin.stub().ValidateSuite(plugin_pb2.ValidateSuiteRequest(suite=bad), timeout=5)
    assert [d.code for d in response.result.diagnostics] == ["FLOE-DQ101"]
    assert plugin.stub().ListSuites(plugin_pb2.ListSuitesRequest(), timeout=5).suites == []


def test_sidecar_on_a_unix_socket_needs_no_cookie_and_ignores_stdin(plugin_env, socket_dir, start_plugin):
    del plugin_env["FLOE_PLUGIN_MAGIC_COOKIE"]
    path = os.path.join(socket_dir, "sidecar.sock")
    plugin_env["FLOE_PLUGIN_LISTEN"] = f"unix://{path}"
    plugin = start_plugin(plugin_env, stdin_pipe=False)
    assert plugin.handshake() == f"1|1|unix|{path}|grpc"
    stub = plugin.stub()
    assert stub.GetMetadata(plugin_pb2.GetMetadataRequest(), timeout=5).name == "py_echo"
    stub.Shutdown(plugin_pb2.ShutdownRequest(), timeout=5)
    assert plugin.wait() == 0
    assert not os.path.exists(path)


def test_sidecar_on_tcp_with_mutual_tls(plugin_env, tls_material, start_plugin):
    tls = tls_material
    plugin_env.update(
        FLOE_PLUGIN_LISTEN="tcp://127.0.0.1:0",
        FLOE_PLUGIN_TLS_CERT=str(tls.server_cert),
        FLOE_PLUGIN_TLS_KEY=str(tls.server_key),
        FLOE_PLUGIN_TLS_CLIENT_CA=str(tls.ca_cert),
    )
    plugin = start_plugin(plugin_env, stdin_pipe=False)
    core, app, network, address, protocol = plugin.handshake().split("|")
    assert (core, app, network, protocol) == ("1", "1", "tcp", "grpc")
    assert address.startswith("127.0.0.1:") and int(address.split(":")[1]) > 0
    options = (("grpc.ssl_target_name_override", "localhost"),)

    anonymous = grpc.secure_channel(address, grpc.ssl_channel_credentials(tls.ca_cert.read_bytes()), options)
    with pytest.raises(grpc.RpcError) as raised:
        plugin_pb2_grpc.QualityPluginServiceStub(anonymous).GetMetadata(plugin_pb2.GetMetadataRequest(), timeout=5)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    anonymous.close()

    credentials = grpc.ssl_channel_credentials(
        tls.ca_cert.read_bytes(), tls.client_key.read_bytes(), tls.client_cert.read_bytes()
    )
    with grpc.secure_channel(address, credentials, options) as channel:
        stub = plugin_pb2_grpc.QualityPluginServiceStub(channel)
        assert stub.GetMetadata(plugin_pb2.GetMetadataRequest(), timeout=5).name == "py_echo"
        stub.Shutdown(plugin_pb2.ShutdownRequest(), timeout=5)
    assert plugin.wait() == 0


def test_crash_mid_stream_ends_the_call_unavailable(plugin_env, start_plugin):
    plugin = start_plugin(plugin_env)
    with pytest.raises(grpc.RpcError) as raised:
        run(plugin.stub(), plugin_pb2.RunChecksRequest(suite=suite(("a", {}), ("b", {})), run_id="crash"))
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert plugin.wait() == -signal.SIGKILL


def test_shutdown_cancels_a_running_suite_with_floe_dq001(plugin_env, start_plugin):
    plugin = start_plugin(plugin_env)
    stub = plugin.stub()
    stream = stub.RunChecks(
        plugin_pb2.RunChecksRequest(suite=suite(("first", {}), ("slow", {"sleep_ms": 30000}))), timeout=20
    )
    assert next(stream).check_result.check_name == "first"
    stub.Shutdown(plugin_pb2.ShutdownRequest(), timeout=5)
    with pytest.raises(grpc.RpcError) as raised:
        next(stream)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert raised.value.details() == "the plugin is shutting down"
    assert error_info_from_rpc_error(raised.value).reason == "FLOE-DQ001"
    assert plugin.wait() == 0


def test_a_stray_print_cannot_corrupt_the_handshake_channel(plugin_env, start_plugin):
    plugin_env["FLOE_ECHO_STRAY_PRINT"] = "1"
    plugin = start_plugin(plugin_env)
    handshake = plugin.handshake()
    health = health_pb2_grpc.HealthStub(plugin.connect())
    watch = health.Watch(health_pb2.HealthCheckRequest(service=""), timeout=10)
    assert next(s.status for s in watch if s.status == health_pb2.HealthCheckResponse.SERVING)
    watch.cancel()
    plugin.stub().Shutdown(plugin_pb2.ShutdownRequest(), timeout=5)
    assert plugin.wait() == 0
    assert plugin.stdout_lines() == [handshake + "\n"]
    assert "py_echo: a stray print" in plugin.stderr_lines_after_exit()


def test_sigterm_during_startup_stops_at_once(plugin_env, socket_dir, start_plugin):
    plugin_env["FLOE_ECHO_MODE"] = "never-serving"
    plugin = start_plugin(plugin_env)
    plugin.handshake()
    health = health_pb2_grpc.HealthStub(plugin.connect())
    status = health.Check(health_pb2.HealthCheckRequest(service=HEALTH_SERVICE_NAME), timeout=5).status
    assert status == health_pb2.HealthCheckResponse.NOT_SERVING
    plugin.process.send_signal(signal.SIGTERM)
    assert plugin.wait(timeout=5) == 0
    assert not os.path.exists(os.path.join(socket_dir, "plugin.sock"))


def test_a_result_of_the_wrong_type_is_an_internal_error_explained_in_the_log(plugin_env, start_plugin):
    plugin = start_plugin(plugin_env)
    with pytest.raises(grpc.RpcError) as raised:
        run(plugin.stub(), plugin_pb2.RunChecksRequest(suite=suite(("a", {})), run_id="wrong-type"))
    assert raised.value.code() == grpc.StatusCode.INTERNAL
    plugin.process.stdin.close()
    assert plugin.wait() == 0
    [record] = [r for r in plugin.log_records() if r["msg"] == "unexpected error in handler"]
    assert record["error"] == "expected QualityCheckResult, got str"
