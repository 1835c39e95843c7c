"""The "type → Spark plan" table of floe_spark: one entry per floe check type of the
vocabulary (floe_quality_sdk.vocabulary holds the types, parameters and aliases;
this file only says how each type becomes Spark columns).

A compiler returns one of five shapes, which the runner fuses:
- RowCheck: the rows evaluated and, among them, the rows that fail; counted
  with conditional aggregates in the one fused ``agg`` of the suite;
- AggregateCheck: an observed aggregate and a boolean over it, in the same ``agg``;
- GroupedCheck: ``unique`` / ``compound_unique``, all of them answered by one
  grouped pass (grouping sets) over the table;
- AntiJoinCheck: ``relationships``, the evaluated child rows anti-joined with the parent;
- SchemaCheck: a fact about the relation's columns.

The meaning of each type is floe_sql's (plugins/sql/src/compile/checks.ts) and
the vocabulary's null rules: nulls are neither checked nor failed except by
not_null; ``row_condition`` is the SDK's portable filter, translated here to
Spark columns with every value a literal; ``row_condition_sql`` and
``expression_is_true.expression`` are Spark SQL written by the product team in
its own configuration and are used as written.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from floe_quality_sdk import vocabulary
from floe_quality_sdk.duration import parse_iso_duration, subtract_duration
from floe_quality_sdk.names import quote_spark_identifier
from floe_quality_sdk.row_condition import (
    BoolOp,
    Column,
    Compare,
    Condition,
    In,
    IsNull,
    Literal,
    Not,
    RowConditionError,
    condition_columns,
    parse_row_condition,
)

# Above this many values accepted_values / not_accepted_values are refused (as floe_sql).
MAX_VALUE_SET = 10_000
# Failing values are sampled from the first this-many failing rows (as floe_sql).
SAMPLE_SCAN_ROWS = 10_000


class CheckCompileError(Exception):
    """A check the compiler refuses, with its FLOE-DQ code; reported on the check."""

    def __init__(self, message: str, code: str = "FLOE-DQ101") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ResolvedCheck:
    index: int
    name: str
    type: str
    column: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class RowCheck:
    evaluated: Any
    failing: Any
    sample_columns: tuple[str, ...]


@dataclass(frozen=True)
class AggregateCheck:
    counted: Any
    observed: Any
    passes: Any
    # Why a null observation is an error for this type, or None when it cannot be null.
    nothing_observed: str | None
    # The observed value as reported in details (e.g. a timestamp as ISO text).
    render: Callable[[Any], Any]


@dataclass(frozen=True)
class GroupedCheck:
    keys: tuple[str, ...]
    # Rows taking part: the filter and the null rule of the type.
    included: Any


@dataclass(frozen=True)
class AntiJoinCheck:
    column: str
    parent: str
    field: str
    included: Any


@dataclass(frozen=True)
class SchemaCheck:
    required: tuple[str, ...]


Compiled = RowCheck | AggregateCheck | GroupedCheck | AntiJoinCheck | SchemaCheck


def col(name: str) -> Any:
    """A column by its exact name (dots and quotes included), never parsed as a path."""
    from pyspark.sql import functions as F

    return F.col(quote_spark_identifier(name))


def resolve_check(index: int, name: str, type_name: str, column: str, parameters: Mapping[str, Any]) -> ResolvedCheck:
    """The check with its floe type (aliases resolved) and validated, normalized parameters."""
    import jsonschema

    spec = vocabulary.lookup_check_type(type_name)
    if spec is None or spec.type not in COMPILERS:
        raise CheckCompileError(f"floe_spark does not run check type {type_name!r}")
    params = vocabulary.normalize_parameters(parameters)
    validator = jsonschema.Draft202012Validator(spec.parameters)
    problems = sorted(validator.iter_errors(params), key=lambda e: list(e.path))
    if problems:
        where = "/".join(str(p) for p in problems[0].path)
        raise CheckCompileError(f"parameter {where or '(root)'}: {problems[0].message}" if where else problems[0].message)
    if spec.column == "required" and not column:
        raise CheckCompileError(f"check type {spec.type} needs a column")
    if "row_condition" in params:
        try:
            parse_row_condition(params["row_condition"])
        except RowConditionError as error:
            raise CheckCompileError(f"row_condition at character {error.offset}: {error.message}") from None
    if "max_age" in params:
        try:
            parse_iso_duration(params["max_age"])
        except ValueError as error:
            raise CheckCompileError(str(error)) from None
    return ResolvedCheck(index, name, spec.type, column, params)


def referenced_columns(check: ResolvedCheck) -> list[str]:
    """The columns a check names (its column, column parameters, row_condition columns)."""
    spec = vocabulary.lookup_check_type(check.type)
    names: list[str] = [check.column] if check.column else []
    for parameter in spec.column_parameters if spec else ():
        value = check.parameters.get(parameter)
        names.extend(value if isinstance(value, list) else [value] if isinstance(value, str) else [])
    if isinstance(check.parameters.get("row_condition"), str):
        names.extend(condition_columns(parse_row_condition(check.parameters["row_condition"])))
    return list(dict.fromkeys(names))


def _literal(value: Any) -> Any:
    from pyspark.sql import functions as F

    return F.lit(value)


def condition_column(condition: Condition) -> Any:
    """The portable row filter as a Spark boolean column (SQL truth: null is not true)."""

    def operand(o: Column | Literal) -> Any:
        return col(o.name) if isinstance(o, Column) else _literal(o.value)

    def build(c: Condition) -> Any:
        if isinstance(c, BoolOp):
            out = build(c.items[0])
            for item in c.items[1:]:
                out = (out & build(item)) if c.kind == "and" else (out | build(item))
            return out
        if isinstance(c, Not):
            return ~build(c.item)
        if isinstance(c, Compare):
            left, right = operand(c.left), operand(c.right)
            return {
                "=": lambda: left == right,
                "!=": lambda: left != right,
                "<": lambda: left < right,
                "<=": lambda: left <= right,
                ">": lambda: left > right,
                ">=": lambda: left >= right,
            }[c.op]()
        if isinstance(c, In):
            inside = operand(c.operand).isin([_literal(v) for v in c.values])
            return ~inside if c.negated else inside
        assert isinstance(c, IsNull)
        return operand(c.operand).isNotNull() if c.negated else operand(c.operand).isNull()

    return build(condition)


def filter_of(parameters: Mapping[str, Any]) -> Any | None:
    """The rows a check looks at: the portable row_condition, the Spark SQL
    row_condition_sql as written, or None for every row."""
    from pyspark.sql import functions as F

    if isinstance(parameters.get("row_condition"), str):
        return condition_column(parse_row_condition(parameters["row_condition"]))
    if isinstance(parameters.get("row_condition_sql"), str):
        return F.expr(parameters["row_condition_sql"])
    return None


def both(a: Any | None, b: Any | None) -> Any | None:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def count_where(condition: Any | None) -> Any:
    """Rows where `condition` is true (0 on an empty table; null counts as not true)."""
    from pyspark.sql import functions as F

    return F.count(F.lit(1)) if condition is None else F.count(F.when(condition, F.lit(1)))


def aggregate_where(fn: Callable[[Any], Any], expr: Any, condition: Any | None) -> Any:
    from pyspark.sql import functions as F

    return fn(expr) if condition is None else fn(F.when(condition, expr))


def _bounds(expr: Any, parameters: Mapping[str, Any]) -> Any:
    """`expr` within min_value / max_value, each side strict or not on its own."""
    from pyspark.sql import functions as F

    out = None
    if parameters.get("min_value") is not None:
        low = F.lit(parameters["min_value"])
        out = both(out, expr > low if parameters.get("strict_min") is True else expr >= low)
    if parameters.get("max_value") is not None:
        high = F.lit(parameters["max_value"])
        out = both(out, expr < high if parameters.get("strict_max") is True else expr <= high)
    return F.lit(True) if out is None else out


def _value_text(value: Any) -> str:
    """A set value as text when a set mixes kinds (as floe_sql binds them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _in_value_set(check: ResolvedCheck) -> Any | None:
    """The column is in the check's value set; None for the empty set (no value is in it)."""
    values = [v for v in check.parameters["values"] if v is not None]
    if not values:
        return None
    if len(values) > MAX_VALUE_SET:
        raise CheckCompileError(
            f"{len(values)} values exceed the limit of {MAX_VALUE_SET} for {check.type}; "
            "keep the allowed values in a table and use a relationships check instead"
        )
    kinds = {_kind(v) for v in values}
    if len(kinds) > 1:
        return col(check.column).cast("string").isin([_value_text(v) for v in values])
    return col(check.column).isin(values)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def _not_null(check: ResolvedCheck) -> Any:
    return col(check.column).isNotNull()


def _row(evaluated: Any | None, failing: Any, sample: Sequence[str]) -> RowCheck:
    return RowCheck(evaluated, failing, tuple(sample))


NO_VALUES = "the column has no non-null values to aggregate (empty table, or every value is null)"


def _column_aggregate(fn_name: str, numeric: bool, nothing: str) -> Callable[[ResolvedCheck, Any], Compiled]:
    def compile_(check: ResolvedCheck, where: Any | None) -> Compiled:
        from pyspark.sql import functions as F

        column = col(check.column)
        observed = aggregate_where(getattr(F, fn_name), column, where)
        if numeric:
            observed = observed.cast("double")
        return AggregateCheck(
            counted=aggregate_where(F.count, column, where),
            observed=observed,
            passes=_bounds(observed, check.parameters),
            nothing_observed=nothing,
            render=_json_value,
        )

    return compile_


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _accepted_values(check: ResolvedCheck, where: Any | None) -> Compiled:
    from pyspark.sql import functions as F

    inside = _in_value_set(check)
    # An empty set accepts nothing (every non-null value fails).
    return _row(_not_null(check), F.lit(True) if inside is None else ~inside, [check.column])


def _not_accepted_values(check: ResolvedCheck, where: Any | None) -> Compiled:
    from pyspark.sql import functions as F

    inside = _in_value_set(check)
    # An empty set forbids nothing.
    return _row(_not_null(check), F.lit(False) if inside is None else inside, [check.column])


def _pair_greater_than(check: ResolvedCheck, where: Any | None) -> Compiled:
    a, b = check.parameters["column_a"], check.parameters["column_b"]
    greater = col(a) >= col(b) if check.parameters.get("or_equal") is True else col(a) > col(b)
    return _row(col(a).isNotNull() & col(b).isNotNull(), ~greater, [a, b])


def _expression_is_true(check: ResolvedCheck, where: Any | None) -> Compiled:
    from pyspark.sql import functions as F

    # dbt's semantics: a row fails when the expression is false; null is not a failure.
    return _row(None, F.coalesce(~F.expr(check.parameters["expression"]), F.lit(False)), [])


def _row_count_between(check: ResolvedCheck, where: Any | None) -> Compiled:
    observed = count_where(where)
    return AggregateCheck(observed, observed, _bounds(observed, check.parameters), None, _json_value)


def _distinct_count_between(check: ResolvedCheck, where: Any | None) -> Compiled:
    from pyspark.sql import functions as F

    column = col(check.column)
    observed = aggregate_where(F.count_distinct, column, where)
    return AggregateCheck(
        aggregate_where(F.count, column, where), observed, _bounds(observed, check.parameters), None, _json_value
    )


def _recency(check: ResolvedCheck, where: Any | None) -> Compiled:
    from pyspark.sql import functions as F

    column = col(check.column)
    latest = aggregate_where(F.max, column, where).cast("timestamp")
    # The cutoff is computed once on the driver with the SDK's calendar rule (months
    # first, clamped to a shorter month's end), in UTC like the session.
    now = datetime.datetime.now(datetime.UTC)
    cutoff = subtract_duration(now, parse_iso_duration(check.parameters["max_age"]))
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    return AggregateCheck(
        counted=aggregate_where(F.count, column, where),
        observed=latest,
        passes=F.unix_micros(latest) >= F.lit((cutoff - epoch) // datetime.timedelta(microseconds=1)),
        nothing_observed="the column has no non-null timestamps (empty table, or every value is null)",
        render=_json_value,
    )


def _unique(check: ResolvedCheck, where: Any | None) -> Compiled:
    return GroupedCheck((check.column,), both(where, _not_null(check)))


def _compound_unique(check: ResolvedCheck, where: Any | None) -> Compiled:
    names = tuple(check.parameters["columns"])
    all_null = None
    for name in names:
        all_null = both(all_null, col(name).isNull())
    # GX's default ignore_row_if="all_values_are_missing": rows where every column is null are not checked.
    return GroupedCheck(names, both(where, ~all_null))


def _relationships(check: ResolvedCheck, where: Any | None) -> Compiled:
    return AntiJoinCheck(check.column, check.parameters["to"], check.parameters["field"], both(where, _not_null(check)))


def _between(check: ResolvedCheck, where: Any | None) -> Compiled:
    return _row(_not_null(check), ~_bounds(col(check.column), check.parameters), [check.column])


def _regex(check: ResolvedCheck, where: Any | None) -> Compiled:
    # rlike is Java's find (a match anywhere), as DuckDB's regexp_matches and PostgreSQL's ~.
    return _row(_not_null(check), ~col(check.column).rlike(check.parameters["regex"]), [check.column])


def _length_between(check: ResolvedCheck, where: Any | None) -> Compiled:
    from pyspark.sql import functions as F

    return _row(_not_null(check), ~_bounds(F.length(col(check.column)), check.parameters), [check.column])


COMPILERS: Mapping[str, Callable[[ResolvedCheck, Any], Compiled]] = {
    "not_null": lambda check, where: _row(None, col(check.column).isNull(), []),
    "accepted_values": _accepted_values,
    "not_accepted_values": _not_accepted_values,
    "between": _between,
    "regex": _regex,
    "length_between": _length_between,
    "pair_greater_than": _pair_greater_than,
    "expression_is_true": _expression_is_true,
    "row_count_between": _row_count_between,
    "mean_between": _column_aggregate("avg", True, NO_VALUES),
    "min_between": _column_aggregate("min", False, NO_VALUES),
    "max_between": _column_aggregate("max", False, NO_VALUES),
    "sum_between": _column_aggregate("sum", True, NO_VALUES),
    "stdev_between": _column_aggregate(
        "stddev_samp", True, "the sample standard deviation needs at least two non-null values"
    ),
    "distinct_count_between": _distinct_count_between,
    "recency": _recency,
    "unique": _unique,
    "compound_unique": _compound_unique,
    "relationships": _relationships,
    "column_exists": lambda check, where: SchemaCheck((check.column,)),
}

SUPPORTED_CHECK_TYPES: tuple[str, ...] = tuple(COMPILERS)


def compile_check(check: ResolvedCheck) -> Compiled:
    compiler = COMPILERS.get(check.type)
    if compiler is None:
        raise CheckCompileError(f"floe_spark does not run check type {check.type}")
    return compiler(check, filter_of(check.parameters))
