from google.protobuf import struct_pb2

from floe_quality_sdk.contract import plugin_pb2, types_pb2
from floe_quality_sdk.serve import suite_summary, timed_out_result, validate_against_capabilities


def check(name: str, **fields) -> types_pb2.QualityCheck:
    return types_pb2.QualityCheck(
        name=name,
        type="not_null",
        column="id",
        dimension=types_pb2.DIMENSION_COMPLETENESS,
        severity=types_pb2.SEVERITY_CRITICAL,
        enabled=True,
        **fields,
    )


def test_an_unfinished_check_is_timed_out_with_floe_dq106():
    result = timed_out_result(check("ids_not_null", custom_weight=2.5), 30)
    assert result.status == types_pb2.CHECK_STATUS_TIMED_OUT
    assert result.error_code == "FLOE-DQ106"
    assert result.error_message == "the check did not finish within the suite deadline (30 s)"
    assert (result.check_name, result.check_type, result.column) == ("ids_not_null", "not_null", "id")
    assert (result.passed, result.custom_weight) == (False, 2.5)
    assert result.dimension == types_pb2.DIMENSION_COMPLETENESS


def test_an_unfinished_disabled_check_is_skipped():
    disabled = check("off")
    disabled.enabled = False
    result = timed_out_result(disabled, 0)
    assert result.status == types_pb2.CHECK_STATUS_SKIPPED
    assert (result.error_code, result.HasField("error_message"), result.HasField("custom_weight")) == ("", False, False)


def test_summary_counts_statuses_and_fails_on_timeouts():
    suite = types_pb2.QualitySuite(model_name="orders")
    results = [
        types_pb2.QualityCheckResult(check_name="a", status=types_pb2.CHECK_STATUS_PASSED),
        types_pb2.QualityCheckResult(check_name="b", status=types_pb2.CHECK_STATUS_TIMED_OUT),
        types_pb2.QualityCheckResult(check_name="c", status=types_pb2.CHECK_STATUS_SKIPPED),
    ]
    summary = suite_summary(suite, results, 12.5)
    assert (summary.suite_name, summary.model_name, summary.passed) == ("orders", "orders", False)
    assert [c.check_name for c in summary.checks] == ["a", "b", "c"]
    assert summary.execution_time_ms == 12.5
    assert dict(summary.summary) == {
        "checks_total": 3,
        "checks_passed": 1,
        "checks_failed": 0,
        "checks_error": 0,
        "checks_skipped": 1,
        "checks_timed_out": 1,
    }
    assert summary.timestamp.seconds > 0


def test_summary_passes_when_nothing_failed():
    suite = types_pb2.QualitySuite(model_name="orders")
    ok = [types_pb2.QualityCheckResult(check_name="a", status=types_pb2.CHECK_STATUS_PASSED)]
    assert suite_summary(suite, ok, 1).passed is True


def test_default_suite_validation_rejects_types_outside_the_capabilities():
    metadata = plugin_pb2.GetMetadataResponse(name="py_echo")
    metadata.capabilities.check_types.extend(["not_null", "unique"])
    suite = types_pb2.QualitySuite(model_name="orders", checks=[check("a"), check("b")])
    suite.checks[1].type = "regex"
    response = validate_against_capabilities(plugin_pb2.ValidateSuiteRequest(suite=suite), metadata)
    assert response.result.success is False
    [diagnostic] = response.result.diagnostics
    assert diagnostic.code == "FLOE-DQ101"
    assert diagnostic.message == "check 'b': type 'regex' is not supported by plugin py_echo"
    assert diagnostic.path == "orders/b"
    assert diagnostic.fix == "Use one of: not_null, unique"
    assert list(response.result.errors) == [diagnostic.message]
    assert isinstance(suite.checks[0].parameters, struct_pb2.Struct)
