"""serve_plugin(): the whole plugin side of the floe plugin protocol
(docs/plugin-protocol.md) around a plugin author's implementation."""

import logging
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent import futures
from dataclasses import dataclass
from typing import Any, NoReturn, TextIO, TypeVar

import grpc
from google.protobuf import json_format
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

from .context import CallContext
from .contract import plugin_pb2, plugin_pb2_grpc, types_pb2
from .errors import FloeError
from .handshake import (
    Network,
    handshake_line,
    has_magic_cookie,
    host_protocol_versions,
    negotiate_protocol_version,
)
from .log import configure_logging, logger_with_fields
from .plugin import QualityPlugin
from .protocol import (
    APP_PROTOCOL_VERSIONS,
    ENV_INSECURE,
    ENV_LISTEN,
    ENV_PROTOCOL_VERSIONS,
    ENV_SOCKET_DIR,
    ENV_TLS_CERT,
    ENV_TLS_CLIENT_CA,
    ENV_TLS_KEY,
    FLOE_API_VERSION,
    HEALTH_SERVICE_NAME,
    SOCKET_FILE_NAME,
    STARTED_BY_HAND_MESSAGE,
    duplicate_check_name,
)
from .status import INTERNAL_MESSAGE, grpc_status_from_floe_error
from .trace import PluginTracing, host_trace_context, record_failure, start_tracing

T = TypeVar("T")

# How long in-flight calls get to finish once the plugin is told to stop.
STOP_GRACE_SECONDS = 1.5


class StartupError(Exception):
    """A reason the plugin cannot start, printed as is on stderr before exit 1."""


@dataclass(frozen=True)
class ListenTarget:
    network: Network
    # What grpcio binds: "unix:/path" or "host:port".
    bind_address: str
    # Socket file to chmod 0600 and remove on exit.
    socket_path: str | None
    sidecar: bool
    tls: tuple[bytes, bytes, bytes | None] | None = None


def startup_settings(env: Mapping[str, str]) -> tuple[int, ListenTarget]:
    """The negotiated protocol version and where to listen, or a StartupError."""
    if env.get(ENV_LISTEN) is None and not has_magic_cookie(env):
        raise StartupError(STARTED_BY_HAND_MESSAGE)
    host_versions = host_protocol_versions(env)
    app = negotiate_protocol_version(host_versions)
    if app is None:
        raise StartupError(
            "floe-quality plugin: no common protocol version: the host speaks "
            f"[{','.join(map(str, host_versions))}] ({ENV_PROTOCOL_VERSIONS}), this plugin speaks "
            f"[{','.join(map(str, APP_PROTOCOL_VERSIONS))}]"
        )
    return app, listen_target(env)


def listen_target(env: Mapping[str, str]) -> ListenTarget:
    listen = env.get(ENV_LISTEN)
    if listen is None:
        directory = env.get(ENV_SOCKET_DIR, "")
        if directory == "":
            raise StartupError(
                f"floe-quality plugin: {ENV_SOCKET_DIR} is not set; the host must provide a private directory"
            )
        path = os.path.join(directory, SOCKET_FILE_NAME)
        return ListenTarget("unix", f"unix:{path}", path, sidecar=False)
    if listen.startswith("unix://"):
        path = listen[len("unix://") :]
        if not path.startswith("/"):
            raise StartupError(
                f"floe-quality plugin: {ENV_LISTEN}={listen}: use an absolute path, unix:///path/p.sock"
            )
        return ListenTarget("unix", f"unix:{path}", path, sidecar=True)
    if listen.startswith("tcp://"):
        return ListenTarget("tcp", listen[len("tcp://") :], None, sidecar=True, tls=_tls_material(env))
    raise StartupError(f"floe-quality plugin: {ENV_LISTEN}={listen}: expected unix:///path or tcp://host:port")


