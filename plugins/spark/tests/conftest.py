"""One local Spark session for the whole test run (a JVM start costs seconds) and
the Parquet tables of spark_tables.py in a temporary directory."""

import pyarrow as pa
import pytest
from spark_tables import CUSTOMERS, HOSTILE_COLUMN, HOSTILE_TABLE, SCHEMA, write_table

from floe_quality_spark.session import Sessions, SparkConnection


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("spark-warehouse")
    write_table(root / "customers", SCHEMA, CUSTOMERS)
    write_table(root / HOSTILE_TABLE, pa.schema([(HOSTILE_COLUMN, pa.string()), ("a.b", pa.int32())]),
                [("a", 1), (None, 2), ("b", 2)])
    return root


@pytest.fixture(scope="session")
def connection(warehouse):
    return SparkConnection(path=str(warehouse), options={"spark.sql.shuffle.partitions": "4"})


@pytest.fixture(scope="session")
def spark(connection):
    sessions = Sessions()
    session = sessions.get(connection)
    yield session
    sessions.stop()
