"""Every supported check type on real PostgreSQL, SQLite and DuckDB data seeded with
known defects (seed.py): exact statuses and counts."""

import pytest
from floe_quality_sdk.names import quote_identifier

from floe_quality_gx.model import Check, CheckStatus, Connection, Dimension, RunOptions, Severity
from floe_quality_gx.plugin import SuiteRun

FAILED, PASSED, ERROR = CheckStatus.FAILED, CheckStatus.PASSED, CheckStatus.ERROR

# name, type, column, parameters, status, records_checked, records_failed, observed_value
# records_checked of a row check counts the rows evaluated: nulls only by not_null.
EXPECTED = [
    ("email_present", "not_null", "email", {}, FAILED, 8, 2, None),
    ("id_unique", "unique", "id", {}, FAILED, 8, 2, None),
    ("status_known", "accepted_values", "status", {"values": ["paid", "refunded", "cancelled"]}, FAILED, 8, 1, None),
    ("status_not_void", "not_accepted_values", "status", {"values": ["bogus", "void"]}, FAILED, 8, 1, None),
    ("amount_range", "between", "amount", {"min_value": 0, "max_value": 100}, FAILED, 7, 2, None),
    ("amount_mostly", "between", "amount", {"min_value": 0, "max_value": 100, "mostly": 0.7}, PASSED, 7, 2, None),
    ("email_format", "regex", "email", {"regex": "^[^@]+@[^@]+[.][a-z]+$"}, FAILED, 6, 1, None),
    ("code_length", "length_between", "code", {"min_value": 2, "max_value": 3}, FAILED, 7, 2, None),
    ("enough_rows", "row_count_between", "", {"min_value": 10}, FAILED, 8, 0, 8),
    ("has_email", "column_exists", "email", {}, PASSED, 8, 0, None),
    ("has_phone", "column_exists", "phone", {}, FAILED, 8, 0, None),
    ("customer_status_unique", "compound_unique", "", {"columns": ["customer_id", "status"]}, FAILED, 8, 4, None),
    (
        "shipped_after_created",
        "pair_greater_than",
        "",
        {"column_a": "shipped_at", "column_b": "created_at", "or_equal": True},
        FAILED,
        8,
        1,
        None,
    ),
    ("amount_mean", "mean_between", "amount", {"min_value": 0, "max_value": 50}, FAILED, 8, 0, 1095 / 7),
    ("amount_min", "min_between", "amount", {"min_value": 0}, FAILED, 8, 0, -5.0),
    ("amount_max", "max_between", "amount", {"max_value": 100}, FAILED, 8, 0, 1000.0),
    ("amount_sum", "sum_between", "amount", {"min_value": 1000, "max_value": 1100}, PASSED, 8, 0, 1095.0),
    ("amount_stdev", "stdev_between", "amount", {"max_value": 10}, FAILED, 8, 0, 372.15268244044546),
    ("status_variety", "distinct_count_between", "status", {"min_value": 3, "max_value": 4}, PASSED, 8, 0, 4),
    ("paid_email", "not_null", "email", {"row_condition": "status = 'paid'"}, FAILED, 5, 1, None),
]

# Checks GX has no expectation for, run as SQL (by GX on SQL backends, by DuckDB on DuckDB).
SQL_RUN = [
    ("customer_exists", "relationships", "customer_id", {"to": "customers", "field": "id"}, FAILED, 7, 1),
    ("fresh", "recency", "created_at", {"max_age": "P1D"}, FAILED, 8, 0),
    ("fresh_enough", "recency", "created_at", {"max_age": "P36500D"}, PASSED, 8, 0),
    ("amount_positive", "expression_is_true", "", {"expression": "amount >= 0"}, FAILED, 8, 1),
]


def checks(rows):
    return [Check(name=r[0], type=r[1], column=r[2], parameters=r[3]) for r in rows]


def run(plugin, connection, check_list, relation="orders", options=None, timeout_s=60.0):
    results = plugin.run_checks(
        SuiteRun("orders", check_list, connection, relation, options or RunOptions(), timeout_s)
    )
    return {r.check_name: r for r in results}


@pytest.fixture(params=["postgres", "sqlite", "duckdb"])
def connection(request, pg_connection, data_files):
    if request.param == "postgres":
        return pg_connection
    return Connection(request.param, path=data_files[request.param])


