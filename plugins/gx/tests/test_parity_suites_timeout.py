"""Parity with a plain GX script on the same PostgreSQL table, native suite files,
and the suite deadline on PostgreSQL."""

import json
import time

import great_expectations as gx
import great_expectations.expectations as gxe
import pytest

from floe_quality_gx.model import Check, CheckStatus, Dimension, RequestError, RunOptions, Severity
from floe_quality_gx.plugin import GxPlugin, SuiteRun

# The same expectations written twice: as floe checks, and as a GX user would.
PAIRS = [
    (Check("c1", "not_null", "email"), gxe.ExpectColumnValuesToNotBeNull(column="email")),
    (Check("c2", "unique", "id"), gxe.ExpectColumnValuesToBeUnique(column="id")),
    (
        Check("c3", "accepted_values", "status", parameters={"values": ["paid", "refunded"]}),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=["paid", "refunded"]),
    ),
    (
        Check("c4", "between", "amount", parameters={"min_value": 0, "max_value": 100, "mostly": 0.7}),
        gxe.ExpectColumnValuesToBeBetween(column="amount", min_value=0, max_value=100, mostly=0.7),
    ),
    (
        Check("c5", "regex", "email", parameters={"regex": "^[^@]+@"}),
        gxe.ExpectColumnValuesToMatchRegex(column="email", regex="^[^@]+@"),
    ),
    (
        Check("c6", "length_between", "code", parameters={"min_value": 2, "max_value": 3}),
        gxe.ExpectColumnValueLengthsToBeBetween(column="code", min_value=2, max_value=3),
    ),
    (
        Check("c7", "compound_unique", parameters={"columns": ["customer_id", "status"]}),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["customer_id", "status"]),
    ),
    (
        Check("c8", "pair_greater_than", parameters={"column_a": "shipped_at", "column_b": "created_at"}),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="shipped_at", column_B="created_at"),
    ),
    (
        Check("c9", "not_accepted_values", "status", parameters={"values": ["bogus"]}),
        gxe.ExpectColumnValuesToNotBeInSet(column="status", value_set=["bogus"]),
    ),
    (
        Check("c10", "row_count_between", parameters={"min_value": 1, "max_value": 5}),
        gxe.ExpectTableRowCountToBeBetween(min_value=1, max_value=5),
    ),
]


def plain_gx_results(postgres):
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_postgres("plain", connection_string=postgres.url())
    batch_definition = source.add_table_asset("orders", table_name="orders").add_batch_definition_whole_table("all")
    suite = context.suites.add(gx.ExpectationSuite(name="plain"))
    for index, (_, expectation) in enumerate(PAIRS):
        expectation.meta = {"index": index}
        suite.add_expectation(expectation)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name="plain", data=batch_definition, suite=suite)
    )
    results = definition.run(result_format="SUMMARY").to_json_dict()["results"]
    return {r["expectation_config"]["meta"]["index"]: r for r in results}


def test_plugin_and_plain_gx_agree_on_every_expectation(plugin, postgres, pg_connection):
    plain = plain_gx_results(postgres)
    checks = [check for check, _ in PAIRS]
    ours = {
        r.check_name: r
        for r in plugin.run_checks(SuiteRun("orders", checks, pg_connection, "orders", RunOptions(), 60))
    }
    for index, (check, _) in enumerate(PAIRS):
        gx_result = plain[index]["result"]
        mine = ours[check.name]
        assert mine.passed == plain[index]["success"], check.name
        if "element_count" in gx_result:
            # records_checked counts the rows GX evaluated: its element_count less the
            # nulls it reports as missing (not_null reports none).
            assert (mine.records_checked, mine.records_failed) == (
                gx_result["element_count"] - gx_result.get("missing_count", 0),
                gx_result["unexpected_count"],
            ), check.name
        else:
            assert mine.details["observed_value"] == gx_result["observed_value"], check.name


NATIVE_SUITE = {
    "name": "orders_native",
    "notes": "orders as the data team wrote them in GX",
    "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "email"}, "severity": "warning"},
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "amount", "min_value": 0, "max_value": 100},
            "meta": {"floe_check": "amount_in_range", "floe_dimension": "validity"},
        },
        {
            "type": "expect_column_values_to_be_of_type",
            "kwargs": {"column": "id", "type_": "INTEGER"},
            "severity": "info",
        },
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "email", "mostly": 0.5}},
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {
                "column": "email",
                "row_condition": {
                    "type": "comparison",
                    "column": {"name": "status"},
                    "operator": "==",
                    "parameter": "paid",
                },
            },
            "meta": {"floe_check": "paid_have_email"},
        },
    ],
    "meta": {"great_expectations_version": "1.24.1"},
}


