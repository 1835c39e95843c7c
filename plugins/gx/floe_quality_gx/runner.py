"""Runs one floe suite as one GX validation (so GX can bundle the metrics) under the
suite deadline."""

from __future__ import annotations

import concurrent.futures
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .mapping import META_CHECK, META_INTERNAL, META_PROBE_OF, Backend, MappedCheck, map_check, row_count_expectation
from .model import Check, CheckError, CheckResult, Connection, RequestError, RunOptions
from .results import (
    check_result,
    duckdb_count_result,
    error_result,
    exception_message,
    json_value,
    skipped_result,
    timed_out_result,
)
from .runtime import GxRuntime, RunToken, check_error_for_missing_columns, normalized_dialect, set_current_token

log = logging.getLogger("floe_quality_gx")

# The run gives up this long before the deadline: earlier than the SDK's own cut
# (at most 0.25 s before), so native-suite checks, which the SDK does not know, are
# still answered TIMED_OUT by the plugin.
_ANSWER_MARGIN_S = 0.5

_pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="gx-validation")


@dataclass
class RunRequest:
    checks: Sequence[Check]
    connection: Connection
    relation: str
    options: RunOptions
    # Seconds from now until the suite deadline; None for no deadline.
    timeout_s: float | None
    on_cancel: Callable[[Callable[[], None]], None] | None = None


def _expectation_key(expectation: Any) -> str:
    """GX keeps one of several expectations equal but for meta; floe checks share its result."""
    body = expectation.dict(exclude={"id", "rendered_content", "notes", "meta"})
    return expectation.expectation_type + json.dumps(body, sort_keys=True, default=str)


def run_suite(runtime: GxRuntime, request: RunRequest) -> Iterator[CheckResult]:
    """Yields one result per check: mapping errors and disabled checks first, then the
    validation's results together once GX has finished (or TIMED_OUT at the deadline)."""
    deadline = None if request.timeout_s is None else time.monotonic() + request.timeout_s
    mapped: list[MappedCheck] = []
    for check in request.checks:
        if not check.enabled:
            yield skipped_result(check)
            continue
        try:
            mapped.append(map_check(check, backend_for(request.connection)))
        except CheckError as error:
            yield error_result(check, error.code, error.message)
    if not mapped:
        return

    token = RunToken()
    if request.on_cancel is not None:
        request.on_cancel(token.cancel)
    future = _pool.submit(_validate_in_worker, runtime, request, mapped, token)
    try:
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic() - _ANSWER_MARGIN_S)
        results = future.result(timeout=remaining)
    except concurrent.futures.TimeoutError:
        token.cancel()
        log.warning(
            "suite deadline passed; database work cancelled",
            extra={"relation": request.relation, "checks": len(mapped)},
        )
        for item in mapped:
            yield timed_out_result(item.check, request.timeout_s or 0.0)
        return
    yield from results


def backend_for(connection: Connection) -> Backend:
    """PostgreSQL and SQLite both quote identifiers with double quotes, Backend's default."""
    dialect = normalized_dialect(connection.dialect)
    return Backend("pandas", "duckdb") if dialect == "duckdb" else Backend("sql", dialect)


def _validate_in_worker(
    runtime: GxRuntime, request: RunRequest, mapped: list[MappedCheck], token: RunToken
) -> list[CheckResult]:
    set_current_token(token)
    try:
        return _validate(runtime, request, mapped)
    except Exception as error:
        if token.cancelled:
            return [timed_out_result(m.check, request.timeout_s or 0.0) for m in mapped]
        # GX failed as a whole (not per expectation): every check gets the message,
        # the traceback stays in the plugin's log.
        log.error("validation failed", exc_info=error, extra={"relation": request.relation})
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return [error_result(m.check, "FLOE-DQ102", f"Great Expectations failed: {message}") for m in mapped]
    finally:
        set_current_token(None)


