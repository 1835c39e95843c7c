"""The floor of bench/peers.ts: the whole suite as ONE hand-written aggregate
statement, run by a fresh Python process (the project's .venv: duckdb, psycopg2).

    python bench/peers_fused.py duckdb <file.duckdb> <statement.sql>
    python bench/peers_fused.py postgres <dsn> <statement.sql>

The statement returns one row: for each check, one column named after it that is
TRUE when the check passes. Prints one JSON object {check: passed}.
"""

import json
import sys


def main() -> None:
    dialect, target, statement_file = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(statement_file) as f:
        statement = f.read()
    if dialect == "duckdb":
        import duckdb

        connection = duckdb.connect(target, read_only=True)
        cursor = connection.execute(statement)
    else:
        import psycopg2

        connection = psycopg2.connect(target)
        cursor = connection.cursor()
        cursor.execute(statement)
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    connection.close()
    print(json.dumps({name: bool(value) for name, value in zip(names, row)}))


if __name__ == "__main__":
    main()