def test_every_gx_check_type_gives_exact_counts(plugin, connection):
    results = run(plugin, connection, checks(EXPECTED))
    assert set(results) == {r[0] for r in EXPECTED}
    for name, _type, _column, _params, status, checked, failed, observed in EXPECTED:
        result = results[name]
        assert (name, result.status, result.records_checked, result.records_failed) == (name, status, checked, failed)
        if observed is not None:
            assert result.details["observed_value"] == pytest.approx(observed, rel=1e-12), name


@pytest.mark.parametrize("dialect", ["postgres", "sqlite"])
def test_sql_run_checks_give_exact_counts_on_sql_backends(plugin, pg_connection, data_files, dialect):
    connection = pg_connection if dialect == "postgres" else Connection("sqlite", path=data_files["sqlite"])
    results = run(plugin, connection, checks(SQL_RUN))
    for name, _type, _column, _params, status, checked, failed in SQL_RUN:
        assert (name, results[name].status, results[name].records_checked, results[name].records_failed) == (
            name,
            status,
            checked,
            failed,
        )


def test_sql_shaped_checks_on_duckdb_are_counted_by_duckdb(plugin, data_files):
    sql_only = [row for row in SQL_RUN if row[1] != "recency"]
    paid_orphans = Check(
        "paid_customer_exists",
        "relationships",
        "customer_id",
        parameters={"to": "customers", "field": "id", "row_condition": "status = 'refunded'"},
    )
    mostly_positive = Check(
        "mostly_positive", "expression_is_true", parameters={"expression": "amount >= 0", "mostly": 0.8}
    )
    bad_sql = Check("bad_sql", "expression_is_true", parameters={"expression": "no_such_column > 0"})
    results = run(
        plugin,
        Connection("duckdb", path=data_files["duckdb"]),
        [*checks(sql_only + EXPECTED[:1]), paid_orphans, mostly_positive, bad_sql],
    )
    counts = {name: (r.status, r.records_checked, r.records_failed) for name, r in results.items()}
    assert counts == {
        "customer_exists": (FAILED, 7, 1),
        "amount_positive": (FAILED, 8, 1),
        "email_present": (FAILED, 8, 2),
        "paid_customer_exists": (FAILED, 1, 1),
        "mostly_positive": (PASSED, 8, 1),
        "bad_sql": (ERROR, 0, 0),
    }
    assert results["customer_exists"].details == {"evaluated_by": "duckdb"}
    assert results["bad_sql"].error_code == "FLOE-DQ102"
    assert results["bad_sql"].error_message.startswith("DuckDB: Binder Error")


def test_timestamptz_columns_on_duckdb_are_compared_in_utc(plugin, tmp_path):
    import duckdb

    path = str(tmp_path / "tz.duckdb")
    db = duckdb.connect(path)
    db.execute("CREATE TABLE events (seen_at TIMESTAMPTZ)")
    db.execute("INSERT INTO events VALUES (now() - INTERVAL 1 HOUR)")
    db.close()
    fresh = Check("fresh", "recency", "seen_at", parameters={"max_age": "PT3H"})
    stale = Check("stale", "recency", "seen_at", parameters={"max_age": "PT30M"})
    results = run(plugin, Connection("duckdb", path=path), [fresh, stale], relation="events")
    assert [(r.check_name, r.status) for r in results.values()] == [("fresh", PASSED), ("stale", FAILED)]


def test_recency_on_duckdb_is_gx_max_at_or_after_now_minus_max_age(plugin, data_files):
    recency = [row for row in SQL_RUN if row[1] == "recency"]
    stale_paid = Check(
        "paid_fresh", "recency", "created_at", parameters={"max_age": "P1D", "row_condition": "status = 'paid'"}
    )
    results = run(plugin, Connection("duckdb", path=data_files["duckdb"]), [*checks(recency), stale_paid])
    assert [(r.check_name, r.status, r.records_checked, r.records_failed) for r in results.values()] == [
        ("fresh", FAILED, 8, 0),
        ("fresh_enough", PASSED, 8, 0),
        ("paid_fresh", FAILED, 8, 0),
    ]
    assert results["fresh"].details["observed_value"] == "2026-01-01T00:00:00"
    assert results["fresh"].details["gx_expectation"] == "expect_column_max_to_be_between"


