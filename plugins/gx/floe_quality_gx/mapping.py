"""floe checks → Great Expectations expectations.

The floe vocabulary lives in ``sdk/src/checks.ts``; this module holds only what the
great_expectations provider adds to it: which GX expectation runs each floe type and
how floe parameter names become GX kwargs. ``tests/test_vocabulary_parity.py`` keeps
the two tables in step. Every expectation is built through GX's own pydantic models,
so a bad kwarg is rejected with GX's message before anything runs.
"""

from __future__ import annotations

import datetime
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import Check, CheckError, Dimension, Severity

# Keys this plugin writes into an expectation's `meta`.
META_CHECK = "floe_check"
META_DIMENSION = "floe_dimension"
META_TYPE = "floe_type"
META_INTERNAL = "floe_internal"
META_PROBE_OF = "floe_probe_of"


@dataclass(frozen=True)
class CheckKind:
    """How the great_expectations provider runs one floe check type."""

    type: str
    dimension: Dimension
    # GX expectation type (snake case); None for checks run as SQL through
    # UnexpectedRowsExpectation.
    gx: str | None
    # `row`, `aggregate`, `set` or `schema`, as in the floe vocabulary.
    level: str
    aliases: tuple[str, ...] = ()


def _kind(type_: str, dimension: Dimension, gx: str | None, level: str, *aliases: str) -> CheckKind:
    return CheckKind(type_, dimension, gx, level, aliases)


CHECK_KINDS: tuple[CheckKind, ...] = (
    _kind("not_null", Dimension.COMPLETENESS, "expect_column_values_to_not_be_null", "row"),
    _kind("unique", Dimension.CONSISTENCY, "expect_column_values_to_be_unique", "set"),
    _kind("accepted_values", Dimension.VALIDITY, "expect_column_values_to_be_in_set", "row"),
    _kind("not_accepted_values", Dimension.VALIDITY, "expect_column_values_to_not_be_in_set", "row"),
    _kind("between", Dimension.ACCURACY, "expect_column_values_to_be_between", "row"),
    _kind("regex", Dimension.VALIDITY, "expect_column_values_to_match_regex", "row"),
    _kind("length_between", Dimension.VALIDITY, "expect_column_value_lengths_to_be_between", "row"),
    _kind("row_count_between", Dimension.COMPLETENESS, "expect_table_row_count_to_be_between", "aggregate"),
    _kind("column_exists", Dimension.COMPLETENESS, "expect_column_to_exist", "schema"),
    _kind("compound_unique", Dimension.CONSISTENCY, "expect_compound_columns_to_be_unique", "set"),
    _kind(
        "pair_greater_than",
        Dimension.CONSISTENCY,
        "expect_column_pair_values_a_to_be_greater_than_b",
        "row",
        "expect_column_pair_values_A_to_be_greater_than_B",
    ),
    _kind("relationships", Dimension.CONSISTENCY, None, "set"),
    _kind("mean_between", Dimension.ACCURACY, "expect_column_mean_to_be_between", "aggregate"),
    _kind("min_between", Dimension.ACCURACY, "expect_column_min_to_be_between", "aggregate"),
    _kind("max_between", Dimension.ACCURACY, "expect_column_max_to_be_between", "aggregate"),
    _kind("sum_between", Dimension.ACCURACY, "expect_column_sum_to_be_between", "aggregate"),
    _kind("stdev_between", Dimension.ACCURACY, "expect_column_stdev_to_be_between", "aggregate"),
    _kind(
        "distinct_count_between",
        Dimension.ACCURACY,
        "expect_column_unique_value_count_to_be_between",
        "aggregate",
    ),
    _kind("recency", Dimension.TIMELINESS, None, "aggregate", "expect_row_values_to_have_recent_data"),
    _kind("expression_is_true", Dimension.VALIDITY, None, "row"),
)

_BY_NAME: dict[str, CheckKind] = {}
for _k in CHECK_KINDS:
    _BY_NAME[_k.type] = _k
    for _alias in _k.aliases:
        _BY_NAME[_alias.lower()] = _k
    if _k.gx:
        _BY_NAME[_k.gx] = _k

# floe parameter names that GX spells differently; GX spellings pass through as they are.
_GX_KWARG_NAMES: Mapping[str, str] = {
    "values": "value_set",
    "columns": "column_list",
    "column_a": "column_A",
    "column_b": "column_B",
    "where": "row_condition",
}

