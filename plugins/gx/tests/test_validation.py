"""Compile-time answers: ValidateSuite (types, GX's kwarg messages, relation and
columns) and ValidateConfig."""

from floe_quality_gx.model import Check, CheckStatus, Connection, RunOptions
from floe_quality_gx.plugin import SuiteRun


def test_validate_suite_reports_unknown_types_bad_kwargs_and_missing_columns(plugin, pg_connection):
    checks = [
        Check("typo", "not_nul", "email"),
        Check("bad", "between", "amount", parameters={"min_valu": 1}),
        Check("ghost", "unique", "ghost"),
        Check("pair", "pair_greater_than", parameters={"column_a": "shipped_at", "column_b": "nope"}),
        Check("fine", "not_null", "email"),
    ]
    validation = plugin.validate_suite("orders", checks, "", pg_connection, "orders")
    assert not validation.success
    assert [(d.code, d.path, d.message) for d in validation.diagnostics] == [
        (
            "FLOE-DQ101",
            "orders/typo",
            "unknown check type 'not_nul': neither a floe check type nor a Great Expectations expectation type "
            "(e.g. not_null, between, expect_column_values_to_be_of_type)",
        ),
        (
            "FLOE-DQ101",
            "orders/bad",
            "expect_column_values_to_be_between: min_valu: extra fields not permitted; "
            "min_value and max_value cannot both be None",
        ),
        ("FLOE-DQ105", "orders/ghost", "unknown column ghost in orders"),
        ("FLOE-DQ105", "orders/pair", "unknown column nope in orders"),
    ]


def test_validate_suite_without_a_connection_checks_only_the_definitions(plugin):
    validation = plugin.validate_suite("orders", [Check("ghost", "unique", "ghost")], "", None, "")
    assert validation.success
    assert validation.diagnostics == []


def test_validate_suite_names_a_missing_relation(plugin, pg_connection):
    validation = plugin.validate_suite("orders", [Check("a", "not_null", "id")], "", pg_connection, "missing_table")
    assert [(d.code, d.path, d.message) for d in validation.diagnostics] == [
        ("FLOE-DQ100", "orders/relation", "relation 'missing_table' does not exist")
    ]


def test_validate_suite_on_duckdb_accepts_sql_run_types_and_checks_their_column(plugin, data_files):
    connection = Connection("duckdb", path=data_files["duckdb"])
    known = Check("customer_exists", "relationships", "customer_id", parameters={"to": "customers", "field": "id"})
    unknown = Check("buyer_exists", "relationships", "buyer_id", parameters={"to": "customers", "field": "id"})
    validation = plugin.validate_suite("orders", [known, unknown], "", connection, "orders")
    assert [(d.code, d.path) for d in validation.diagnostics] == [("FLOE-DQ105", "orders/buyer_exists")]


def test_validate_config_accepts_this_provider_only(plugin):
    assert plugin.validate_config("great_expectations").success
    assert plugin.validate_config("").success
    other = plugin.validate_config("floe_sql")
    assert [(d.code, d.path) for d in other.diagnostics] == [("FLOE-DQ001", "plugins.quality.provider")]


def test_sql_run_checks_honour_row_condition(plugin, pg_connection):
    def positive_amount(status):
        parameters = {"expression": "amount >= 0", "row_condition": f"status = '{status}'"}
        return Check(f"{status}_positive", "expression_is_true", parameters=parameters)

    orphan_paid = Check(
        "paid_customer_exists",
        "relationships",
        "customer_id",
        parameters={"to": "customers", "field": "id", "row_condition": "status = 'paid'"},
    )
    mostly_positive = Check(
        "mostly_positive", "expression_is_true", parameters={"expression": "amount >= 0", "mostly": 0.8}
    )
    checks = [positive_amount("refunded"), positive_amount("paid"), orphan_paid, mostly_positive]
    results = plugin.run_checks(SuiteRun("orders", checks, pg_connection, "orders", RunOptions(), 60))
    # records_checked: the rows the row condition selects (1 refunded, 5 paid; the paid
    # rows' customer_id is never null); mostly: 7 of 8 ≥ 0.8.
    assert [(r.check_name, r.status, r.records_checked, r.records_failed) for r in results] == [
        ("refunded_positive", CheckStatus.PASSED, 1, 0),
        ("paid_positive", CheckStatus.FAILED, 5, 1),
        ("paid_customer_exists", CheckStatus.PASSED, 5, 0),
        ("mostly_positive", CheckStatus.PASSED, 8, 1),
    ]
