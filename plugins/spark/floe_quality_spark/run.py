"""Running a suite on one relation in as few Spark jobs as possible:

1. schema checks against the DataFrame's columns (no job);
2. every row-level and aggregate check as conditional aggregates of ONE ``agg``
   (one scan), together with the row counts that relationships need;
3. every unique / compound_unique check in ONE grouped pass (grouping sets: one
   scan, one shuffle) and every relationships check as an anti-join counted in
   the same action;
4. one bounded query per failing check for its failing samples.

All of a suite's jobs carry one Spark tag; cancelling the call interrupts the
tag, so the jobs stop on the cluster and the session stays usable.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from floe_quality_sdk import enums, vocabulary

from .checks import (
    SAMPLE_SCAN_ROWS,
    AggregateCheck,
    AntiJoinCheck,
    CheckCompileError,
    Compiled,
    GroupedCheck,
    ResolvedCheck,
    RowCheck,
    SchemaCheck,
    both,
    col,
    compile_check,
    count_where,
    filter_of,
    referenced_columns,
    resolve_check,
)
from .session import RelationError, SparkConnection, relation_frame

# grouping_id() is a 64-bit mask over the grouping columns: at most this many per pass.
MAX_GROUPING_COLUMNS = 62


@dataclass(frozen=True)
class SuiteCheck:
    """A check as the request gives it."""

    name: str
    type: str
    column: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    dimension: int = 0
    severity: int = 0
    custom_weight: float | None = None


@dataclass(frozen=True)
class Outcome:
    status: str  # passed | failed | error | skipped
    records_checked: int = 0
    records_failed: int = 0
    details: dict[str, Any] = field(default_factory=dict)
    error_message: str | None = None
    error_code: str = ""


@dataclass
class SuiteRequest:
    checks: Sequence[SuiteCheck]
    connection: SparkConnection
    relation: str
    max_failing_samples: int = 5
    sensitive_columns: frozenset[str] = frozenset()
    fail_fast: bool = False
    # Registers a callback run when the call is cancelled (deadline, host, shutdown).
    on_cancel: Callable[[Callable[[], None]], None] = lambda _callback: None
    cancelled: Callable[[], bool] = lambda: False


def result_of(check: SuiteCheck, outcome: Outcome, elapsed_ms: float) -> dict[str, Any]:
    """The QualityCheckResult (JSON form) of a check's outcome."""
    dimension = check.dimension
    if not dimension:
        spec = vocabulary.lookup_check_type(check.type)
        dimension = enums.dimension_to_wire(spec.dimension) if spec else 0
    result: dict[str, Any] = {
        "check_name": check.name,
        "check_type": check.type,
        "column": check.column,
        "passed": outcome.status == "passed",
        "dimension": dimension,
        "severity": check.severity,
        "records_checked": outcome.records_checked,
        "records_failed": outcome.records_failed,
        "execution_time_ms": elapsed_ms,
        "status": enums.check_status_to_wire(outcome.status),
        "error_code": outcome.error_code,
        "details": outcome.details,
    }
    if outcome.error_message is not None:
        result["error_message"] = outcome.error_message
    if check.custom_weight is not None:
        result["custom_weight"] = check.custom_weight
    return result


def error(message: str, code: str, checked: int = 0) -> Outcome:
    return Outcome("error", records_checked=checked, error_message=message, error_code=code)


def row_outcome(check: ResolvedCheck, checked: int, failed: int) -> Outcome:
    """GX semantics: pass when (checked − failed) / checked ≥ mostly; nothing checked passes."""
    mostly = check.parameters.get("mostly", 1)
    passed = checked == 0 or (checked - failed) / checked >= mostly
    return Outcome("passed" if passed else "failed", checked, failed)


def spark_message(exc: BaseException) -> str:
    """The first line of Spark's message (no JVM stack trace)."""
    text = getattr(exc, "getMessage", lambda: None)() if hasattr(exc, "getMessage") else None
    text = text or str(exc) or type(exc).__name__
    return text.strip().splitlines()[0][:500]


