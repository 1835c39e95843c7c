"""The gRPC shell's conversions between the protobuf messages and the plugin's values."""

from floe_quality_sdk import types_pb2

from floe_quality_gx.model import CheckResult, CheckStatus, Dimension, Severity
from floe_quality_gx.service import _run_timeout, check_from_proto, connection_from_proto, result_to_proto


def test_check_from_proto_reads_struct_parameters_and_enums():
    message = types_pb2.QualityCheck(
        name="amount_range",
        type="between",
        column="amount",
        dimension=types_pb2.DIMENSION_ACCURACY,
        severity=types_pb2.SEVERITY_WARNING,
        enabled=True,
        custom_weight=2.5,
    )
    message.parameters.update({"min_value": 0, "max_value": 100, "row_condition": 'a > 1'})
    check = check_from_proto(message)
    assert (check.name, check.type, check.column, check.dimension, check.severity, check.custom_weight) == (
        "amount_range",
        "between",
        "amount",
        Dimension.ACCURACY,
        Severity.WARNING,
        2.5,
    )
    assert check.parameters == {"min_value": 0.0, "max_value": 100.0, "row_condition": 'a > 1'}
    assert check.enabled


def test_connection_from_proto_keeps_options():
    message = types_pb2.Connection(dialect="postgres", host="db", port=5433, database="shop", user="etl", password="pw")
    message.options["sslmode"] = "require"
    connection = connection_from_proto(message)
    assert (connection.dialect, connection.port, connection.options) == ("postgres", 5433, {"sslmode": "require"})


def test_result_to_proto_carries_counts_details_and_errors():
    result = CheckResult(
        check_name="email_present",
        check_type="not_null",
        column="email",
        dimension=Dimension.COMPLETENESS,
        severity=Severity.CRITICAL,
        status=CheckStatus.FAILED,
        records_checked=8,
        records_failed=2,
        details={"failing_samples": [None, None], "unexpected_percent": 25.0},
    )
    message = result_to_proto(result)
    assert (message.passed, message.status, message.records_checked, message.records_failed) == (
        False,
        types_pb2.CHECK_STATUS_FAILED,
        8,
        2,
    )
    assert message.details["unexpected_percent"] == 25.0
    assert not message.HasField("error_message")
    errored = result_to_proto(
        CheckResult(
            "x",
            "unique",
            "id",
            Dimension.CONSISTENCY,
            Severity.INFO,
            CheckStatus.ERROR,
            error_message="boom",
            error_code="FLOE-DQ102",
        )
    )
    assert (errored.status, errored.error_code, errored.error_message) == (
        types_pb2.CHECK_STATUS_ERROR,
        "FLOE-DQ102",
        "boom",
    )


def test_run_timeout_is_the_earlier_of_call_deadline_and_suite_timeout():
    assert _run_timeout(None, 0) is None
    assert _run_timeout(5.0, 0) == 5.0
    assert _run_timeout(None, 3) == 3.0
    assert _run_timeout(2.0, 3) == 2.0
