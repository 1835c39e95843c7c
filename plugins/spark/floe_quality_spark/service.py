"""The gRPC shell: floe_quality_sdk's QualityPlugin around the Spark runner."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from typing import Any

from floe_quality_sdk import CallContext, FloeError, QualityPlugin, plugin_pb2, types_pb2
from google.protobuf import json_format

from . import __version__
from .checks import SUPPORTED_CHECK_TYPES, CheckCompileError, referenced_columns, resolve_check
from .run import SuiteCheck, SuiteRequest, run_suite, spark_message
from .session import RelationError, Sessions, SparkConnection, relation_frame

PROVIDER = "floe_spark"
DIALECTS = ("spark",)


def check_from_proto(check: types_pb2.QualityCheck) -> SuiteCheck:
    return SuiteCheck(
        name=check.name,
        type=check.type,
        column=check.column,
        parameters=json_format.MessageToDict(check.parameters) if check.HasField("parameters") else {},
        enabled=check.enabled,
        dimension=check.dimension,
        severity=check.severity,
        custom_weight=check.custom_weight if check.HasField("custom_weight") else None,
    )


def connection_from_proto(connection: types_pb2.Connection) -> SparkConnection:
    if connection.dialect and connection.dialect != "spark":
        raise FloeError(
            "FLOE-DQ001",
            f"floe_spark runs on Spark; the connection's dialect is {connection.dialect!r}: "
            "set compute.dialect: spark or choose the provider of that engine",
        )
    return SparkConnection(
        host=connection.host,
        port=connection.port,
        user=connection.user,
        token=connection.password,
        path=connection.path,
        schema=connection.schema,
        options=dict(connection.options),
    )


def _diagnostic(code: str, message: str, index: int, fix: str) -> dict[str, str]:
    return {"code": code, "message": message, "path": f"checks[{index}]", "fix": fix, "level": "error"}


class SparkQualityPlugin(QualityPlugin):
    def __init__(self) -> None:
        self.sessions = Sessions()
        self.spark_version = ""

    def startup(self) -> None:
        import pyspark

        self.spark_version = pyspark.__version__
        if os.environ.get("FLOE_SPARK_LOCAL", "1") != "0":
            # The local session's JVM starts in the background as the plugin begins
            # serving (a JVM start can outlast the host's start-up budget), so the
            # first suite's deadline is not all spent on it. FLOE_SPARK_LOCAL=0 for
            # a plugin that only reaches Spark Connect.
            threading.Thread(target=self._warm_up, name="floe-spark-warm-up", daemon=True).start()

    def _warm_up(self) -> None:
        try:
            self.sessions.get(SparkConnection())
        except Exception:  # noqa: BLE001 - the first suite on a local session reports the cause
            logging.getLogger("floe_quality_spark").warning("the local Spark session did not start", exc_info=True)

    def validate_suite(self, request: plugin_pb2.ValidateSuiteRequest, ctx: CallContext) -> Any:
        """FLOE-DQ101 for unknown types and bad parameters; with a connection,
        FLOE-DQ105 for a column the relation lacks (its schema only: no job)."""
        suite = request.suite
        diagnostics: list[dict[str, str]] = []
        resolved = []
        for index, message in enumerate(suite.checks):
            check = check_from_proto(message)
            try:
                resolved.append(resolve_check(index, check.name, check.type, check.column, check.parameters))
            except CheckCompileError as error:
                diagnostics.append(_diagnostic(error.code, f"check {check.name}: {error.message}", index,
                                               "Use a check type of the vocabulary with its parameters (docs/configuration.md)."))
        if request.HasField("connection") and request.connection.dialect == "spark" and resolved:
            relation = request.relation or suite.model_name
            connection = connection_from_proto(request.connection)
            try:
                columns = set(relation_frame(self.sessions.get(connection), connection, relation).columns)
            except Exception as error:  # noqa: BLE001 - reported as a diagnostic
                diagnostics.append(
                    {"code": "FLOE-DQ100", "message": f"relation {relation} cannot be read: {spark_message(error)}",
                     "path": "relation", "fix": "Check the model's relation and compute settings.", "level": "error"}
                )
            else:
                for check in resolved:
                    for name in referenced_columns(check):
                        if name not in columns:
                            diagnostics.append(_diagnostic(
                                "FLOE-DQ105", f"check {check.name}: column {name!r} does not exist in relation {relation}",
                                check.index, "Verify the column exists in the model (floe.yaml columns or the table)."))
        errors = [f"{d['code']} {d['path']}: {d['message']}" for d in diagnostics]
        return {"result": {"success": not diagnostics, "errors": errors, "diagnostics": diagnostics}}

    def get_metadata(self) -> dict[str, Any]:
        return {
            "name": PROVIDER,
            "version": __version__,
            "description": f"Runs floe checks on Spark {self.spark_version} in as few jobs as possible".replace(
                "  ", " "
            ),
            "dependencies": [f"pyspark=={self.spark_version}"] if self.spark_version else [],
            "capabilities": {
                "dialects": list(DIALECTS),
                "check_types": list(SUPPORTED_CHECK_TYPES),
                "fail_fast": True,
                "cancellation": True,
                "native_suites": False,
                "failing_samples": True,
            },
        }

    def run_checks(self, request: plugin_pb2.RunChecksRequest, ctx: CallContext) -> Iterator[Any]:
        suite = request.suite
        connection = connection_from_proto(request.connection)
        try:
            spark = self.sessions.get(connection)
        except RelationError as error:
            raise FloeError("FLOE-DQ100", str(error)) from None
        run = SuiteRequest(
            checks=[check_from_proto(c) for c in suite.checks],
            connection=connection,
            relation=request.relation or suite.model_name,
            max_failing_samples=request.options.max_failing_samples if request.HasField("options") else 5,
            sensitive_columns=frozenset(request.options.sensitive_columns),
            fail_fast=suite.fail_fast,
            on_cancel=lambda cancel: ctx.on_cancel(lambda _reason: cancel()),
            cancelled=ctx.cancelled,
        )
        yield from run_suite(spark, run)

    def shutdown(self) -> None:
        self.sessions.stop()