def _tls_material(env: Mapping[str, str]) -> tuple[bytes, bytes, bytes | None] | None:
    cert, key, client_ca = env.get(ENV_TLS_CERT), env.get(ENV_TLS_KEY), env.get(ENV_TLS_CLIENT_CA)
    if cert and key:
        try:
            return (_read(cert), _read(key), _read(client_ca) if client_ca else None)
        except OSError as error:
            raise StartupError(f"floe-quality plugin: cannot read TLS material: {error}") from None
    if env.get(ENV_INSECURE) == "1":
        return None
    raise StartupError(
        f"floe-quality plugin: a TCP listener needs TLS: set {ENV_TLS_CERT} and {ENV_TLS_KEY} "
        f"(and {ENV_TLS_CLIENT_CA} for mTLS), or {ENV_INSECURE}=1 for loopback tests"
    )


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def deadline_margin(remaining: float) -> float:
    """The deadline fires a little early so TIMED_OUT results still reach the host."""
    return min(0.25, max(0.02, remaining * 0.05))


def timed_out_result(check: types_pb2.QualityCheck, timeout_seconds: int) -> types_pb2.QualityCheckResult:
    """The result of a check that had not finished when the suite deadline passed
    (a disabled check is SKIPPED instead)."""
    result = types_pb2.QualityCheckResult(
        check_name=check.name,
        passed=False,
        dimension=check.dimension,
        severity=check.severity,
        check_type=check.type,
        column=check.column,
    )
    if check.HasField("custom_weight"):
        result.custom_weight = check.custom_weight
    if not check.enabled:
        result.status = types_pb2.CHECK_STATUS_SKIPPED
        return result
    within = f" ({timeout_seconds} s)" if timeout_seconds else ""
    result.status = types_pb2.CHECK_STATUS_TIMED_OUT
    result.error_code = "FLOE-DQ106"
    result.error_message = f"the check did not finish within the suite deadline{within}"
    return result


def suite_span_attributes(
    suite: types_pb2.QualitySuite, connection: types_pb2.Connection | None = None
) -> dict[str, AttributeValue]:
    """What a call span says about a suite: never the connection's secrets, only its dialect."""
    attributes: dict[str, AttributeValue] = {"floe.model": suite.model_name, "floe.checks.count": len(suite.checks)}
    if connection is not None and connection.dialect:
        attributes["floe.dialect"] = connection.dialect
    return attributes


_FAILING = {types_pb2.CHECK_STATUS_FAILED, types_pb2.CHECK_STATUS_ERROR, types_pb2.CHECK_STATUS_TIMED_OUT}


def suite_summary(
    suite: types_pb2.QualitySuite, checks: list[types_pb2.QualityCheckResult], elapsed_ms: float
) -> types_pb2.QualitySuiteResult:
    def count(status: int) -> int:
        return sum(1 for c in checks if c.status == status)

    summary = types_pb2.QualitySuiteResult(
        suite_name=suite.model_name,
        model_name=suite.model_name,
        passed=not any(c.status in _FAILING for c in checks),
        checks=checks,
        execution_time_ms=elapsed_ms,
    )
    summary.summary.update(
        {
            "checks_total": len(checks),
            "checks_passed": count(types_pb2.CHECK_STATUS_PASSED),
            "checks_failed": count(types_pb2.CHECK_STATUS_FAILED),
            "checks_error": count(types_pb2.CHECK_STATUS_ERROR),
            "checks_skipped": count(types_pb2.CHECK_STATUS_SKIPPED),
            "checks_timed_out": count(types_pb2.CHECK_STATUS_TIMED_OUT),
        }
    )
    summary.timestamp.GetCurrentTime()
    return summary


def validate_against_capabilities(
    request: plugin_pb2.ValidateSuiteRequest, metadata: plugin_pb2.GetMetadataResponse
) -> plugin_pb2.ValidateSuiteResponse:
    """Every check type must be one of capabilities.check_types (when it lists any)."""
    known = set(metadata.capabilities.check_types)
    unknown = [c for c in request.suite.checks if known and c.type not in known]
    diagnostics = [
        types_pb2.Diagnostic(
            code="FLOE-DQ101",
            message=f"check '{c.name}': type '{c.type}' is not supported by plugin {metadata.name}",
            path=f"{request.suite.model_name}/{c.name}",
            fix=f"Use one of: {', '.join(sorted(known))}",
            level="error",
        )
        for c in unknown
    ]
    return plugin_pb2.ValidateSuiteResponse(
        result=types_pb2.ValidationResult(
            success=not diagnostics, errors=[d.message for d in diagnostics], diagnostics=diagnostics
        )
    )


