import os
import sys

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
sys.path.insert(0, os.path.dirname(__file__))

import pytest

from floe_quality_gx.model import Connection
from floe_quality_gx.plugin import GxPlugin
from pg_server import start_postgres
from seed import seed_duckdb, seed_postgres, seed_sqlite


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