def test_results_carry_dimension_severity_type_column_and_failing_samples(plugin, pg_connection):
    check = Check(
        "amount_range", "between", "amount", Dimension.ACCURACY, Severity.WARNING, {"min_value": 0, "max_value": 100}
    )
    result = run(plugin, pg_connection, [check], options=RunOptions(max_failing_samples=5))["amount_range"]
    assert (result.dimension, result.severity, result.check_type, result.column) == (
        Dimension.ACCURACY,
        Severity.WARNING,
        "between",
        "amount",
    )
    assert sorted(result.details["failing_samples"]) == [-5.0, 1000.0]
    assert result.details["gx_expectation"] == "expect_column_values_to_be_between"


def test_sensitive_columns_are_never_sampled(plugin, pg_connection):
    check = Check("email_format", "regex", "email", parameters={"regex": "^[^@]+@[^@]+[.][a-z]+$"})
    options = RunOptions(max_failing_samples=5, sensitive_columns=frozenset({"email"}))
    result = run(plugin, pg_connection, [check], options=options)["email_format"]
    assert result.records_failed == 1
    assert "failing_samples" not in result.details


def test_disabled_checks_are_skipped_and_identical_expectations_each_get_a_result(plugin, pg_connection):
    same = [
        Check("a", "not_null", "email"),
        Check("b", "not_null", "email"),
        Check("off", "unique", "id", enabled=False),
    ]
    results = run(plugin, pg_connection, same)
    assert (results["a"].records_failed, results["b"].records_failed) == (2, 2)
    assert results["off"].status == CheckStatus.SKIPPED


def test_unknown_column_is_a_per_check_floe_dq105_and_the_rest_still_runs(plugin, connection):
    results = run(plugin, connection, [Check("ghost", "not_null", "ghost"), *checks(EXPECTED[:1])])
    assert results["ghost"].status == ERROR
    assert results["ghost"].error_code == "FLOE-DQ105"
    assert results["ghost"].error_message == "unknown column ghost in orders"
    assert results["email_present"].records_failed == 2


def test_expectation_gx_rejects_is_a_per_check_floe_dq101_with_gx_message(plugin, pg_connection):
    bad = Check("bad", "expect_column_values_to_be_between", "amount", parameters={"min_valu": 1})
    results = run(plugin, pg_connection, [bad, *checks(EXPECTED[:1])])
    assert results["bad"].status == ERROR
    assert results["bad"].error_code == "FLOE-DQ101"
    assert "min_valu: extra fields not permitted" in results["bad"].error_message
    assert results["email_present"].status == FAILED


def test_missing_table_errors_every_check_with_the_relation_named(plugin, connection):
    results = run(plugin, connection, checks(EXPECTED[:2]), relation="no_such_table")
    for result in results.values():
        assert result.status == ERROR
        assert result.error_code == "FLOE-DQ100"
        assert "no_such_table" in result.error_message
        assert "Traceback" not in result.error_message


def test_duckdb_table_over_the_row_limit_points_to_floe_sql(plugin, data_files):
    connection = Connection("duckdb", path=data_files["duckdb"], options={"gx_duckdb_row_limit": "10"})
    results = run(plugin, connection, [Check("id_present", "not_null", "id")], relation="big")
    result = results["id_present"]
    assert result.status == ERROR
    assert result.error_code == "FLOE-DQ100"
    assert result.error_message.startswith(
        "DuckDB table big has 50 rows, over the great_expectations provider's row limit of 10"
    )
    assert "floe_sql provider" in result.error_message


def test_raw_gx_expectation_runs_through_the_plugin(plugin, pg_connection):
    raw = Check(
        "amount_is_number",
        "expect_column_values_to_be_in_type_list",
        "amount",
        parameters={"type_list": ["DOUBLE PRECISION", "FLOAT"]},
    )
    result = run(plugin, pg_connection, [raw])["amount_is_number"]
    assert result.status == PASSED


