"""The plugin's Great Expectations runtime: one ephemeral data context per process,
one GX data source per connection, the checked tables as assets, and the means to
cancel a validation's database work when the suite deadline passes."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from floe_quality_sdk.duckdb_file import NewerDuckdbFileError, check_duckdb_file_version
from floe_quality_sdk.names import RelationName, RelationNameError, parse_relation, quote_identifier, quote_relation

from .mapping import DuckdbCount
from .model import CheckError, Connection, RequestError

log = logging.getLogger("floe_quality_gx")

DEFAULT_DUCKDB_ROW_LIMIT = 1_000_000
ROW_LIMIT_ENV = "FLOE_GX_DUCKDB_ROW_LIMIT"
ROW_LIMIT_OPTION = "gx_duckdb_row_limit"

# DuckDB as floe_sql opens it: no file or network access past the database file,
# no extension loading, and the configuration locked so SQL cannot SET its way out.
DUCKDB_SANDBOX = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "lock_configuration": True,
}


class RunCancelled(Exception):
    """Raised into GX's query path once the run's deadline has passed."""


@dataclass
class RunToken:
    """The statements one validation has in flight, so a timeout can cancel them.

    Only statements still executing are cancelled: a connection the run has given back
    to the pool may already serve another run.
    """

    cancelled: bool = False
    executing: list[Any] = field(default_factory=list)
    on_cancel: list[Callable[[], None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def started(self, dbapi_connection: Any) -> None:
        with self.lock:
            self.executing.append(dbapi_connection)

    def finished(self, dbapi_connection: Any) -> None:
        with self.lock:
            for index, connection in enumerate(self.executing):
                if connection is dbapi_connection:
                    del self.executing[index]
                    return

    def cancel(self) -> None:
        with self.lock:
            self.cancelled = True
            connections = list(self.executing)
            callbacks = list(self.on_cancel)
        for connection in connections:
            _cancel_statement(connection)
        for callback in callbacks:
            try:
                callback()
            except Exception:
                log.debug("cancel callback failed", exc_info=True)


def _cancel_statement(connection: Any) -> None:
    # psycopg2 sends a PostgreSQL cancel request (PQcancel); sqlite3 interrupts.
    for method in ("cancel", "interrupt"):
        fn = getattr(connection, method, None)
        if callable(fn):
            try:
                fn()
            except Exception:
                log.debug("cancelling a statement failed", exc_info=True)
            return


_current = threading.local()


def current_token() -> RunToken | None:
    return getattr(_current, "token", None)


def set_current_token(token: RunToken | None) -> None:
    _current.token = token


def _before_cursor_execute(
    conn: Any, cursor: Any, statement: Any, parameters: Any, context: Any, executemany: Any
) -> None:
    token = current_token()
    if token is None:
        return
    if token.cancelled:
        raise RunCancelled("the suite deadline passed")
    token.started(conn.connection.dbapi_connection)


def _after_cursor_execute(
    conn: Any, cursor: Any, statement: Any, parameters: Any, context: Any, executemany: Any
) -> None:
    token = current_token()
    if token is not None:
        token.finished(conn.connection.dbapi_connection)


def _handle_error(context: Any) -> None:
    token = current_token()
    connection = getattr(context, "connection", None)
    if token is None or connection is None:
        return
    try:
        dbapi_connection = connection.connection.dbapi_connection
    except Exception:  # an invalidated connection has none left
        return
    token.finished(dbapi_connection)


_STATEMENT_EVENTS = (
    ("before_cursor_execute", _before_cursor_execute),
    ("after_cursor_execute", _after_cursor_execute),
    ("handle_error", _handle_error),
)


@dataclass
class Table:
    """A checked relation as GX sees it."""

    batch_definition: Any
    columns: set[str]
    batch_parameters: dict[str, Any] | None = None
    # DuckDB only: check name → (records_checked, records_failed) of the checks DuckDB
    # ran itself, or the error message DuckDB gave.
    duckdb_counts: dict[str, tuple[int, int] | str] = field(default_factory=dict)


def duckdb_row_limit(connection: Connection) -> int:
    raw = connection.options.get(ROW_LIMIT_OPTION) or os.environ.get(ROW_LIMIT_ENV)
    if not raw:
        return DEFAULT_DUCKDB_ROW_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise RequestError("FLOE-DQ100", f"{ROW_LIMIT_OPTION} must be a whole number of rows, got {raw!r}") from None
    if value <= 0:
        raise RequestError("FLOE-DQ100", f"{ROW_LIMIT_OPTION} must be positive, got {value}")
    return value


def split_relation(relation: str, default_schema: str) -> tuple[str, str]:
    """A relation name (the SDK's syntax: parts optionally quoted) → (schema, table).
    A catalog part is refused: the connection names the database."""
    try:
        parsed = parse_relation(relation).with_default_schema(default_schema)
    except RelationNameError as error:
        raise RequestError("FLOE-DQ100", str(error)) from None
    if parsed.database is not None:
        raise RequestError(
            "FLOE-DQ100",
            f"relation {relation!r} names a database; the great_expectations provider reads the "
            "connection's database: write schema.table",
        )
    return parsed.schema or "", parsed.identifier


class GxRuntime:
    """One ephemeral GX context for the plugin process (built when GX is imported)."""

    def __init__(self) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        # GX 1.9+ deprecates the string row conditions and schema_name the floe
        # vocabulary still uses; the warnings say nothing to a floe user.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(great_expectations|pydantic)\b")
        # GX logs every batch and metric at info and its float conversions at warning:
        # noise in the host's log unless the plugin runs at debug level.
        if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
            logging.getLogger("great_expectations").setLevel(logging.ERROR)
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        self.gx = gx
        self.version: str = gx.__version__
        self.context = gx.get_context(
            mode="ephemeral",
            project_config=DataContextConfig(
                analytics_enabled=False,
                progress_bars=ProgressBarsConfig(globally=False),
                store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            ),
        )
        self._lock = threading.Lock()
        self._sources: dict[tuple, Any] = {}
        self._tables: dict[tuple, Table] = {}
        for name, listener in _STATEMENT_EVENTS:
            if not event.contains(Engine, name, listener):
                event.listen(Engine, name, listener)

    # --- data sources -------------------------------------------------------------

    def _source_name(self, connection: Connection) -> str:
        digest = hashlib.sha256(repr(connection.cache_key()).encode()).hexdigest()[:16]
        return f"floe_{connection.dialect}_{digest}"

    def data_source(self, connection: Connection) -> Any:
        """The GX data source of a connection, created once and cached."""
        key = connection.cache_key()
        with self._lock:
            source = self._sources.get(key)
            if source is not None:
                return source
            name = self._source_name(connection)
            dialect = normalized_dialect(connection.dialect)
            try:
                if dialect == "postgres":
                    source = self.context.data_sources.add_postgres(name, connection_string=postgres_url(connection))
                elif dialect == "sqlite":
                    if not connection.path:
                        raise RequestError("FLOE-DQ100", "a sqlite connection needs path (the database file)")
                    source = self.context.data_sources.add_sqlite(
                        name, connection_string=f"sqlite:///{connection.path}"
                    )
                elif dialect == "duckdb":
                    source = self.context.data_sources.add_pandas(name)
                else:
                    raise RequestError(
                        "FLOE-DQ100",
                        f"dialect {connection.dialect!r} is not supported by the great_expectations provider "
                        "(postgres, sqlite, duckdb)",
                    )
            except RequestError:
                raise
            except Exception as error:
                # GX tests the connection when the data source is added; a failed add
                # must not leave the name taken for the next run.
                self._delete_source(name)
                log.warning("cannot connect", exc_info=error, extra={"dialect": dialect})
                raise RequestError(
                    "FLOE-DQ100",
                    f"cannot connect to {describe_connection(connection)}: {_first_line(error.__cause__ or error)}",
                ) from None
            self._sources[key] = source
            return source

    def _delete_source(self, name: str) -> None:
        try:
            self.context.data_sources.delete(name)
        except Exception:
            log.debug("no data source to remove", exc_info=True)

    def table(
        self,
        connection: Connection,
        relation: str,
        duckdb_counts: Mapping[str, DuckdbCount] | None = None,
        filters: Mapping[str, str] | None = None,
    ) -> Table:
        """The checked relation: a GX table asset (SQL) or a DuckDB table read into pandas
        (with the counts of the checks DuckDB runs itself, ``duckdb_counts`` by check name).
        ``filters`` (column name → SQL predicate) are computed by the database as boolean
        columns beside the table's own, for the checks' row filters."""
        dialect = normalized_dialect(connection.dialect)
        if dialect == "duckdb":
            return self._duckdb_table(connection, relation, duckdb_counts or {}, filters or {})
        source = self.data_source(connection)
        default_schema = connection.schema or ("public" if dialect == "postgres" else "")
        schema, table_name = split_relation(relation, default_schema)
        engine = source.get_engine()
        columns = _sql_columns(engine, schema or None, table_name, relation)
        if filters:
            # The table's rows with one boolean column per row filter, as a query asset.
            query = _filtered_select(_quoted_table(schema, table_name), filters)
            return self._sql_asset(
                (connection.cache_key(), "query", query),
                columns,
                relation,
                lambda: source.add_query_asset("q_" + hashlib.sha256(query.encode()).hexdigest()[:16], query=query),
            )
        return self._sql_asset(
            (connection.cache_key(), schema, table_name),
            columns,
            relation,
            lambda: source.add_table_asset(
                "t_" + hashlib.sha256(f"{schema}.{table_name}".encode()).hexdigest()[:16],
                table_name=_exact_identifier(table_name),
                schema_name=_exact_identifier(schema) if schema else None,
            ),
        )

    def _sql_asset(self, key: tuple[str, ...], columns: set[str], relation: str, add: Callable[[], Any]) -> Table:
        """The cached Table of an asset ``add`` creates once per key."""
        with self._lock:
            cached = self._tables.get(key)
            if cached is not None:
                cached.columns = columns
                return cached
            try:
                asset = add()
            except Exception as error:
                raise RequestError(
                    "FLOE-DQ100", f"relation {relation!r} cannot be read: {_first_line(error)}"
                ) from None
            table = Table(asset.add_batch_definition_whole_table("whole"), columns)
            self._tables[key] = table
            return table

    def _duckdb_table(
        self, connection: Connection, relation: str, counts: Mapping[str, DuckdbCount], filters: Mapping[str, str]
    ) -> Table:
        # The counts run a check's own SQL (expression_is_true, row_condition): the
        # sandbox keeps it on this one file (docs/host.md, "Trust model").
        import duckdb

        if not connection.path:
            raise RequestError("FLOE-DQ100", "a duckdb connection needs path (the database file)")
        try:
            check_duckdb_file_version(connection.path, _duckdb_reader())
        except NewerDuckdbFileError as error:
            raise RequestError(error.code, str(error)) from None
        limit = duckdb_row_limit(connection)
        schema, table_name = split_relation(relation, connection.schema or "")
        quoted = _quoted_table(schema, table_name)
        token = current_token()
        try:
            db = duckdb.connect(connection.path, read_only=True, config=DUCKDB_SANDBOX)
        except Exception as error:
            raise RequestError(
                "FLOE-DQ100", f"DuckDB file {connection.path} cannot be opened: {_first_line(error)}"
            ) from None
        try:
            if token is not None:
                token.on_cancel.append(db.interrupt)
            try:
                rows = db.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
            except duckdb.CatalogException as error:
                raise RequestError(
                    "FLOE-DQ100", f"relation {relation!r} does not exist: {_first_line(error)}"
                ) from None
            if rows > limit:
                raise RequestError(
                    "FLOE-DQ100",
                    f"DuckDB table {relation} has {rows} rows, over the great_expectations provider's row limit "
                    f"of {limit}: GX validates DuckDB tables in memory. Run this model with the floe_sql provider "
                    f"(checks run inside DuckDB), or raise the limit with the connection option "
                    f"{ROW_LIMIT_OPTION} or {ROW_LIMIT_ENV}.",
                )
            frame = _utc_naive(db.execute(_filtered_select(quoted, filters)).df())
            counted = {name: _duckdb_run_count(db, quoted, count) for name, count in counts.items()}
        finally:
            db.close()
        source = self.data_source(connection)
        asset_name = "t_" + hashlib.sha256(f"{schema}.{table_name}".encode()).hexdigest()[:16]
        with self._lock:
            try:
                asset = source.get_asset(asset_name)
                batch_definition = asset.get_batch_definition("whole")
            except LookupError:
                asset = source.add_dataframe_asset(asset_name)
                batch_definition = asset.add_batch_definition_whole_dataframe("whole")
        columns = set(frame.columns) - set(filters)
        return Table(batch_definition, columns, {"dataframe": frame}, counted)


def normalized_dialect(dialect: str) -> str:
    d = dialect.lower()
    if d in ("postgres", "postgresql", "pg"):
        return "postgres"
    return d


def describe_connection(connection: Connection) -> str:
    """Where a connection points, without its credentials."""
    if connection.path:
        return f"{connection.dialect} {connection.path}"
    return f"{connection.dialect} {connection.host or 'localhost'}:{connection.port or 5432}/{connection.database}"


def postgres_url(connection: Connection) -> str:
    from sqlalchemy.engine import URL

    url = URL.create(
        "postgresql+psycopg2",
        username=connection.user or None,
        password=connection.password or None,
        host=connection.host or None,
        port=connection.port or None,
        database=connection.database or None,
        query=_read_only_options({k: v for k, v in connection.options.items() if not k.startswith("gx_")}),
    )
    return url.render_as_string(hide_password=False)


# Every transaction of the plugin's PostgreSQL sessions is read-only, as floe_sql's
# are: no check's SQL (an expression, a filter) can write. libpq takes it as the
# connection's `options`, after any the operator gave.
READ_ONLY_OPTION = "-c default_transaction_read_only=on"


def _read_only_options(query: dict[str, str]) -> dict[str, str]:
    given = query.get("options", "").strip()
    return {**query, "options": f"{given} {READ_ONLY_OPTION}" if given else READ_ONLY_OPTION}


def _sql_columns(engine: Any, schema: str | None, table_name: str, relation: str) -> set[str]:
    import sqlalchemy as sa

    try:
        inspector = sa.inspect(engine)
        if not (inspector.has_table(table_name, schema=schema)):
            views = set(inspector.get_view_names(schema=schema))
            if table_name not in views:
                raise RequestError("FLOE-DQ100", f"relation {relation!r} does not exist")
        return {c["name"] for c in inspector.get_columns(table_name, schema=schema)}
    except RequestError:
        raise
    except Exception as error:
        raise RequestError("FLOE-DQ100", f"relation {relation!r} cannot be inspected: {_first_line(error)}") from None


def _utc_naive(frame: Any) -> Any:
    """TIMESTAMPTZ columns as naive UTC, like TIMESTAMP ones, so GX compares every
    timestamp of the table with the same kind of datetime."""
    import pandas as pd

    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert("UTC").dt.tz_localize(None)
    return frame


def _duckdb_run_count(db: Any, quoted_table: str, count: DuckdbCount) -> tuple[int, int] | str:
    import duckdb

    sql = f"SELECT count(*), count(*) FILTER (WHERE {count.failed}) FROM {quoted_table} WHERE {count.evaluated}"
    try:
        checked, failed = db.execute(sql, list(count.parameters)).fetchone()
    except duckdb.InterruptException:
        raise
    except duckdb.Error as error:
        return _first_line(error)
    return int(checked), int(failed)


def _exact_identifier(name: str) -> Any:
    """A name GX passes to SQLAlchemy as written, always quoted (embedded quotes doubled).

    GX lower-cases a plain string and hands it to SQLAlchemy with quoting switched off,
    so a name with quotes, a semicolon or capitals would be spliced into the query.
    """
    from sqlalchemy.sql import quoted_name

    return quoted_name(name, quote=True)


def _duckdb_reader() -> str:
    import duckdb

    return f"the great_expectations provider runs DuckDB v{duckdb.__version__}"


def _quoted_table(schema: str, table_name: str) -> str:
    return quote_relation(RelationName(None, schema or None, table_name))


def _filtered_select(quoted_table: str, filters: Mapping[str, str]) -> str:
    """Every column of the table, plus each filter as a boolean column (null is false)."""
    extra = "".join(f", COALESCE({sql}, FALSE) AS {quote_identifier(name)}" for name, sql in sorted(filters.items()))
    return f"SELECT *{extra} FROM {quoted_table}"


def _first_line(error: BaseException | str) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def check_error_for_missing_columns(missing: list[str], relation: str) -> CheckError:
    names = ", ".join(missing)
    return CheckError("FLOE-DQ105", f"unknown column {names} in {relation}")
