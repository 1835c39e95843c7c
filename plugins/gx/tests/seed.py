"""The test table `orders` (8 rows with planted defects) and `customers`, written to
PostgreSQL, SQLite and DuckDB alike."""

import datetime
import sqlite3

T0 = datetime.datetime(2026, 1, 1, 0, 0, 0)
DAY = datetime.timedelta(days=1)

ORDERS_COLUMNS = ("id", "customer_id", "email", "status", "amount", "code", "created_at", "shipped_at")
ORDERS = [
    (1, 1, "a@x.io", "paid", 10.0, "AB", T0, T0 + DAY),
    (2, 2, None, "paid", 20.0, "ABC", T0, T0 + 2 * DAY),
    (3, 99, "c@x.io", "refunded", 30.0, "A", T0, T0),
    (3, 3, "bad-email", "paid", -5.0, "AB", T0, T0 - DAY),
    (5, None, "e@x.io", "bogus", 1000.0, "ABCD", T0, T0 + DAY),
    (6, 1, None, "cancelled", None, "AB", T0, T0 + DAY),
    (7, 2, "g@x.io", "paid", 15.0, None, T0, T0 + DAY),
    (8, 1, "h@x.io", "paid", 25.0, "ABC", T0, T0 + 3 * DAY),
]
CUSTOMERS = [(1,), (2,), (3,)]

_ORDERS_DDL = (
    "CREATE TABLE orders (id INTEGER, customer_id INTEGER, email VARCHAR, status VARCHAR, "
    "amount DOUBLE PRECISION, code VARCHAR, created_at TIMESTAMP, shipped_at TIMESTAMP)"
)


def seed_postgres(connection) -> None:
    with connection.cursor() as cur:
        cur.execute(_ORDERS_DDL)
        cur.executemany("INSERT INTO orders VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", ORDERS)
        cur.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
        cur.executemany("INSERT INTO customers VALUES (%s)", CUSTOMERS)
    connection.commit()


def seed_duckdb(path: str) -> None:
    import duckdb

    db = duckdb.connect(path)
    try:
        db.execute(_ORDERS_DDL.replace("DOUBLE PRECISION", "DOUBLE"))
        db.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ORDERS)
        db.execute("CREATE TABLE customers (id INTEGER)")
        db.executemany("INSERT INTO customers VALUES (?)", CUSTOMERS)
        db.execute("CREATE TABLE big AS SELECT range AS id FROM range(50)")
    finally:
        db.close()


def seed_sqlite(path: str) -> None:
    db = sqlite3.connect(path)
    try:
        db.execute(_ORDERS_DDL.replace("DOUBLE PRECISION", "REAL"))
        db.executemany(
            "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [tuple(v.isoformat(sep=" ") if isinstance(v, datetime.datetime) else v for v in row) for row in ORDERS],
        )
        db.execute("CREATE TABLE customers (id INTEGER)")
        db.executemany("INSERT INTO customers VALUES (?)", CUSTOMERS)
        db.commit()
    finally:
        db.close()


if __name__ == "__main__":
    # python seed.py postgres <dsn> | duckdb <file> | sqlite <file>: seeds the same data for other test runners.
    import sys

    target, where = sys.argv[1], sys.argv[2]
    if target == "postgres":
        import psycopg2

        connection = psycopg2.connect(where)
        try:
            seed_postgres(connection)
        finally:
            connection.close()
    elif target == "duckdb":
        seed_duckdb(where)
    elif target == "sqlite":
        seed_sqlite(where)
    else:
        raise SystemExit(f"unknown target {target!r}: postgres, duckdb or sqlite")