@pytest.fixture
def suites_plugin(plugin, tmp_path):
    (tmp_path / "orders_native.json").write_text(json.dumps(NATIVE_SUITE))
    (tmp_path / "broken.json").write_text('{"name": "broken", "expectations": [')
    (tmp_path / "notes.txt").write_text("not a suite")
    other = GxPlugin(str(tmp_path))
    other.runtime = plugin.runtime
    return other


def test_list_suites_returns_the_suite_files_and_skips_broken_ones(suites_plugin, tmp_path):
    assert suites_plugin.list_suites() == [
        {
            "name": "orders_native",
            "description": "orders as the data team wrote them in GX",
            "check_count": 5,
            "source": str(tmp_path / "orders_native.json"),
        }
    ]


def test_native_suite_runs_with_dimension_and_severity_from_meta_and_defaults(suites_plugin, pg_connection):
    run = SuiteRun("orders", [], pg_connection, "orders", RunOptions(), 60, native_suite="orders_native")
    results = {r.check_name: r for r in suites_plugin.run_checks(run)}
    assert list(results) == [
        "expect_column_values_to_not_be_null.email",
        "amount_in_range",
        "expect_column_values_to_be_of_type.id",
        "expect_column_values_to_not_be_null.email#2",
        "paid_have_email",
    ]
    first = results["expect_column_values_to_not_be_null.email"]
    assert (first.status, first.records_checked, first.records_failed) == (CheckStatus.FAILED, 8, 2)
    assert (first.dimension, first.severity) == (Dimension.COMPLETENESS, Severity.WARNING)
    amount = results["amount_in_range"]
    assert (amount.status, amount.records_failed, amount.dimension, amount.severity) == (
        CheckStatus.FAILED,
        2,
        Dimension.VALIDITY,
        Severity.CRITICAL,
    )
    typed = results["expect_column_values_to_be_of_type.id"]
    assert (typed.status, typed.dimension, typed.severity) == (CheckStatus.PASSED, Dimension.VALIDITY, Severity.INFO)
    assert results["expect_column_values_to_not_be_null.email#2"].status == CheckStatus.PASSED
    paid = results["paid_have_email"]
    assert (paid.status, paid.records_checked, paid.records_failed) == (CheckStatus.FAILED, 5, 1)


def test_broken_suite_json_is_a_request_error_naming_the_file_and_position(suites_plugin, pg_connection, tmp_path):
    run = SuiteRun("orders", [], pg_connection, "orders", RunOptions(), 60, native_suite="broken")
    with pytest.raises(RequestError) as caught:
        list(suites_plugin.run_checks(run))
    assert caught.value.code == "FLOE-DQ100"
    assert caught.value.message == f"{tmp_path / 'broken.json'}: not valid JSON (line 1, column 37: Expecting value)"


def test_unknown_native_suite_lists_the_known_ones(suites_plugin, pg_connection):
    run = SuiteRun("orders", [], pg_connection, "orders", RunOptions(), 60, native_suite="nope")
    with pytest.raises(RequestError) as caught:
        list(suites_plugin.run_checks(run))
    assert "native suite 'nope' not found" in caught.value.message
    assert "(suites there: orders_native)" in caught.value.message


def active_sleeps(postgres):
    connection = postgres.connect()
    try:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep%' "
                "AND pid <> pg_backend_pid()"
            )
            return cur.fetchone()[0]
    finally:
        connection.close()


def test_deadline_times_out_unfinished_checks_and_cancels_the_postgres_query(plugin, postgres, pg_connection):
    slow = Check("slow", "expression_is_true", parameters={"expression": "pg_sleep(5) IS NOT NULL"})
    quick = Check("quick", "not_null", "email")
    started = time.monotonic()
    results = list(plugin.run_checks(SuiteRun("orders", [slow, quick], pg_connection, "orders", RunOptions(), 1.0)))
    elapsed = time.monotonic() - started
    assert elapsed < 1.0 + 2.0
    assert [(r.check_name, r.status, r.error_code) for r in results] == [
        ("slow", CheckStatus.TIMED_OUT, "FLOE-DQ106"),
        ("quick", CheckStatus.TIMED_OUT, "FLOE-DQ106"),
    ]
    deadline = time.monotonic() + 5.0
    while active_sleeps(postgres) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert active_sleeps(postgres) == 0
    # The next run on the same cached data source is unaffected.
    again = list(plugin.run_checks(SuiteRun("orders", [quick], pg_connection, "orders", RunOptions(), 30)))
    assert (again[0].status, again[0].records_failed) == (CheckStatus.FAILED, 2)
