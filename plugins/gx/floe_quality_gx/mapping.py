"""floe checks → Great Expectations expectations.

The floe vocabulary lives in ``sdk/src/checks.ts``; its JSON export (loaded through
``floe_quality_sdk.vocabulary``) says which GX expectation runs each floe type, how
floe parameter names become GX kwargs and which kwargs GX needs to mean what floe
means. This module holds only what cannot be derived from it: the checks run as SQL
(no GX expectation), the row filter, and recency. Every expectation is built through
GX's own pydantic models, so a bad kwarg is rejected with GX's message before anything
runs.
"""

from __future__ import annotations

import datetime
import hashlib
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from floe_quality_sdk import vocabulary
from floe_quality_sdk.duration import DurationParts, interval_text, parse_iso_duration, subtract_duration
from floe_quality_sdk.names import RelationNameError, parse_relation, quote_identifier
from floe_quality_sdk.row_condition import (
    RowConditionError,
    condition_columns,
    condition_to_sql,
    parse_row_condition,
    sql_literal,
)

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


CHECK_KINDS: tuple[CheckKind, ...] = tuple(
    CheckKind(
        t.type,
        Dimension.from_label(t.dimension),
        vocabulary.snake_case(t.gx_expectation) if t.gx_expectation else None,
        t.level,
        t.aliases,
    )
    for t in vocabulary.check_types()
    if t.runs_on("great_expectations")
)
_KIND_BY_TYPE = {k.type: k for k in CHECK_KINDS}

_ROW_CONDITION_HINT = (
    "row_condition is floe's portable filter, e.g. status = 'active' AND amount > 0 "
    "(docs/configuration.md#row-filters)"
)


def snake_case(name: str) -> str:
    """``ExpectColumnValuesToNotBeNull`` → ``expect_column_values_to_not_be_null``."""
    return vocabulary.snake_case(name)


def find_check_kind(type_name: str) -> CheckKind | None:
    """The floe check kind of a floe type name or of one of its GX / dbt aliases."""
    spec = vocabulary.lookup_check_type(type_name)
    return _KIND_BY_TYPE.get(spec.type) if spec else None


@dataclass(frozen=True)
class Backend:
    """What the mapping needs to know about where the data lives."""

    # "sql" (GX SQL data source, queries in the database) or "pandas".
    engine: str
    # SQLAlchemy dialect name for SQL backends: "postgresql", "sqlite".
    dialect: str = ""
    # Quotes one identifier for the dialect (the SDK's quoting).
    quote: Callable[[str], str] = field(default=quote_identifier)


@dataclass(frozen=True)
class RowFilter:
    """A check's row filter as a boolean column the database computes next to the
    checked table's columns (``column``: a generated name; ``sql``: the predicate,
    literals inline, null counted as false), so GX filters on ``column == True`` and
    every engine applies SQL's truth rules exactly as floe_sql does."""

    column: str
    sql: str


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
    # The row filter the database computes for this check, if it has one.
    row_filter: RowFilter | None = None

    @property
    def level(self) -> str:
        return self.kind.level if self.kind else "row"