def metadata_of(plugin: QualityPlugin) -> plugin_pb2.GetMetadataResponse:
    metadata = _as_message(plugin.get_metadata(), plugin_pb2.GetMetadataResponse)
    if metadata.floe_api_version == "":
        metadata.floe_api_version = FLOE_API_VERSION
    return metadata


def _as_message(value: Any, message_type: type[T]) -> T:
    """A handler may return the message or a dict in its JSON form."""
    if isinstance(value, dict):
        return json_format.ParseDict(value, message_type())  # type: ignore[return-value]
    if not isinstance(value, message_type):
        raise TypeError(f"expected {message_type.__name__}, got {type(value).__name__}")
    return value


class _Tracked:
    """A CallContext tied to one gRPC call: its deadline timer, the host's
    cancellation, the set of calls the plugin cancels when it stops, and the
    call's span when traces are exported."""

    def __init__(
        self,
        server: "_PluginServer",
        context: grpc.ServicerContext,
        method: str,
        span_attributes: Mapping[str, AttributeValue] | None = None,
        **fields: Any,
    ) -> None:
        remaining = context.time_remaining()
        deadline = None if remaining is None else time.time() + remaining
        trace_context = host_trace_context(server.env, tuple(context.invocation_metadata() or ()))
        self.span: trace.Span | None = None
        if server.tracing is not None:
            self.span = server.tracing.start_call_span(method, trace_context, span_attributes or {})
            trace_context = trace.set_span_in_context(self.span, trace_context)
        self.ctx = CallContext(logger_with_fields(server.log, method=method, **fields), deadline, trace_context)
        self._server = server
        self._done = False
        self._timer: threading.Timer | None = None
        if remaining is not None:
            self._timer = threading.Timer(
                max(0.0, remaining - deadline_margin(remaining)),
                self.ctx.cancel,
                args=(FloeError("FLOE-DQ106", "the suite deadline passed before every check finished"),),
            )
            self._timer.daemon = True
            self._timer.start()
        context.add_callback(self._on_terminated)
        server.track(self.ctx)

    def _on_terminated(self) -> None:
        if not self._done:
            self.ctx.cancel(None)

    def fail(self, error: BaseException) -> None:
        if self.span is not None:
            record_failure(self.span, error)

    def dispose(self) -> None:
        self._done = True
        if self._timer is not None:
            self._timer.cancel()
        self._server.untrack(self.ctx)
        if self.span is not None:
            self.span.end()