_ROW_CONDITION_HINT = (
    'row_condition uses Great Expectations\' condition syntax, e.g. col("status") == "active", '
    'col("amount") > 0 or col("email").notnull()'
)


def snake_case(name: str) -> str:
    """``ExpectColumnValuesToNotBeNull`` → ``expect_column_values_to_not_be_null``."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"([A-Z])([A-Z][a-z])", r"\1_\2", name)
    return name.lower()


def find_check_kind(type_name: str) -> CheckKind | None:
    """The floe check kind of a floe type name or of one of its GX / dbt aliases."""
    return _BY_NAME.get(type_name) or _BY_NAME.get(snake_case(type_name))


@dataclass(frozen=True)
class Backend:
    """What the mapping needs to know about where the data lives."""

    # "sql" (GX SQL data source, queries in the database) or "pandas".
    engine: str
    # SQLAlchemy dialect name for SQL backends: "postgresql", "sqlite".
    dialect: str = ""
    # Quotes one identifier for the dialect.
    quote: Callable[[str], str] = field(default=lambda name: '"' + name.replace('"', '""') + '"')


@dataclass(frozen=True)
class DuckdbCount:
    """A SQL-shaped check run by DuckDB itself (GX cannot run SQL on a dataframe):
    ``SELECT count(*) FILTER (WHERE failed), count(*) FROM <table> WHERE evaluated``.

    Identifiers in both predicates are quoted; the row condition's values are bound
    (``parameters``, in the order of their ``?``). ``mostly`` as in the floe vocabulary.
    """

    failed: str
    evaluated: str
    parameters: tuple[Any, ...] = ()
    mostly: float | None = None


@dataclass
class MappedCheck:
    """A floe check and the GX expectation that runs it."""

    check: Check
    kind: CheckKind | None
    # None when DuckDB runs the check (duckdb_count).
    expectation: Any
    # Columns the expectation reads, checked for existence before the run.
    columns: tuple[str, ...]
    duckdb_count: DuckdbCount | None = None
    # The rows a SQL-run check evaluates, counted by GX in the same validation: the
    # checked column's non-null rows (relationships) or the rows under the row
    # condition (expression_is_true), through an expectation whose meta names the check.
    evaluated_probe: Any = None
    # floe's mostly for checks GX runs as SQL, where UnexpectedRowsExpectation has none.
    mostly: float | None = None

    @property
    def level(self) -> str:
        return self.kind.level if self.kind else "row"


def gx_kwargs(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """floe parameter names → GX kwarg names (``strictly`` → ``strict_min`` + ``strict_max``)."""
    out: dict[str, Any] = {}
    for key, value in parameters.items():
        if key == "strictly":
            out["strict_min"] = bool(value)
            out["strict_max"] = bool(value)
            continue
        out[_GX_KWARG_NAMES.get(key, key)] = value
    return out


def gx_severity(severity: Severity) -> str | None:
    """floe severity → GX ``severity``; unspecified leaves GX's default (critical)."""
    return {
        Severity.CRITICAL: "critical",
        Severity.WARNING: "warning",
        Severity.INFO: "info",
    }.get(severity)