def _validate(runtime: GxRuntime, request: RunRequest, mapped: list[MappedCheck]) -> list[CheckResult]:
    started = time.perf_counter()
    try:
        duckdb_counts = {m.check.name: m.duckdb_count for m in mapped if m.duckdb_count is not None}
        filters = {m.row_filter.column: m.row_filter.sql for m in mapped if m.row_filter is not None}
        table = runtime.table(request.connection, request.relation, duckdb_counts, filters)
    except RequestError as error:
        return [error_result(m.check, error.code, error.message) for m in mapped]

    out: list[CheckResult] = []
    runnable: list[MappedCheck] = []
    for item in mapped:
        missing = [c for c in item.columns if c not in table.columns]
        if missing:
            error = check_error_for_missing_columns(missing, request.relation)
            out.append(error_result(item.check, error.code, error.message))
            continue
        runnable.append(item)
    if not runnable:
        return out

    expectations = []
    owner_by_key: dict[str, str] = {}
    result_name: dict[str, str] = {}
    counted_by_duckdb = [item for item in runnable if item.duckdb_count is not None]
    runnable = [item for item in runnable if item.duckdb_count is None]
    for item in runnable:
        if item.evaluated_probe is not None:
            expectations.append(item.evaluated_probe)
        key = _expectation_key(item.expectation)
        if key not in owner_by_key:
            owner_by_key[key] = item.check.name
            expectations.append(item.expectation)
        result_name[item.check.name] = owner_by_key[key]
    probe = row_count_expectation()
    probe_key = _expectation_key(probe)
    if probe_key not in owner_by_key:
        expectations.append(probe)
    # The constructor, not add_expectation: the latter compares each expectation with
    # every one before it (quadratic), and the duplicates are already folded above.
    suite = runtime.gx.ExpectationSuite(name=f"floe-{uuid.uuid4().hex}", expectations=expectations)

    batch = table.batch_definition.get_batch(batch_parameters=table.batch_parameters)
    result_format = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": max(request.options.max_failing_samples, 1),
    }
    validation = batch.validate(suite, result_format=result_format)
    elapsed_ms = (time.perf_counter() - started) * 1000.0

    for item in counted_by_duckdb:
        out.append(duckdb_count_result(item, table.duckdb_counts[item.check.name], elapsed_ms))

    by_name: dict[str, dict[str, Any]] = {}
    evaluated_rows: dict[str, int] = {}
    row_count: int | None = None
    for gx_result in (_result_fields(r) for r in validation.results):
        meta = (gx_result.get("expectation_config") or {}).get("meta") or {}
        if meta.get(META_INTERNAL) == "row_count" or (
            probe_key in owner_by_key and meta.get(META_CHECK) == owner_by_key[probe_key]
        ):
            observed = json_value((gx_result.get("result") or {}).get("observed_value"))
            if isinstance(observed, int):
                row_count = observed
        if meta.get(META_INTERNAL) == "evaluated":
            evaluated_rows[str(meta[META_PROBE_OF])] = _evaluated_count(gx_result.get("result") or {})
        if META_CHECK in meta:
            by_name[str(meta[META_CHECK])] = gx_result
    for item in runnable:
        gx_result = by_name.get(result_name[item.check.name])
        if gx_result is not None and exception_message(gx_result.get("exception_info")) is not None:
            log.warning(
                "expectation raised",
                extra={"check": item.check.name, "stack": _tracebacks(gx_result.get("exception_info"))},
            )
        if gx_result is None:
            out.append(error_result(item.check, "FLOE-DQ102", "Great Expectations returned no result for this check"))
            continue
        evaluated = evaluated_rows.get(item.check.name, row_count)
        out.append(check_result(item, gx_result, evaluated, request.options, elapsed_ms))
    return out


def _evaluated_count(probe: dict[str, Any]) -> int:
    """Rows counted by an evaluated probe: non-null rows, or the row count it observed."""
    if "element_count" in probe:
        return int(probe.get("element_count") or 0) - int(probe.get("unexpected_count") or 0)
    return int(json_value(probe.get("observed_value")) or 0)


def _tracebacks(exception_info: Any) -> str:
    """GX keeps a traceback per failed metric; they go to the log, never into results."""
    if not isinstance(exception_info, dict):
        return ""
    if "exception_traceback" in exception_info:
        return str(exception_info.get("exception_traceback") or "")
    return "\n".join(_tracebacks(v) for v in exception_info.values())


def _result_fields(result: Any) -> dict[str, Any]:
    """The fields of a GX ExpectationValidationResult this plugin reads, without
    serializing the whole validation (to_json_dict costs tens of ms per suite)."""
    config = result.expectation_config
    return {
        "success": result.success,
        "result": result.result or {},
        "exception_info": result.exception_info,
        "expectation_config": {"type": config.type, "meta": config.meta or {}},
    }
