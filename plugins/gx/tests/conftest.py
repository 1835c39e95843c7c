"""Session fixtures: one throwaway PostgreSQL and SQLite / DuckDB files seeded with the
same defects (seed.py), and one plugin core with GX loaded. Test helpers (pg_server,
seed) are imported from this directory, which pytest puts on sys.path."""

import os

# Before anything imports GX: no analytics from test runs.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import pytest  # noqa: E402
from pg_server import start_postgres  # noqa: E402
from seed import seed_duckdb, seed_postgres, seed_sqlite  # noqa: E402

from floe_quality_gx.model import Connection  # noqa: E402
from floe_quality_gx.plugin import GxPlugin  # noqa: E402


@pytest.fixture(scope="session")
def postgres():
    server = start_postgres()
    try:
        connection = server.connect()
        seed_postgres(connection)
        connection.close()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_connection(postgres):
    return Connection(
        "postgres",
        host=postgres.host,
        port=postgres.port,
        database=postgres.database,
        user=postgres.user,
        password=postgres.password,
    )


@pytest.fixture(scope="session")
def data_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("gx-data")
    duck = str(root / "shop.duckdb")
    lite = str(root / "shop.sqlite")
    seed_duckdb(duck)
    seed_sqlite(lite)
    return {"duckdb": duck, "sqlite": lite}


@pytest.fixture(scope="session")
def plugin(tmp_path_factory):
    suites = tmp_path_factory.mktemp("gx-suites")
    gx_plugin = GxPlugin(str(suites))
    gx_plugin.startup()
    return gx_plugin


def pytest_configure(config):
    # GX 1.9+ deprecates string row conditions and schema_name; the plugin silences
    # these in its own process, and the tests keep their output readable the same way.
    config.addinivalue_line("filterwarnings", "ignore:.*deprecated as of GX Core:DeprecationWarning")
    config.addinivalue_line("filterwarnings", "ignore:`schema_name` is deprecated:DeprecationWarning")