_DURATION = re.compile(
    r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def duration_seconds(iso: str) -> int:
    """ISO-8601 duration → whole seconds (a year is 365 days, a month 30)."""
    match = _DURATION.match(iso)
    if not match:
        raise CheckError("FLOE-DQ101", f"max_age {iso!r} is not an ISO-8601 duration such as P1D or PT6H")
    years, months, weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = (
        years * 365 * 86400
        + months * 30 * 86400
        + weeks * 7 * 86400
        + days * 86400
        + hours * 3600
        + minutes * 60
        + seconds
    )
    return int(total)


def _split_relation(relation: str, quote: Callable[[str], str]) -> str:
    return ".".join(quote(part) for part in relation.split("."))


def _sql_for_kind(
    kind: CheckKind, check: Check, params: Mapping[str, Any], backend: Backend, condition: str | None
) -> str:
    """The unexpected-rows query for checks GX has no expectation for.

    Every name is quoted for the dialect; the only literals are numbers computed
    here and the row condition's values, rendered by SQLAlchemy. `{batch}` is GX's
    placeholder for the checked table; braces in user SQL and in names are escaped
    because GX formats the query.
    """
    def q(name: str) -> str:
        return _escape_braces(backend.quote(name))

    where = f"({_escape_braces(condition)}) AND " if condition else ""
    if kind.type == "relationships":
        column = q(_required_column(check))
        parent = _split_relation(str(params["to"]), q)
        parent_field = q(str(params["field"]))
        return (
            f"SELECT * FROM {{batch}} WHERE {where}{column} IS NOT NULL AND {column} NOT IN "
            f"(SELECT {parent_field} FROM {parent} WHERE {parent_field} IS NOT NULL)"
        )
    if kind.type == "recency":
        column = q(_required_column(check))
        seconds = duration_seconds(str(params["max_age"]))
        if backend.dialect == "sqlite":
            cutoff = f"datetime('now', '-{seconds} seconds')"
        else:
            cutoff = f"CURRENT_TIMESTAMP - INTERVAL '{seconds} seconds'"
        filtered = f" WHERE {where[: -len(' AND ')]}" if condition else ""
        return (
            f"SELECT MAX({column}) AS latest FROM {{batch}}{filtered} "
            f"HAVING MAX({column}) IS NULL OR MAX({column}) < {cutoff}"
        )
    expression = _escape_braces(str(params["expression"]))
    return f"SELECT * FROM {{batch}} WHERE {where}NOT ({expression})"


def _escape_braces(sql: str) -> str:
    return sql.replace("{", "{{").replace("}", "}}")


def sql_condition(condition: str, dialect: str) -> str:
    """A GX-syntax row condition as a SQL predicate for the dialect (UnexpectedRowsExpectation
    takes no row_condition, so the SQL-run checks filter in their own query)."""
    from great_expectations.expectations.legacy_row_conditions import (
        ConditionParserError,
        parse_condition_to_sqlalchemy,
    )
    from sqlalchemy.dialects import postgresql, sqlite

    try:
        expression = parse_condition_to_sqlalchemy(condition)
    except ConditionParserError as error:
        raise CheckError("FLOE-DQ101", f"{error}. {_ROW_CONDITION_HINT}") from None
    sa_dialect = sqlite.dialect() if dialect == "sqlite" else postgresql.dialect()
    return str(expression.compile(dialect=sa_dialect, compile_kwargs={"literal_binds": True}))


def bound_sql_condition(condition: str) -> tuple[str, tuple[Any, ...]]:
    """A GX-syntax row condition as a SQL predicate with ``?`` placeholders and its values."""
    from great_expectations.expectations.legacy_row_conditions import (
        ConditionParserError,
        parse_condition_to_sqlalchemy,
    )
    from sqlalchemy.dialects import sqlite

    try:
        expression = parse_condition_to_sqlalchemy(condition)
    except ConditionParserError as error:
        raise CheckError("FLOE-DQ101", f"{error}. {_ROW_CONDITION_HINT}") from None
    compiled = expression.compile(dialect=sqlite.dialect(paramstyle="qmark"))
    return str(compiled), tuple(compiled.params[name] for name in compiled.positiontup or ())


def _duckdb_count(
    kind: CheckKind, check: Check, params: Mapping[str, Any], backend: Backend, row_condition: Any
) -> DuckdbCount:
    q = backend.quote
    condition, values = bound_sql_condition(str(row_condition)) if row_condition is not None else ("TRUE", ())
    if kind.type == "relationships":
        column = q(_required_column(check))
        parent = _split_relation(str(params["to"]), q)
        parent_field = q(str(params["field"]))
        return DuckdbCount(
            failed=f"{column} NOT IN (SELECT {parent_field} FROM {parent} WHERE {parent_field} IS NOT NULL)",
            evaluated=f"({condition}) AND {column} IS NOT NULL",
            parameters=values,
        )
    mostly = params.get("mostly")
    return DuckdbCount(
        failed=f"NOT ({params['expression']})",
        evaluated=condition,
        parameters=values,
        mostly=float(mostly) if mostly is not None else None,
    )


def _required_column(check: Check) -> str:
    if not check.column:
        raise CheckError("FLOE-DQ101", f"check type {check.type} needs a column")
    return check.column


def _sql_kind_parameters(kind: CheckKind) -> tuple[set[str], set[str]]:
    """(required, optional) parameters of the SQL-run kinds."""
    if kind.type == "relationships":
        return {"to", "field"}, {"row_condition"}
    if kind.type == "recency":
        return {"max_age"}, {"row_condition"}
    return {"expression"}, {"row_condition", "mostly"}


def _expectation_class(type_name: str) -> Any:
    from great_expectations.exceptions import ExpectationNotFoundError
    from great_expectations.expectations.registry import get_expectation_impl

    try:
        return get_expectation_impl(type_name)
    except ExpectationNotFoundError:
        return None


def _pydantic_message(error: Exception) -> str:
    errors = getattr(error, "errors", None)
    if not callable(errors):
        return str(error)
    parts = []
    for item in errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "__root__")
        parts.append(f"{where}: {item.get('msg')}" if where else str(item.get("msg")))
    return "; ".join(dict.fromkeys(parts))