class _Servicer(plugin_pb2_grpc.QualityPluginServiceServicer):
    def __init__(self, server: "_PluginServer") -> None:
        self._server = server
        self._plugin = server.plugin
        self._log = server.log

    def _unary(
        self,
        context: grpc.ServicerContext,
        method: str,
        handle: Callable[[CallContext], Any],
        response_type: type[T],
        span_attributes: Mapping[str, AttributeValue] | None = None,
    ) -> T:
        tracked = _Tracked(self._server, context, method, span_attributes)
        # The plugin's own spans nest under the call's.
        token = otel_context.attach(tracked.ctx.trace_context)
        try:
            return _as_message(handle(tracked.ctx), response_type)
        except Exception as error:
            tracked.fail(error)
            self._abort(context, method, error)
        finally:
            otel_context.detach(token)
            tracked.dispose()

    def _abort(self, context: grpc.ServicerContext, method: str, error: BaseException) -> NoReturn:
        if isinstance(error, FloeError):
            self._log.warning(error.message, extra={"method": method, "code": error.code})
            context.abort_with_status(grpc_status_from_floe_error(error))
        self._log.error("unexpected error in handler", exc_info=error, extra={"method": method})
        context.abort(grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE)
        raise AssertionError("unreachable: abort raises")

    def GetMetadata(self, request, context):  # noqa: N802 (gRPC method name)
        return self._unary(context, "GetMetadata", lambda _ctx: metadata_of(self._plugin), plugin_pb2.GetMetadataResponse)

    def ValidateConfig(self, request, context):  # noqa: N802
        return self._unary(
            context,
            "ValidateConfig",
            lambda ctx: self._plugin.validate_config(request, ctx),
            plugin_pb2.ValidateConfigResponse,
        )

    def ValidateSuite(self, request, context):  # noqa: N802
        return self._unary(
            context,
            "ValidateSuite",
            lambda ctx: self._plugin.validate_suite(request, ctx),
            plugin_pb2.ValidateSuiteResponse,
            suite_span_attributes(request.suite, request.connection),
        )

    def ListSuites(self, request, context):  # noqa: N802
        return self._unary(
            context, "ListSuites", lambda ctx: self._plugin.list_suites(request, ctx), plugin_pb2.ListSuitesResponse
        )

    def Shutdown(self, request, context):  # noqa: N802
        tracked = _Tracked(self._server, context, "Shutdown")
        try:
            # Answer first: the stop waits for in-flight calls, this one included.
            context.add_callback(lambda: self._server.request_stop("Shutdown requested by the host", 0))
            return plugin_pb2.ShutdownResponse()
        finally:
            tracked.dispose()

    def RunChecks(self, request, context) -> Iterator[plugin_pb2.RunChecksResponse]:  # noqa: N802
        started = time.monotonic()
        tracked = _Tracked(
            self._server,
            context,
            "RunChecks",
            {**suite_span_attributes(request.suite, request.connection), "floe.run_id": request.run_id},
            run_id=request.run_id,
        )
        ctx = tracked.ctx
        duplicate = duplicate_check_name(check.name for check in request.suite.checks)
        if duplicate is not None:
            # Results are told apart by name: refused before the plugin sees the request.
            error = FloeError(
                "FLOE-DQ101",
                f"suite {request.suite.model_name!r} names two checks {duplicate!r}; "
                "check names must be unique within a suite",
                path=f"{request.suite.model_name}/{duplicate}",
            )
            try:
                tracked.fail(error)
                self._abort(context, "RunChecks", error)
            finally:
                tracked.dispose()
                ctx.cancel(FloeError("FLOE-DQ001", "the call ended"))
        events: queue.Queue[tuple[str, Any]] = queue.Queue()
        ctx.on_cancel(lambda reason: events.put(("cancelled", reason)))

        def produce() -> None:
            # The plugin's generator runs here so a blocked check cannot hold the
            # stream past its deadline.
            otel_context.attach(ctx.trace_context)
            try:
                stream = self._plugin.run_checks(request, ctx)
                for result in stream:
                    if ctx.cancelled():
                        close = getattr(stream, "close", None)
                        if close is not None:
                            close()
                        return
                    events.put(("result", _as_message(result, types_pb2.QualityCheckResult)))
                events.put(("done", None))
            except BaseException as error:  # noqa: BLE001 (reported to the caller)
                events.put(("error", error))

        threading.Thread(target=produce, name="floe-run-checks", daemon=True).start()
        results: list[types_pb2.QualityCheckResult] = []
        try:
            while True:
                kind, value = events.get()
                if kind == "result":
                    results.append(value)
                    yield plugin_pb2.RunChecksResponse(check_result=value)
                elif kind == "done":
                    break
                elif kind == "error":
                    tracked.fail(value)
                    self._abort(context, "RunChecks", value)
                else:
                    reason: FloeError | None = value
                    if reason is None:
                        return
                    if reason.code != "FLOE-DQ106":
                        tracked.fail(reason)
                        context.abort_with_status(grpc_status_from_floe_error(reason, grpc.StatusCode.UNAVAILABLE))
                    reported = {r.check_name for r in results}
                    for check in request.suite.checks:
                        if check.name not in reported:
                            timed_out = timed_out_result(check, request.suite.timeout_seconds)
                            results.append(timed_out)
                            yield plugin_pb2.RunChecksResponse(check_result=timed_out)
                    ctx.log.warning(
                        "suite deadline passed", extra={"code": "FLOE-DQ106", "timed_out": len(request.suite.checks) - len(reported)}
                    )
                    break
            elapsed_ms = (time.monotonic() - started) * 1000
            summary = suite_summary(request.suite, results, elapsed_ms)
            if tracked.span is not None:
                tracked.span.set_attributes(
                    {
                        "floe.suite.passed": summary.passed,
                        "floe.checks.failed": sum(1 for r in results if r.status in _FAILING),
                    }
                )
            yield plugin_pb2.RunChecksResponse(summary=summary)
        finally:
            tracked.dispose()
            ctx.cancel(FloeError("FLOE-DQ001", "the call ended"))


