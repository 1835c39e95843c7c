"""Where floe_spark runs: a Spark session for a connection (a local session, or a
Spark Connect endpoint), and the DataFrame a relation name stands for.

Connection fields (``compute`` with ``dialect: spark`` in the product config; the
host resolves ``${env:…}`` references at run time and sends them only in the call):
- ``host`` (+ ``port``, default 15002): a Spark Connect endpoint, reached as
  ``sc://host:port``; ``password`` is sent as the bearer token (``;token=``, which
  Spark Connect only sends over TLS) and ``user`` as the user id. Without a host
  the plugin runs a local session (``options.master``, default ``local[*]``).
- ``path``: a directory of tables; relation ``orders`` is then the data at
  ``<path>/orders`` read with ``options.format`` (default ``parquet``). Without a
  path, a relation is a catalog table ``[catalog.]schema.table`` (``schema`` is
  the default schema). A relation in ``global_temp`` (Spark's schema of global
  temporary views) is always a view, whatever the path.
- A relation that is itself a path (``/data/orders``, ``s3a://bucket/orders``) is
  read with ``options.format`` whatever the connection's path.
- ``options`` keys starting with ``spark.`` are session settings of a local
  session (e.g. ``spark.sql.shuffle.partitions``).
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from floe_quality_sdk.names import RelationNameError, parse_relation, quote_spark_relation

GLOBAL_TEMP = "global_temp"
DEFAULT_CONNECT_PORT = 15002
DEFAULT_MASTER = "local[*]"
DEFAULT_FORMAT = "parquet"
FORMATS = ("parquet", "orc", "json", "csv", "delta", "iceberg")
# Local sessions: no UI port of their own, timestamps read and written in UTC.
LOCAL_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.showConsoleProgress": "false",
}


class RelationError(Exception):
    """A relation name or connection that cannot be used, said for the person who wrote it."""


@dataclass(frozen=True)
class SparkConnection:
    host: str = ""
    port: int = 0
    user: str = ""
    token: str = ""
    path: str = ""
    schema: str = ""
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def remote(self) -> bool:
        return bool(self.host)

    def connect_url(self) -> str:
        """The ``sc://`` URL of the endpoint (it holds the token: never logged)."""
        host = self.host
        if "://" in host or "/" in host or "@" in host:
            raise RelationError(
                f"compute.host {host!r} is not a host name; give the Spark Connect host only "
                "(the port as port:, the token as password: ${env:NAME})"
            )
        url = f"sc://{host}:{self.port or DEFAULT_CONNECT_PORT}/"
        params = []
        if self.token:
            params.append(f"token={quote(self.token, safe='')}")
        if self.user:
            params.append(f"user_id={quote(self.user, safe='')}")
        return url + "".join(f";{p}" for p in params)

    def key(self) -> tuple:
        return (self.host, self.port, self.user, self.token, tuple(sorted(self.options.items())))

    @property
    def format(self) -> str:
        fmt = self.options.get("format", DEFAULT_FORMAT).lower()
        if fmt not in FORMATS:
            raise RelationError(f"compute.options.format {fmt!r} is not one of {', '.join(FORMATS)}")
        return fmt


class Sessions:
    """One Spark session per connection, kept for the plugin's lifetime (starting a
    JVM or a Connect channel per suite would cost more than most suites). Each
    connection starts its session once; other connections do not wait for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[tuple, Any] = {}
        self._starting: dict[tuple, threading.Lock] = {}

    def get(self, connection: SparkConnection) -> Any:
        key = connection.key()
        with self._lock:
            session = self._sessions.get(key)
            if session is not None:
                return session
            # Every local session shares the process's one SparkContext: one start at a time.
            starting = self._starting.setdefault(key if connection.remote else ("local",), threading.Lock())
        with starting:
            with self._lock:
                session = self._sessions.get(key)
            if session is None:
                session = _start(connection)
                with self._lock:
                    self._sessions[key] = session
            return session

    def stop(self) -> None:
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            try:
                session.stop()
            except Exception:  # noqa: BLE001 - stopping is best effort at shutdown
                pass


def _start(connection: SparkConnection) -> Any:
    from pyspark.sql import SparkSession

    if connection.remote:
        return SparkSession.builder.remote(connection.connect_url()).getOrCreate()
    builder = SparkSession.builder.master(connection.options.get("master", DEFAULT_MASTER)).appName("floe_spark")
    # Managed tables of a local session live in a private directory, not in the
    # working directory of whoever started the plugin.
    warehouse = tempfile.mkdtemp(prefix="floe-spark-warehouse-")
    settings = {
        **LOCAL_SETTINGS,
        "spark.sql.warehouse.dir": warehouse,
        **{k: v for k, v in connection.options.items() if k.startswith("spark.")},
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _is_path(relation: str) -> bool:
    return relation.startswith("/") or "://" in relation or relation.startswith("file:")


def relation_frame(spark: Any, connection: SparkConnection, relation: str) -> Any:
    """The DataFrame of `relation` (a table under the connection's path, a path, or a catalog table)."""
    if _is_path(relation):
        return spark.read.format(connection.format).load(relation)
    try:
        name = parse_relation(relation)
    except RelationNameError as error:
        raise RelationError(str(error)) from None
    # Spark's reserved schema of global temporary views is never a directory of tables.
    if connection.path and name.schema != GLOBAL_TEMP:
        return spark.read.format(connection.format).load(os.path.join(connection.path, *name.parts))
    return spark.read.table(quote_spark_relation(name.with_default_schema(connection.schema)))