def test_unreachable_database_is_a_per_check_floe_dq100_without_credentials(plugin):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connection = Connection("postgres", host="127.0.0.1", port=port, database="shop", user="etl", password="s3cret-pw")
    for _ in range(2):  # the failed data source is not cached
        results = run(plugin, connection, [Check("id_present", "not_null", "id")])
        result = results["id_present"]
        assert (result.status, result.error_code) == (ERROR, "FLOE-DQ100")
        assert result.error_message.startswith(f"cannot connect to postgres 127.0.0.1:{port}/shop: ")
        assert "Connection refused" in result.error_message
        assert "s3cret-pw" not in result.error_message


def test_unsupported_dialect_names_the_supported_ones(plugin):
    results = run(plugin, Connection("oracle", host="db"), [Check("id_present", "not_null", "id")])
    assert results["id_present"].error_message == (
        "dialect 'oracle' is not supported by the great_expectations provider (postgres, sqlite, duckdb)"
    )


HOSTILE_TABLES = ('Odd"; DROP TABLE orders; --\'', "select", "Ünïcødé {tâble}")
HOSTILE_COLUMN = 'na"me\'); DELETE FROM orders; --'


def test_postgres_sessions_are_read_only_so_a_checks_sql_cannot_write(plugin, postgres, pg_connection):
    admin = postgres.connect()
    with admin.cursor() as cur:
        cur.execute("CREATE SEQUENCE IF NOT EXISTS floe_write_probe")
    admin.commit()
    writes = Check("writes", "expression_is_true", parameters={"expression": "nextval('floe_write_probe') > 0"})
    result = run(plugin, pg_connection, [writes])["writes"]
    assert (result.status, result.error_code) == (ERROR, "FLOE-DQ102")
    assert "read-only transaction" in result.error_message
    with admin.cursor() as cur:
        cur.execute("SELECT is_called FROM floe_write_probe")
        assert cur.fetchall() == [(False,)]
    admin.close()


@pytest.mark.parametrize("table", HOSTILE_TABLES)
def test_hostile_table_and_column_names_are_quoted_on_postgres(plugin, postgres, pg_connection, table):
    quoted = quote_identifier

    connection = postgres.connect()
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE {quoted(table)} ({quoted(HOSTILE_COLUMN)} TEXT)")
        cur.execute(f"INSERT INTO {quoted(table)} VALUES (%s), (%s), (NULL)", ("a", "b"))
    connection.commit()
    connection.close()
    checks_on_table = [
        Check("present", "not_null", HOSTILE_COLUMN),
        Check("known", "accepted_values", HOSTILE_COLUMN, parameters={"values": ["a"]}),
        Check("in_itself", "relationships", HOSTILE_COLUMN, parameters={"to": table, "field": HOSTILE_COLUMN}),
        Check("true", "expression_is_true", parameters={"expression": "1 = 1"}),
    ]
    results = run(plugin, pg_connection, checks_on_table, relation=table)
    assert [(r.check_name, r.status, r.records_checked, r.records_failed) for r in results.values()] == [
        ("present", FAILED, 3, 1),
        ("known", FAILED, 2, 1),
        ("in_itself", PASSED, 2, 0),
        ("true", PASSED, 3, 0),
    ]
    assert run(plugin, pg_connection, checks(EXPECTED[:1]))["email_present"].records_checked == 8


def test_hostile_names_are_quoted_in_the_checks_duckdb_counts(plugin, tmp_path):
    import duckdb

    table = HOSTILE_TABLES[0]
    path = str(tmp_path / "hostile.duckdb")
    db = duckdb.connect(path)
    quoted_table = quote_identifier(table)
    quoted_column = quote_identifier(HOSTILE_COLUMN)
    db.execute(f"CREATE TABLE {quoted_table} ({quoted_column} TEXT)")
    db.execute(f"INSERT INTO {quoted_table} VALUES ('a'), ('b'), (NULL)")
    db.close()
    checks_on_table = [
        Check("in_itself", "relationships", HOSTILE_COLUMN, parameters={"to": table, "field": HOSTILE_COLUMN}),
        Check("not_a", "expression_is_true", parameters={"expression": f"{quoted_column} <> 'a'"}),
    ]
    results = run(plugin, Connection("duckdb", path=path), checks_on_table, relation=table)
    assert [(r.check_name, r.status, r.records_checked, r.records_failed) for r in results.values()] == [
        ("in_itself", PASSED, 2, 0),
        ("not_a", FAILED, 3, 1),
    ]