class _PluginServer:
    def __init__(
        self, plugin: QualityPlugin, env: Mapping[str, str], log: logging.Logger, tracing: PluginTracing | None
    ) -> None:
        self.plugin = plugin
        self.env = env
        self.log = log
        self.tracing = tracing
        self._in_flight: set[CallContext] = set()
        self._in_flight_lock = threading.Lock()
        self._stop_lock = threading.Lock()
        self._stop_request: tuple[str, int] | None = None
        self._stop_event = threading.Event()
        # Set when stdin reached EOF: the host is gone and cannot remove its directory.
        self._host_gone = False

    def track(self, ctx: CallContext) -> None:
        with self._in_flight_lock:
            self._in_flight.add(ctx)

    def untrack(self, ctx: CallContext) -> None:
        with self._in_flight_lock:
            self._in_flight.discard(ctx)

    def request_stop(self, reason: str, exit_code: int) -> None:
        with self._stop_lock:
            if self._stop_request is None:
                self._stop_request = (reason, exit_code)
        self._stop_event.set()

    def run(self, app: int, target: ListenTarget, handshake_out: TextIO) -> NoReturn:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=16, thread_name_prefix="floe-grpc"))
        health_servicer = health.HealthServicer()
        for service in ("", HEALTH_SERVICE_NAME):
            health_servicer.set(service, health_pb2.HealthCheckResponse.NOT_SERVING)
        health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
        plugin_pb2_grpc.add_QualityPluginServiceServicer_to_server(_Servicer(self), server)

        port = self._bind(server, target)
        server.start()
        if target.socket_path is not None:
            os.chmod(target.socket_path, 0o600)

        signal.signal(signal.SIGTERM, lambda *_: self.request_stop("SIGTERM", 0))
        signal.signal(signal.SIGINT, lambda *_: self.request_stop("SIGINT", 0))
        if not target.sidecar:
            threading.Thread(target=self._watch_stdin, name="floe-stdin", daemon=True).start()

        address = target.socket_path if target.network == "unix" else _tcp_address(target.bind_address, port)
        handshake_out.write(handshake_line(app, target.network, address or "") + "\n")
        handshake_out.flush()

        def start() -> None:
            try:
                self.plugin.startup()
            except BaseException as error:  # noqa: BLE001 (logged, then the plugin exits 1)
                self.log.error("plugin startup failed", exc_info=error)
                self.request_stop("startup failed", 1)
                return
            for service in ("", HEALTH_SERVICE_NAME):
                health_servicer.set(service, health_pb2.HealthCheckResponse.SERVING)
            self.log.debug("plugin serving", extra={"address": address})

        threading.Thread(target=start, name="floe-startup", daemon=True).start()
        while not self._stop_event.wait(1.0):
            pass
        reason, exit_code = self._stop_request or ("stop", 0)
        self._stop(server, health_servicer, target, reason, exit_code)

    def _bind(self, server: grpc.Server, target: ListenTarget) -> int:
        try:
            if target.network == "unix":
                assert target.socket_path is not None
                if target.sidecar and os.path.exists(target.socket_path):
                    os.unlink(target.socket_path)
                # The socket is born 0600; the chmod after start is the documented guarantee.
                previous = os.umask(0o177)
                try:
                    return server.add_insecure_port(target.bind_address)
                finally:
                    os.umask(previous)
            if target.tls is None:
                return server.add_insecure_port(target.bind_address)
            cert, key, client_ca = target.tls
            credentials = grpc.ssl_server_credentials(
                [(key, cert)], root_certificates=client_ca, require_client_auth=client_ca is not None
            )
            return server.add_secure_port(target.bind_address, credentials)
        except RuntimeError as error:
            _exit_with_message(f"floe-quality plugin: cannot listen on {target.bind_address}: {error}")

    def _watch_stdin(self) -> None:
        # The host keeps our stdin open for its whole life: EOF means it died.
        try:
            while os.read(0, 4096):
                pass
            self._host_gone = True
            self.request_stop("stdin closed: the host is gone", 0)
        except OSError:
            self._host_gone = True
            self.request_stop("stdin failed: the host is gone", 0)

    def _stop(
        self,
        server: grpc.Server,
        health_servicer: health.HealthServicer,
        target: ListenTarget,
        reason: str,
        exit_code: int,
    ) -> NoReturn:
        self.log.info("plugin stopping", extra={"reason": reason})
        health_servicer.enter_graceful_shutdown()
        with self._in_flight_lock:
            in_flight = list(self._in_flight)
        for ctx in in_flight:
            ctx.cancel(FloeError("FLOE-DQ001", "the plugin is shutting down"))
        server.stop(STOP_GRACE_SECONDS).wait()
        if target.socket_path is not None:
            try:
                os.unlink(target.socket_path)
            except FileNotFoundError:
                pass
            if self._host_gone and not target.sidecar:
                # Empty once the socket is gone (rmdir, never recursive).
                try:
                    os.rmdir(os.path.dirname(target.socket_path))
                except OSError:
                    pass
        try:
            self.plugin.shutdown()
        except Exception as error:
            self.log.error("plugin shutdown hook failed", exc_info=error)
        if self.tracing is not None and not self.tracing.shutdown():
            self.log.warning("spans still unexported at exit were dropped")
        logging.shutdown()
        sys.stderr.flush()
        # Plugin threads stuck in a check must not hold the process open.
        os._exit(exit_code)