class _Plan:
    def __init__(self, checks: Sequence[ResolvedCheck], compiled: dict[int, Compiled]) -> None:
        self.checks = {c.index: c for c in checks}
        self.compiled = compiled

    def of(self, kind: type) -> list[ResolvedCheck]:
        return [self.checks[i] for i, c in self.compiled.items() if isinstance(c, kind)]


def fused_aggregates(checks: Sequence[ResolvedCheck], compiled: dict[int, Compiled]) -> list[Any]:
    """The aggregate columns of the fused scan: per row check checked and failed,
    per aggregate check counted, observed and passes, per relationships check checked."""
    items: list[Any] = []
    for check in checks:
        c, k, where = compiled[check.index], f"k{check.index}", filter_of(check.parameters)
        if isinstance(c, RowCheck):
            scope = both(where, c.evaluated)
            items.append(count_where(scope).alias(f"{k}_c"))
            items.append(count_where(both(scope, c.failing)).alias(f"{k}_f"))
        elif isinstance(c, AggregateCheck):
            items += [c.counted.alias(f"{k}_c"), c.observed.alias(f"{k}_o"), c.passes.alias(f"{k}_p")]
        elif isinstance(c, AntiJoinCheck):
            items.append(count_where(c.included).alias(f"{k}_c"))
    return items


def read_fused(check: ResolvedCheck, c: Compiled, row: dict[str, Any]) -> Outcome | None:
    k = f"k{check.index}"
    if isinstance(c, RowCheck):
        return row_outcome(check, int(row[f"{k}_c"]), int(row[f"{k}_f"]))
    if isinstance(c, AggregateCheck):
        counted, observed, passes = int(row[f"{k}_c"] or 0), row[f"{k}_o"], row[f"{k}_p"]
        if observed is None or passes is None:
            return error(c.nothing_observed or "Spark returned no observed value", "FLOE-DQ102", counted)
        return Outcome(
            "passed" if passes else "failed", counted, 0, details={"observed_value": c.render(observed)}
        )
    return None


def set_counts_frame(df: Any, relation: str, spark: Any, connection: SparkConnection, checks: Sequence[ResolvedCheck],
                     compiled: dict[int, Compiled]) -> Any | None:
    """One DataFrame of rows (i, checked, failed): every grouped check from grouping
    sets over the relation, every relationships check from an anti-join count."""
    from pyspark.sql import functions as F

    parts: list[Any] = []
    grouped = [c for c in checks if isinstance(compiled[c.index], GroupedCheck)]
    batch: list[ResolvedCheck] = []
    width = 0
    batches: list[list[ResolvedCheck]] = []
    for check in grouped:
        size = 1 + len(compiled[check.index].keys)  # type: ignore[union-attr]
        if batch and width + size > MAX_GROUPING_COLUMNS:
            batches.append(batch)
            batch, width = [], 0
        batch.append(check)
        width += size
    if batch:
        batches.append(batch)
    for batch in batches:
        parts.append(_grouped_counts(df, batch, compiled))
    for check in checks:
        c = compiled[check.index]
        if isinstance(c, AntiJoinCheck):
            child = df.where(c.included).select(col(c.column).alias("v"))
            parent = _parent_frame(df, relation, spark, connection, c.parent).select(col(c.field).alias("p")).distinct()
            orphans = child.join(parent, child["v"] == parent["p"], "left_anti")
            parts.append(
                orphans.agg(F.count(F.lit(1)).alias("failed")).select(
                    F.lit(check.index).alias("i"), F.lit(-1).cast("long").alias("checked"), F.col("failed")
                )
            )
    if not parts:
        return None
    out = parts[0]
    for part in parts[1:]:
        out = out.unionByName(part)
    return out


def _parent_frame(df: Any, relation: str, spark: Any, connection: SparkConnection, parent: str) -> Any:
    """The parent relation of relationships: the checked DataFrame itself when it
    names the same relation (its files are listed once)."""
    return df if parent == relation else relation_frame(spark, connection, parent)