def _meta(check: Check, kind: CheckKind | None, extra: Mapping[str, Any] | None) -> dict[str, Any]:
    meta = dict(extra or {})
    meta[META_CHECK] = check.name
    meta[META_DIMENSION] = check.dimension.label
    meta[META_TYPE] = kind.type if kind else check.type
    return meta


def map_check(check: Check, backend: Backend) -> MappedCheck:
    """The GX expectation for one floe check; CheckError (FLOE-DQ101) when GX rejects it.

    A floe type (or one of its aliases) uses the vocabulary; any other name is taken
    as a GX expectation type (``expect_column_values_to_be_of_type``) whose kwargs are
    the check's parameters.
    """
    import great_expectations.expectations as gxe

    kind = find_check_kind(check.type)
    params = dict(check.parameters)
    row_condition = params.pop("row_condition", None)
    where = params.pop("where", None)  # the dbt spelling
    row_condition = row_condition if row_condition is not None else where
    explicit_parser = params.pop("condition_parser", None)
    dimension = check.dimension or (kind.dimension if kind else Dimension.VALIDITY)
    check = check.with_dimension(dimension)

    common: dict[str, Any] = {"meta": _meta(check, kind, params.pop("meta", None))}
    severity = gx_severity(check.severity)
    if severity:
        common["severity"] = severity
    sql_run = kind is not None and kind.gx is None
    if isinstance(row_condition, Mapping) and not sql_run:
        # GX 1.9+ suite files store conditions as serialized Condition objects.
        common["row_condition"] = dict(row_condition)
    elif row_condition is not None and not sql_run:
        common.update(_row_condition_kwargs(str(row_condition), explicit_parser, backend))

    if kind is not None and kind.type == "recency" and backend.engine == "pandas":
        return _pandas_recency(check, kind, params, row_condition, explicit_parser, backend, common)

    if kind is not None and sql_run:
        if backend.engine != "sql" and backend.dialect != "duckdb":
            raise CheckError(
                "FLOE-DQ101",
                f"check type {kind.type} runs as SQL and is not available on {backend.dialect or backend.engine} "
                "through the great_expectations provider; run it with the floe_sql provider",
            )
        required, optional = _sql_kind_parameters(kind)
        missing = sorted(required - params.keys())
        unknown = sorted(params.keys() - required - optional)
        if missing or unknown:
            problems = [f"missing parameter {m}" for m in missing] + [f"unknown parameter {u}" for u in unknown]
            raise CheckError("FLOE-DQ101", f"{kind.type}: " + "; ".join(problems))
        columns = (check.column,) if check.column else ()
        if backend.engine != "sql":
            return MappedCheck(
                check, kind, None, columns, duckdb_count=_duckdb_count(kind, check, params, backend, row_condition)
            )
        mostly = params.pop("mostly", None)
        condition = sql_condition(str(row_condition), backend.dialect) if row_condition is not None else None
        query = _sql_for_kind(kind, check, params, backend, condition)
        expectation = _build(gxe.UnexpectedRowsExpectation, {"unexpected_rows_query": query, **common}, kind.type)
        probe = _evaluated_probe(kind, check, row_condition, explicit_parser, backend)
        return MappedCheck(
            check,
            kind,
            expectation,
            columns,
            evaluated_probe=probe,
            mostly=float(mostly) if mostly is not None else None,
        )

    type_name = kind.gx if kind else snake_case(check.type)
    cls = _expectation_class(type_name)
    if cls is None:
        raise CheckError(
            "FLOE-DQ101",
            f"unknown check type {check.type!r}: neither a floe check type nor a Great Expectations "
            "expectation type (e.g. not_null, between, expect_column_values_to_be_of_type)",
        )
    kwargs = gx_kwargs(params)
    if check.column and "column" in cls.__fields__ and "column" not in kwargs:
        kwargs["column"] = check.column
    kwargs.update(common)
    expectation = _build(cls, kwargs, type_name)
    # column_exists reports a missing column as a failure, not as an unknown column.
    columns = () if type_name == "expect_column_to_exist" else _expectation_columns(kwargs)
    return MappedCheck(check, kind, expectation, columns)