def _tcp_address(bind_address: str, port: int) -> str:
    return f"{bind_address.rsplit(':', 1)[0]}:{port}"


def _exit_with_message(message: str) -> NoReturn:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    os._exit(1)


def _take_stdout() -> TextIO:
    """The handshake line's own copy of stdout; fd 1 and sys.stdout then point
    at stderr so no stray print() can corrupt the protocol channel."""
    sys.stdout.flush()
    handshake_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return handshake_out


def serve_plugin(plugin: QualityPlugin, env: Mapping[str, str] | None = None) -> NoReturn:
    """Runs the plugin until the host lets it go: checks the cookie, negotiates
    the version, listens, prints the handshake line, reports health, and exits
    on Shutdown, SIGTERM or stdin EOF. Never returns."""
    environment = dict(os.environ if env is None else env)
    try:
        app, target = startup_settings(environment)
    except StartupError as error:
        _exit_with_message(str(error))
    log = configure_logging(environment)

    def crash(kind: type[BaseException], error: BaseException, tb: Any) -> None:
        log.error("plugin crashed", exc_info=(kind, error, tb))
        logging.shutdown()
        os._exit(1)

    sys.excepthook = crash
    threading.excepthook = lambda args: crash(args.exc_type, args.exc_value or Exception(), args.exc_traceback)
    tracing = start_tracing(environment, lambda: metadata_of(plugin).name, log)
    _PluginServer(plugin, environment, log, tracing).run(app, target, _take_stdout())
