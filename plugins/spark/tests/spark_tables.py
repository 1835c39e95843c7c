"""The conformance suite's customers table (conformance/src/fixture/data.ts: the
same rows and planted defects) and its hostile names, written as Parquet with
pyarrow, apart from Spark."""

import datetime

import pyarrow as pa
import pyarrow.parquet as pq

BUILT_AT = datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def hours_ago(n: int) -> datetime.datetime:
    return BUILT_AT - datetime.timedelta(hours=n)


# id, email, status, age, code, amount, limit_amount, manager_id, region, updated_at
CUSTOMERS = [
    (1, "a@example.com", "active", 34, "AB-01", 10.0, 15.0, None, "eu", hours_ago(1)),
    (2, "b@example.com", "active", 41, "AB-02", 20.0, 25.0, 1, "eu", hours_ago(2)),
    (3, None, "inactive", 29, "AB-03", 30.0, 25.0, 1, "us", hours_ago(3)),
    (4, "d@example.com", "banned", None, "AB-4", 40.0, 45.0, 2, "us", hours_ago(4)),
    (5, "e@example.com", "active", 17, "AB-05", 50.0, 50.0, 2, "eu", hours_ago(5)),
    (6, None, None, 52, "AB-06", 60.0, 65.0, 99, "apac", hours_ago(6)),
    (7, "g@example.com", "pending", 130, "AB-07", 70.0, 75.0, 3, "us", hours_ago(7)),
    (8, "h@example.com", "active", 45, "ab-08", 80.0, 85.0, None, "eu", hours_ago(8)),
    (8, "i@example.com", "inactive", 38, "AB-09", 90.0, 95.0, 5, "eu", hours_ago(9)),
    (10, "j@example.com", "active", 60, None, 100.0, 105.0, 7, "apac", hours_ago(10)),
]

SCHEMA = pa.schema(
    [
        ("id", pa.int32()),
        ("email", pa.string()),
        ("status", pa.string()),
        ("age", pa.int32()),
        ("code", pa.string()),
        ("amount", pa.float64()),
        ("limit_amount", pa.float64()),
        ("manager_id", pa.int32()),
        ("region", pa.string()),
        ("updated_at", pa.timestamp("us", tz="UTC")),
    ]
)

HOSTILE_TABLE = "x\"; DROP TABLE customers; --'"
HOSTILE_COLUMN = "na\"me'); DELETE FROM customers; --"


def write_table(path, schema: pa.Schema, rows) -> None:
    path.mkdir(parents=True)
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    table = pa.table({f.name: pa.array(list(c), type=f.type) for f, c in zip(schema, columns, strict=True)})
    pq.write_table(table, path / "part-0.parquet")
