"""The gRPC shell: floe_quality_sdk's QualityPlugin around the Spark runner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from floe_quality_sdk import CallContext, FloeError, QualityPlugin, plugin_pb2, types_pb2
from google.protobuf import json_format

from . import __version__
from .checks import SUPPORTED_CHECK_TYPES
from .run import SuiteCheck, SuiteRequest, run_suite
from .session import RelationError, Sessions, SparkConnection

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


class SparkQualityPlugin(QualityPlugin):
    def __init__(self) -> None:
        self.sessions = Sessions()
        self.spark_version = ""

    def startup(self) -> None:
        import pyspark

        self.spark_version = pyspark.__version__

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