def gx_kwargs(kind: CheckKind | None, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """floe parameter names → GX kwarg names, plus the kwargs the vocabulary fixes for
    the type (``ignore_row_if`` for pair_greater_than)."""
    spec = vocabulary.lookup_check_type(kind.type) if kind else None
    renames = spec.gx_renames if spec else {}
    out: dict[str, Any] = dict(spec.gx_kwargs) if spec else {}
    for key, value in parameters.items():
        out[renames.get(key, key)] = value
    return out


def gx_severity(severity: Severity) -> str | None:
    """floe severity → GX ``severity``; unspecified leaves GX's default (critical)."""
    return {
        Severity.CRITICAL: "critical",
        Severity.WARNING: "warning",
        Severity.INFO: "info",
    }.get(severity)


def max_age_parts(iso: str) -> DurationParts:
    """recency's max_age in calendar months, days and seconds (the SDK's one meaning)."""
    try:
        return parse_iso_duration(iso)
    except ValueError:
        raise CheckError("FLOE-DQ101", f"max_age {iso!r} is not an ISO-8601 duration such as P1D or PT6H") from None


def _quoted_relation(text: str, quote: Callable[[str], str]) -> str:
    try:
        relation = parse_relation(text)
    except RelationNameError as error:
        raise CheckError("FLOE-DQ101", str(error)) from None
    return ".".join(quote(part) for part in relation.parts)


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
        parent = _quoted_relation(str(params["to"]), q)
        parent_field = q(str(params["field"]))
        return (
            f"SELECT * FROM {{batch}} WHERE {where}{column} IS NOT NULL AND {column} NOT IN "
            f"(SELECT {parent_field} FROM {parent} WHERE {parent_field} IS NOT NULL)"
        )
    if kind.type == "recency":
        column = q(_required_column(check))
        parts = max_age_parts(str(params["max_age"]))
        if backend.dialect == "sqlite":
            cutoff = (
                f"datetime('now', '-{parts.months:g} months', '-{parts.days:g} days', '-{parts.seconds:g} seconds')"
            )
            latest = f"MAX({column})"
        else:
            # Calendar months and years, compared without time zone, as floe_sql does.
            cutoff = f"CAST(now() AS TIMESTAMP) - CAST({sql_literal(interval_text(parts))} AS INTERVAL)"
            latest = f"CAST(MAX({column}) AS TIMESTAMP)"
        filtered = f" WHERE {where[: -len(' AND ')]}" if condition else ""
        return (
            f"SELECT MAX({column}) AS latest FROM {{batch}}{filtered} "
            f"HAVING MAX({column}) IS NULL OR {latest} < {cutoff}"
        )
    expression = _escape_braces(str(params["expression"]))
    return f"SELECT * FROM {{batch}} WHERE {where}NOT ({expression})"


def _escape_braces(sql: str) -> str:
    return sql.replace("{", "{{").replace("}", "}}")


def row_filter(parameters: Mapping[str, Any], quote: Callable[[str], str]) -> RowFilter | None:
    """The check's filter as SQL for the database: the portable ``row_condition``
    translated (columns quoted, values as literals), or ``row_condition_sql`` as written."""
    portable = parameters.get("row_condition")
    raw = parameters.get("row_condition_sql")
    if portable is not None and raw is not None:
        raise CheckError("FLOE-DQ101", "give row_condition or row_condition_sql, not both")
    if portable is not None:
        try:
            parsed = parse_row_condition(str(portable))
        except RowConditionError as error:
            raise CheckError(
                "FLOE-DQ101", f"row_condition: {error.message} (at character {error.offset + 1}). {_ROW_CONDITION_HINT}"
            ) from None
        sql = condition_to_sql(parsed, quote, sql_literal)
    elif raw is not None:
        sql = f"({raw})"
    else:
        return None
    name = "__floe_filter_" + hashlib.sha256(sql.encode()).hexdigest()[:16]
    return RowFilter(name, sql)


def filter_columns(parameters: Mapping[str, Any]) -> tuple[str, ...]:
    """Columns the portable row_condition reads (checked for existence like the check's own)."""
    portable = parameters.get("row_condition")
    if portable is None:
        return ()
    try:
        return tuple(condition_columns(parse_row_condition(str(portable))))
    except RowConditionError:
        return ()


def _duckdb_count(
    kind: CheckKind, check: Check, params: Mapping[str, Any], backend: Backend, condition_filter: RowFilter | None
) -> DuckdbCount:
    q = backend.quote
    condition, values = (condition_filter.sql, ()) if condition_filter is not None else ("TRUE", ())
    if kind.type == "relationships":
        column = q(_required_column(check))
        parent = _quoted_relation(str(params["to"]), q)
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
        return {"to", "field"}, set()
    if kind.type == "recency":
        return {"max_age"}, set()
    return {"expression"}, {"mostly"}


def _require_vocabulary_parameters(kind: CheckKind, params: Mapping[str, Any]) -> None:
    """FLOE-DQ101 for a parameter the floe vocabulary requires: GX would otherwise fill
    some with its own default (a regex check without `regex` matches everything)."""
    spec = vocabulary.lookup_check_type(kind.type)
    required = spec.parameters.get("required", []) if spec is not None else []
    missing = [name for name in required if name not in params]
    if missing:
        raise CheckError("FLOE-DQ101", f"{kind.type}: " + "; ".join(f"missing parameter {m}" for m in missing))


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
    params = vocabulary.normalize_parameters(check.parameters) if kind else dict(check.parameters)
    dimension = check.dimension or (kind.dimension if kind else Dimension.VALIDITY)
    check = check.with_dimension(dimension)

    common: dict[str, Any] = {"meta": _meta(check, kind, params.pop("meta", None))}
    severity = gx_severity(check.severity)
    if severity:
        common["severity"] = severity
    explicit_parser = params.pop("condition_parser", None)
    native_condition = params.get("row_condition")
    condition_filter: RowFilter | None = None
    filtered_columns: tuple[str, ...] = ()
    if isinstance(native_condition, Mapping) or explicit_parser is not None:
        # A native GX suite's own condition (a serialized Condition, or a string with
        # its condition_parser): GX applies it as written.
        params.pop("row_condition", None)
        common.update(_native_condition_kwargs(native_condition, explicit_parser, backend))
    else:
        condition_filter = row_filter(params, backend.quote)
        filtered_columns = filter_columns(params)
        params.pop("row_condition", None)
        params.pop("row_condition_sql", None)
        if condition_filter is not None:
            from great_expectations.expectations.row_conditions import Column

            common["row_condition"] = Column(condition_filter.column) == True  # noqa: E712 (a GX Condition)
    sql_run = kind is not None and kind.gx is None
    filtered = tuple(c for c in filtered_columns if c)

    def mapped(expectation: Any, columns: tuple[str, ...], **extra: Any) -> MappedCheck:
        return MappedCheck(
            check, kind, expectation, tuple(dict.fromkeys(columns + filtered)), row_filter=condition_filter, **extra
        )

    if kind is not None and kind.type == "recency" and backend.engine == "pandas":
        return mapped(*_pandas_recency(check, kind, params, common))

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
            return mapped(None, columns, duckdb_count=_duckdb_count(kind, check, params, backend, condition_filter))
        mostly = params.pop("mostly", None)
        condition = condition_filter.sql if condition_filter is not None else None
        query = _sql_for_kind(kind, check, params, backend, condition)
        sql_common = {k: v for k, v in common.items() if k != "row_condition"}
        expectation = _build(gxe.UnexpectedRowsExpectation, {"unexpected_rows_query": query, **sql_common}, kind.type)
        probe = _evaluated_probe(kind, check, common.get("row_condition"))
        return mapped(
            expectation, columns, evaluated_probe=probe, mostly=float(mostly) if mostly is not None else None
        )

    if kind is not None:
        _require_vocabulary_parameters(kind, params)
    type_name = kind.gx if kind else snake_case(check.type)
    cls = _expectation_class(type_name)
    if cls is None:
        raise CheckError(
            "FLOE-DQ101",
            f"unknown check type {check.type!r}: neither a floe check type nor a Great Expectations "
            "expectation type (e.g. not_null, between, expect_column_values_to_be_of_type)",
        )
    kwargs = gx_kwargs(kind, params)
    if check.column and "column" in cls.__fields__ and "column" not in kwargs:
        kwargs["column"] = check.column
    kwargs.update(common)
    expectation = _build(cls, kwargs, type_name)
    # column_exists reports a missing column as a failure, not as an unknown column.
    columns = () if type_name == "expect_column_to_exist" else _expectation_columns(kwargs)
    return mapped(expectation, columns)


def _evaluated_probe(kind: CheckKind, check: Check, condition: Any) -> Any:
    """The expectation that counts the rows a SQL-run check evaluates; None where that is
    the table's row count (recency, expression_is_true without a row condition)."""
    import great_expectations.expectations as gxe

    kwargs: dict[str, Any] = {"meta": {META_INTERNAL: "evaluated", META_PROBE_OF: check.name}}
    if condition is not None:
        kwargs["row_condition"] = condition
    if kind.type == "relationships":
        return _build(gxe.ExpectColumnValuesToNotBeNull, {"column": check.column, **kwargs}, kind.type)
    if kind.type == "expression_is_true" and condition is not None:
        return _build(gxe.ExpectTableRowCountToBeBetween, {"min_value": 0, **kwargs}, kind.type)
    return None


def _pandas_recency(
    check: Check, kind: CheckKind, params: Mapping[str, Any], common: Mapping[str, Any]
) -> tuple[Any, tuple[str, ...]]:
    """recency on a dataframe, where no SQL runs: the column's latest value must be at or
    after now − max_age, in calendar months as everywhere (GX's max expectation; an
    empty table fails, as in SQL)."""
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
    cutoff = subtract_duration(now, max_age_parts(str(params["max_age"])))
    kwargs: dict[str, Any] = {"column": column, "min_value": cutoff, **common}
    return _build(gxe.ExpectColumnMaxToBeBetween, kwargs, kind.type), (column,)


def _native_condition_kwargs(condition: Any, explicit_parser: Any, backend: Backend) -> dict[str, Any]:
    """A native GX suite's condition: serialized Condition objects as they are; a string
    in GX's ``great_expectations`` syntax (both engines), or ``pandas`` on pandas."""
    if isinstance(condition, Mapping):
        return {"row_condition": dict(condition)}
    if condition is None:
        return {}
    return _row_condition_kwargs(str(condition), explicit_parser, backend)


def _row_condition_kwargs(condition: str, explicit_parser: Any, backend: Backend) -> dict[str, Any]:
    """GX turns a ``great_expectations``-syntax string into its Condition objects, which
    both the SQL and the pandas engines apply; ``pandas`` syntax passes through on pandas.
    Native GX suites only: floe checks use the portable row_condition."""
    if explicit_parser == "pandas" and backend.engine == "pandas":
        return {"row_condition": condition, "condition_parser": "pandas"}
    if explicit_parser not in (None, "great_expectations"):
        raise CheckError(
            "FLOE-DQ101",
            f"condition_parser {explicit_parser!r} is not available on {backend.dialect or backend.engine}; "
            "use great_expectations, or floe's portable row_condition",
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
