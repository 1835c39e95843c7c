"""The gRPC shell: floe_quality_sdk's QualityPlugin around GxPlugin, converting the
protobuf messages to the plugin's own values and back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from floe_quality_sdk import CallContext, FloeError, QualityPlugin, plugin_pb2, types_pb2
from google.protobuf import json_format

from .model import Check, CheckResult, Connection, Dimension, RequestError, RunOptions, Severity
from .plugin import GxPlugin, SuiteRun, Validation


def check_from_proto(check: types_pb2.QualityCheck) -> Check:
    return Check(
        name=check.name,
        type=check.type,
        column=check.column,
        dimension=Dimension(check.dimension),
        severity=Severity(check.severity),
        parameters=json_format.MessageToDict(check.parameters) if check.HasField("parameters") else {},
        enabled=check.enabled,
        custom_weight=check.custom_weight if check.HasField("custom_weight") else None,
    )


def connection_from_proto(connection: types_pb2.Connection) -> Connection:
    return Connection(
        dialect=connection.dialect,
        host=connection.host,
        port=connection.port,
        database=connection.database,
        user=connection.user,
        password=connection.password,
        path=connection.path,
        schema=connection.schema,
        options=dict(connection.options),
    )


def result_to_proto(result: CheckResult) -> types_pb2.QualityCheckResult:
    message = types_pb2.QualityCheckResult(
        check_name=result.check_name,
        passed=result.passed,
        dimension=int(result.dimension),
        severity=int(result.severity),
        records_checked=result.records_checked,
        records_failed=result.records_failed,
        execution_time_ms=result.execution_time_ms,
        status=int(result.status),
        error_code=result.error_code,
        check_type=result.check_type,
        column=result.column,
    )
    if result.details:
        message.details.update(result.details)
    if result.error_message is not None:
        message.error_message = result.error_message
    if result.custom_weight is not None:
        message.custom_weight = result.custom_weight
    return message


def validation_to_proto(validation: Validation) -> types_pb2.ValidationResult:
    return types_pb2.ValidationResult(
        success=validation.success,
        errors=validation.errors,
        warnings=validation.warnings,
        diagnostics=[
            types_pb2.Diagnostic(code=d.code, message=d.message, file=d.file, path=d.path, fix=d.fix, level=d.level)
            for d in validation.diagnostics
        ],
    )


def _run_timeout(call_remaining: float | None, suite_timeout_s: int) -> float | None:
    """The call deadline (the host sets it from the suite timeout), or the suite
    timeout itself when a caller sent none; whichever comes first."""
    limits = [t for t in (call_remaining, float(suite_timeout_s) if suite_timeout_s > 0 else None) if t is not None]
    return min(limits) if limits else None


def _floe_error(error: RequestError) -> FloeError:
    return FloeError(error.code, error.message)


class GxQualityPlugin(QualityPlugin):
    def __init__(self, core: GxPlugin | None = None) -> None:
        self.core = core or GxPlugin()

    def startup(self) -> None:
        self.core.startup()

    def get_metadata(self) -> dict[str, Any]:
        return self.core.metadata()

    def validate_config(self, request: plugin_pb2.ValidateConfigRequest, ctx: CallContext) -> Any:
        validation = self.core.validate_config(request.config.provider)
        return plugin_pb2.ValidateConfigResponse(result=validation_to_proto(validation))

    def validate_suite(self, request: plugin_pb2.ValidateSuiteRequest, ctx: CallContext) -> Any:
        suite = request.suite
        connection = connection_from_proto(request.connection) if request.HasField("connection") else None
        try:
            validation = self.core.validate_suite(
                suite.model_name,
                [check_from_proto(c) for c in suite.checks],
                suite.native_suite,
                connection,
                request.relation,
            )
        except RequestError as error:
            raise _floe_error(error) from None
        return plugin_pb2.ValidateSuiteResponse(result=validation_to_proto(validation))

    def list_suites(self, request: plugin_pb2.ListSuitesRequest, ctx: CallContext) -> Any:
        return {"suites": self.core.list_suites()}

    def run_checks(self, request: plugin_pb2.RunChecksRequest, ctx: CallContext) -> Iterator[Any]:
        suite = request.suite
        options = RunOptions(
            max_failing_samples=request.options.max_failing_samples if request.HasField("options") else 5,
            sensitive_columns=frozenset(request.options.sensitive_columns),
        )
        run = SuiteRun(
            model_name=suite.model_name,
            checks=[check_from_proto(c) for c in suite.checks],
            connection=connection_from_proto(request.connection),
            relation=request.relation,
            options=options,
            timeout_s=_run_timeout(ctx.time_remaining(), suite.timeout_seconds),
            native_suite=suite.native_suite,
            on_cancel=lambda cancel: ctx.on_cancel(lambda _reason: cancel()),
        )
        try:
            for result in self.core.run_checks(run):
                yield result_to_proto(result)
        except RequestError as error:
            raise _floe_error(error) from None