def _grouped_counts(df: Any, batch: Sequence[ResolvedCheck], compiled: dict[int, Compiled]) -> Any:
    """unique / compound_unique of `batch` in one grouped pass: a grouping set per
    check over (included, keys...), so the table is scanned and shuffled once."""
    from pyspark.sql import functions as F

    selected: list[Any] = []
    sets: list[list[str]] = []
    for check in batch:
        c = compiled[check.index]
        assert isinstance(c, GroupedCheck)
        inc = f"g{check.index}_in"
        keys = [f"g{check.index}_k{j}" for j in range(len(c.keys))]
        selected.append(F.coalesce(c.included, F.lit(False)).alias(inc))
        selected += [col(name).alias(alias) for name, alias in zip(c.keys, keys, strict=True)]
        sets.append([inc, *keys])
    every = [name for s in sets for name in s]
    gid_of = {}
    for check, s in zip(batch, sets, strict=True):
        gid_of[check.index] = sum(1 << (len(every) - 1 - j) for j, name in enumerate(every) if name not in s)
    groups = (
        df.select(*selected)
        .groupingSets([[F.col(n) for n in s] for s in sets], *[F.col(n) for n in every])
        .agg(F.count(F.lit(1)).alias("n"), F.grouping_id().alias("gid"))
    )
    taking_part = None
    index_of = None
    for check, s in zip(batch, sets, strict=True):
        mine = F.col("gid") == F.lit(gid_of[check.index])
        taking_part = mine & F.col(s[0]) if taking_part is None else taking_part | (mine & F.col(s[0]))
        index_of = (F.when(mine, F.lit(check.index)) if index_of is None
                    else index_of.when(mine, F.lit(check.index)))
    assert taking_part is not None and index_of is not None
    return (
        groups.where(taking_part)
        .groupBy(index_of.alias("i"))
        .agg(
            F.sum("n").cast("long").alias("checked"),
            F.coalesce(F.sum(F.when(F.col("n") > 1, F.col("n"))), F.lit(0)).cast("long").alias("failed"),
        )
    )


def sample_frame(df: Any, relation: str, spark: Any, connection: SparkConnection, check: ResolvedCheck, c: Compiled,
                 limit: int, sensitive: frozenset[str]) -> tuple[Any, tuple[str, ...]] | None:
    """The bounded query of a failing check's distinct failing values, or None when it has none to show."""
    from pyspark.sql import functions as F

    if limit <= 0:
        return None
    if isinstance(c, RowCheck):
        columns = c.sample_columns
        rows = df.where(both(both(filter_of(check.parameters), c.evaluated), c.failing))
    elif isinstance(c, GroupedCheck):
        columns = c.keys
        rows = (
            df.where(c.included)
            .groupBy(*[col(k) for k in columns])
            .count()
            .where(F.col("count") > 1)
        )
    elif isinstance(c, AntiJoinCheck):
        columns = (c.column,)
        parent = _parent_frame(df, relation, spark, connection, c.parent).select(col(c.field).alias("__p")).distinct()
        child = df.where(c.included)
        rows = child.join(parent, col(c.column) == parent["__p"], "left_anti")
    else:
        return None
    if not columns or any(name in sensitive for name in columns):
        return None
    texts = [col(name).cast("string").alias(f"v{i}") for i, name in enumerate(columns)]
    names = [f"v{i}" for i in range(len(columns))]
    frame = rows.select(*texts).limit(SAMPLE_SCAN_ROWS).distinct().orderBy(*names).limit(limit)
    return frame, columns


def read_samples(rows: Sequence[Any], columns: Sequence[str]) -> list[Any]:
    if len(columns) == 1:
        return [r["v0"] for r in rows]
    return [{name: r[f"v{i}"] for i, name in enumerate(columns)} for r in rows]


class FailFast(Exception):
    pass


