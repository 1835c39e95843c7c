"""GX validation results → floe check results (pure)."""

from __future__ import annotations

import datetime
import decimal
import math
from collections.abc import Mapping, Sequence
from typing import Any

from .mapping import MappedCheck
from .model import Check, CheckResult, CheckStatus, RunOptions


def json_value(value: Any) -> Any:
    """A value as something google.protobuf.Struct can hold (and JSON can print)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_value(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return json_value(value.item())
    return str(value)


def _base(check: Check, status: CheckStatus) -> CheckResult:
    return CheckResult(
        check_name=check.name,
        check_type=check.type,
        column=check.column,
        dimension=check.dimension,
        severity=check.severity,
        status=status,
        custom_weight=check.custom_weight,
    )


def error_result(check: Check, code: str, message: str) -> CheckResult:
    result = _base(check, CheckStatus.ERROR)
    result.error_code = code
    result.error_message = message
    return result


def timed_out_result(check: Check, timeout_s: float) -> CheckResult:
    result = _base(check, CheckStatus.TIMED_OUT)
    result.error_code = "FLOE-DQ106"
    result.error_message = f"check did not finish within the suite timeout of {timeout_s:g} s"
    return result


def skipped_result(check: Check) -> CheckResult:
    result = _base(check, CheckStatus.SKIPPED)
    result.details = {"reason": "disabled"}
    return result


def exception_message(exception_info: Any) -> str | None:
    """The message of a GX ``exception_info`` (either one dict or one per metric), None when nothing was raised."""
    if not isinstance(exception_info, Mapping):
        return None
    if "raised_exception" in exception_info:
        if exception_info.get("raised_exception"):
            return str(exception_info.get("exception_message") or "Great Expectations raised an error")
        return None
    for info in exception_info.values():
        message = exception_message(info)
        if message:
            return message
    return None


def check_result(
    mapped: MappedCheck,
    gx_result: Mapping[str, Any],
    evaluated_rows: int | None,
    options: RunOptions,
    execution_time_ms: float,
) -> CheckResult:
    """One floe result from one GX ``ExpectationValidationResult`` (as its JSON dict).

    element_count less missing_count → records_checked and unexpected_count →
    records_failed; checks without them (aggregates, schema, SQL) count
    ``evaluated_rows`` as checked (the table's rows, or the rows a SQL check's condition
    selects), and SQL checks their unexpected rows as failed.
    """
    check = mapped.check
    message = exception_message(gx_result.get("exception_info"))
    if message is not None:
        result = error_result(check, "FLOE-DQ102", _first_line(message))
        result.execution_time_ms = execution_time_ms
        return result

    passed = bool(gx_result.get("success"))
    result = _base(check, CheckStatus.PASSED if passed else CheckStatus.FAILED)
    result.execution_time_ms = execution_time_ms
    gx = gx_result.get("result") or {}
    details: dict[str, Any] = {"gx_expectation": _expectation_type(gx_result)}
    sql_run = _expectation_type(gx_result) == "unexpected_rows_expectation"
    unexpected_rows = None
    if isinstance(gx.get("details"), Mapping):
        unexpected_rows = gx["details"].get("unexpected_rows")

    if "element_count" in gx:
        result.records_checked = rows_evaluated(_expectation_type(gx_result), gx)
        result.records_failed = int(gx.get("unexpected_count") or 0)
        for key in ("missing_count", "unexpected_percent"):
            if gx.get(key) is not None:
                details[key] = json_value(gx[key])
    elif sql_run:
        result.records_checked = evaluated_rows or 0
        if mapped.level in ("row", "set"):
            result.records_failed = int(gx.get("observed_value") or 0)
        if mapped.mostly is not None and result.records_checked > 0:
            passed = (result.records_checked - result.records_failed) / result.records_checked >= mapped.mostly
            result.status = CheckStatus.PASSED if passed else CheckStatus.FAILED
        details["unexpected_rows_count"] = json_value(gx.get("observed_value"))
    else:
        result.records_checked = evaluated_rows or 0
    if "observed_value" in gx and not sql_run:
        details["observed_value"] = json_value(gx["observed_value"])

    samples = _failing_samples(mapped, gx, unexpected_rows, options)
    if samples:
        details["failing_samples"] = samples
    result.details = details
    return result


def duckdb_count_result(
    mapped: MappedCheck, counted: tuple[int, int] | str, execution_time_ms: float
) -> CheckResult:
    """The result of a SQL-shaped check DuckDB ran itself: its counts, or DuckDB's message."""
    check = mapped.check
    if isinstance(counted, str):
        result = error_result(check, "FLOE-DQ102", f"DuckDB: {counted}")
        result.execution_time_ms = execution_time_ms
        return result
    checked, failed = counted
    mostly = mapped.duckdb_count.mostly if mapped.duckdb_count else None
    passed = failed == 0 or (mostly is not None and (checked - failed) / checked >= mostly)
    result = _base(check, CheckStatus.PASSED if passed else CheckStatus.FAILED)
    result.execution_time_ms = execution_time_ms
    result.records_checked = checked
    result.records_failed = failed
    result.details = {"evaluated_by": "duckdb"}
    return result


# Expectations about nulls themselves, where a null is what is checked.
_NULL_EXPECTATIONS = frozenset({"expect_column_values_to_not_be_null", "expect_column_values_to_be_null"})


def rows_evaluated(expectation_type: str, gx: Mapping[str, Any]) -> int:
    """records_checked of a row-level expectation: GX's element_count less its
    missing_count, because GX (like floe) neither checks nor fails a null except in the
    null expectations, whose element_count is already the rows evaluated."""
    element_count = int(gx.get("element_count") or 0)
    if expectation_type in _NULL_EXPECTATIONS:
        return element_count
    return element_count - int(gx.get("missing_count") or 0)


def _expectation_type(gx_result: Mapping[str, Any]) -> str:
    config = gx_result.get("expectation_config") or {}
    return str(config.get("type") or "")


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else message


def _failing_samples(
    mapped: MappedCheck,
    gx: Mapping[str, Any],
    unexpected_rows: Sequence[Any] | None,
    options: RunOptions,
) -> list[Any]:
    limit = options.max_failing_samples
    if limit <= 0:
        return []
    if any(column in options.sensitive_columns for column in mapped.columns):
        return []
    if unexpected_rows is not None:
        rows = []
        for row in list(unexpected_rows)[:limit]:
            if isinstance(row, Mapping):
                rows.append({k: json_value(v) for k, v in row.items() if k not in options.sensitive_columns})
            else:
                rows.append(json_value(row))
        return rows
    partial = gx.get("partial_unexpected_list")
    if isinstance(partial, list):
        return [json_value(v) for v in partial[:limit]]
    return []