def _evaluated_probe(
    kind: CheckKind, check: Check, row_condition: Any, explicit_parser: Any, backend: Backend
) -> Any:
    """The expectation that counts the rows a SQL-run check evaluates; None where that is
    the table's row count (recency, expression_is_true without a row condition)."""
    import great_expectations.expectations as gxe

    kwargs: dict[str, Any] = {"meta": {META_INTERNAL: "evaluated", META_PROBE_OF: check.name}}
    if row_condition is not None:
        kwargs.update(_row_condition_kwargs(str(row_condition), explicit_parser, backend))
    if kind.type == "relationships":
        return _build(gxe.ExpectColumnValuesToNotBeNull, {"column": check.column, **kwargs}, kind.type)
    if kind.type == "expression_is_true" and row_condition is not None:
        return _build(gxe.ExpectTableRowCountToBeBetween, {"min_value": 0, **kwargs}, kind.type)
    return None


def _pandas_recency(
    check: Check,
    kind: CheckKind,
    params: Mapping[str, Any],
    row_condition: Any,
    explicit_parser: Any,
    backend: Backend,
    common: Mapping[str, Any],
) -> MappedCheck:
    """recency on a dataframe, where no SQL runs: the column's latest value must be at or
    after now − max_age (GX's max expectation; an empty table fails, as in SQL)."""
    import great_expectations.expectations as gxe

    unknown = sorted(params.keys() - {"max_age"})
    if "max_age" not in params or unknown:
        problems = (["missing parameter max_age"] if "max_age" not in params else []) + [
            f"unknown parameter {u}" for u in unknown
        ]
        raise CheckError("FLOE-DQ101", "recency: " + "; ".join(problems))
    column = _required_column(check)
    # DuckDB TIMESTAMP columns arrive as naive UTC datetimes.
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    cutoff = now - datetime.timedelta(seconds=duration_seconds(str(params["max_age"])))
    kwargs: dict[str, Any] = {"column": column, "min_value": cutoff, **common}
    if row_condition is not None:
        kwargs.update(_row_condition_kwargs(str(row_condition), explicit_parser, backend))
    expectation = _build(gxe.ExpectColumnMaxToBeBetween, kwargs, kind.type)
    return MappedCheck(check, kind, expectation, (column,))


def _row_condition_kwargs(condition: str, explicit_parser: Any, backend: Backend) -> dict[str, Any]:
    """GX turns a ``great_expectations``-syntax string into its Condition objects, which
    both the SQL and the pandas engines apply; ``pandas`` syntax passes through on pandas."""
    if explicit_parser == "pandas" and backend.engine == "pandas":
        return {"row_condition": condition, "condition_parser": "pandas"}
    if explicit_parser not in (None, "great_expectations"):
        raise CheckError(
            "FLOE-DQ101",
            f"condition_parser {explicit_parser!r} is not available on {backend.dialect or backend.engine}; "
            + _ROW_CONDITION_HINT,
        )
    return {"row_condition": condition, "condition_parser": "great_expectations"}


def _build(cls: Any, kwargs: dict[str, Any], type_name: str) -> Any:
    with warnings.catch_warnings():
        # GX 1.9+ deprecates string row conditions; the floe vocabulary keeps them.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return cls(**kwargs)
        except Exception as error:  # pydantic ValidationError, GX ConditionParserError
            message = f"{type_name}: {_pydantic_message(error)}"
            if "row_condition" in kwargs and "condition" in message:
                message += f". {_ROW_CONDITION_HINT}"
            raise CheckError("FLOE-DQ101", message) from None


def _expectation_columns(kwargs: Mapping[str, Any]) -> tuple[str, ...]:
    columns: list[str] = []
    for key in ("column", "column_A", "column_B"):
        value = kwargs.get(key)
        if isinstance(value, str):
            columns.append(value)
    for key in ("column_list",):
        value = kwargs.get(key)
        if isinstance(value, list):
            columns.extend(str(v) for v in value)
    return tuple(columns)


def row_count_expectation() -> Any:
    """The suite's row-count probe: GX computes ``table.row_count`` for row-level checks
    anyway, so this costs nothing and gives aggregate checks their records_checked."""
    import great_expectations.expectations as gxe

    return gxe.ExpectTableRowCountToBeBetween(min_value=0, meta={META_INTERNAL: "row_count"})