def run_suite(spark: Any, request: SuiteRequest) -> Iterator[dict[str, Any]]:
    """Yields one result per check of the suite as its phase finishes."""
    tag = f"floe-{uuid.uuid4().hex}"
    pending: dict[int, SuiteCheck] = dict(enumerate(request.checks))
    resolved: list[ResolvedCheck] = []
    compiled: dict[int, Compiled] = {}
    started = time.perf_counter()
    stopped: list[str] = []

    def finish(index: int, outcome: Outcome, since: float) -> dict[str, Any]:
        check = pending.pop(index)
        if request.fail_fast and outcome.status in ("failed", "error") and not stopped:
            stopped.append(f"not run: fail_fast stopped the suite after check {check.name} did not pass")
            _interrupt(spark, tag)
        return result_of(check, outcome, (time.perf_counter() - since) * 1000)

    def done() -> bool:
        return bool(stopped) or request.cancelled()

    for index, check in enumerate(request.checks):
        if not check.enabled:
            yield finish(index, Outcome("skipped", error_message="the check is disabled"), started)
            continue
        try:
            r = resolve_check(index, check.name, check.type, check.column, check.parameters)
            compiled[index] = compile_check(r)
            resolved.append(r)
        except CheckCompileError as problem:
            yield finish(index, error(problem.message, problem.code), started)
        if done():
            break

    request.on_cancel(lambda: _interrupt(spark, tag))
    _tag(spark, tag)
    try:
        yield from _run_phases(spark, request, resolved, compiled, pending, finish, done)
    finally:
        _untag(spark, tag)
    if stopped:
        for index in list(pending):
            yield finish(index, Outcome("skipped", error_message=stopped[0]), started)


def is_connect(spark: Any) -> bool:
    """A Spark Connect session (its jobs run on the server; no SparkContext here)."""
    return type(spark).__module__.startswith("pyspark.sql.connect")


def _tag(spark: Any, tag: str) -> None:
    """Tags every job this thread starts from now on. A local session tags the
    SparkContext's jobs (interrupting their tasks on cancel); Spark Connect tags
    the session's operations on the server."""
    if is_connect(spark):
        spark.addTag(tag)
    else:
        spark.sparkContext.addJobTag(tag)
        spark.sparkContext.setInterruptOnCancel(True)


def _untag(spark: Any, tag: str) -> None:
    if is_connect(spark):
        spark.removeTag(tag)
    else:
        spark.sparkContext.removeJobTag(tag)


def _interrupt(spark: Any, tag: str) -> None:
    try:
        if is_connect(spark):
            spark.interruptTag(tag)
        else:
            spark.sparkContext.cancelJobsWithTag(tag)
    except Exception:  # noqa: BLE001 - the session may already be gone
        pass


def _run_phases(spark: Any, request: SuiteRequest, resolved: list[ResolvedCheck], compiled: dict[int, Compiled],
                pending: dict[int, SuiteCheck], finish: Callable[[int, Outcome, float], dict[str, Any]],
                done: Callable[[], bool]) -> Iterator[dict[str, Any]]:
    started = time.perf_counter()
    live = [c for c in resolved if c.index in pending]
    if not live or done():
        return
    try:
        df = relation_frame(spark, request.connection, request.relation)
        columns = set(df.columns)
    except RelationError as problem:
        for check in live:
            yield finish(check.index, error(str(problem), "FLOE-DQ100"), started)
        return
    except Exception as problem:  # noqa: BLE001 - Spark's analysis errors are the user's to read
        if done():
            return
        message = f"relation {request.relation} cannot be read: {spark_message(problem)}"
        for check in live:
            yield finish(check.index, error(message, "FLOE-DQ102"), started)
        return

    runnable: list[ResolvedCheck] = []
    for check in live:
        c = compiled[check.index]
        if isinstance(c, SchemaCheck):
            exists = all(name in columns for name in c.required)
            outcome = Outcome("passed" if exists else "failed", 1, 0 if exists else 1,
                              details={"observed_value": exists})
            yield finish(check.index, outcome, started)
        else:
            missing = [name for name in referenced_columns(check) if name not in columns]
            if missing:
                yield finish(
                    check.index,
                    error(f"column {missing[0]!r} does not exist in relation {request.relation}", "FLOE-DQ105"),
                    started,
                )
            else:
                runnable.append(check)
        if done():
            return

    fused = [c for c in runnable if isinstance(compiled[c.index], (RowCheck, AggregateCheck, AntiJoinCheck))]
    outcomes: dict[int, Outcome] = {}
    checked_of: dict[int, int] = {}
    if fused:
        phase = time.perf_counter()
        rows = yield from _collect_isolating(spark, df, fused, compiled, finish, done, phase)
        if rows is None:
            return
        for check in fused:
            row = rows.get(check.index)
            if row is None:
                continue
            c = compiled[check.index]
            if isinstance(c, AntiJoinCheck):
                checked_of[check.index] = int(row[f"k{check.index}_c"])
                continue
            outcome = read_fused(check, c, row)
            assert outcome is not None
            outcomes[check.index] = outcome
        yield from _report(spark, request, df, outcomes, compiled, {c.index: c for c in fused}, finish, done, phase)
        if done():
            return

    sets = [c for c in runnable if isinstance(compiled[c.index], (GroupedCheck, AntiJoinCheck))
            and c.index in pending and (not isinstance(compiled[c.index], AntiJoinCheck) or c.index in checked_of)]
    if sets:
        phase = time.perf_counter()
        outcomes = {}
        try:
            frame = set_counts_frame(df, request.relation, spark, request.connection, sets, compiled)
            counted = {int(r["i"]): (int(r["checked"]), int(r["failed"])) for r in frame.collect()} if frame else {}
        except Exception as problem:  # noqa: BLE001
            if done():
                return
            message = spark_message(problem)
            for check in sets:
                yield finish(check.index, error(f"Spark could not run the check: {message}", "FLOE-DQ102"), phase)
            return
        for check in sets:
            checked, failed = counted.get(check.index, (0, 0))
            if checked < 0:
                checked = checked_of[check.index]
            outcomes[check.index] = row_outcome(check, checked, failed)
        yield from _report(spark, request, df, outcomes, compiled, {c.index: c for c in sets}, finish, done, phase)


def _collect_isolating(spark: Any, df: Any, fused: list[ResolvedCheck], compiled: dict[int, Compiled],
                       finish: Callable[[int, Outcome, float], dict[str, Any]], done: Callable[[], bool],
                       phase: float) -> Iterator[dict[str, Any]]:
    """The fused scan's row; when Spark refuses it (a bad expression), each check
    alone, so that only the culprit reports the error. None when cancelled."""
    try:
        row = df.agg(*fused_aggregates(fused, compiled)).collect()[0].asDict()
        return {c.index: row for c in fused}
    except Exception:  # noqa: BLE001
        if done():
            return None
    rows: dict[int, dict[str, Any]] = {}
    for check in fused:
        try:
            rows[check.index] = df.agg(*fused_aggregates([check], compiled)).collect()[0].asDict()
        except Exception as problem:  # noqa: BLE001
            if done():
                return None
            yield finish(check.index, error(f"Spark could not run the check: {spark_message(problem)}",
                                            "FLOE-DQ102"), phase)
            if done():
                return None
    return rows


def _report(spark: Any, request: SuiteRequest, df: Any, outcomes: dict[int, Outcome],
            compiled: dict[int, Compiled], checks: dict[int, ResolvedCheck],
            finish: Callable[[int, Outcome, float], dict[str, Any]], done: Callable[[], bool],
            phase: float) -> Iterator[dict[str, Any]]:
    for index, outcome in outcomes.items():
        if outcome.status == "failed" and outcome.records_failed > 0:
            sample = sample_frame(df, request.relation, spark, request.connection, checks[index], compiled[index],
                                  request.max_failing_samples, request.sensitive_columns)
            if sample is not None:
                try:
                    frame, columns = sample
                    values = read_samples(frame.collect(), columns)
                    outcome = Outcome(outcome.status, outcome.records_checked, outcome.records_failed,
                                      {**outcome.details, "failing_samples": values})
                except Exception:  # noqa: BLE001 - a sample is extra: the counts stand without it
                    if done():
                        return
        yield finish(index, outcome, phase)
        if done():
            return
