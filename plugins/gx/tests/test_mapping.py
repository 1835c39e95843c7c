"""floe checks → GX expectations: names, kwargs, severity, meta, row conditions, SQL-run
checks, and GX's own validation messages."""

import great_expectations.expectations as gxe
import pytest

from floe_quality_gx.mapping import (
    Backend,
    DuckdbCount,
    find_check_kind,
    gx_kwargs,
    map_check,
    max_age_parts,
)
from floe_quality_gx.model import Check, CheckError, Dimension, Severity

PG = Backend("sql", "postgresql")
PANDAS = Backend("pandas", "duckdb")


def mapped(type_, column="", backend=PG, **parameters):
    return map_check(Check(name="c", type=type_, column=column, parameters=parameters), backend)


def rejection(check, backend=PG):
    with pytest.raises(CheckError) as caught:
        map_check(check, backend)
    return caught.value


CASES = [
    ("not_null", "email", {"mostly": 0.9}, gxe.ExpectColumnValuesToNotBeNull, {"column": "email", "mostly": 0.9}),
    ("unique", "id", {}, gxe.ExpectColumnValuesToBeUnique, {"column": "id"}),
    ("accepted_values", "status", {"values": ["a", "b"]}, gxe.ExpectColumnValuesToBeInSet, {"value_set": ["a", "b"]}),
    ("not_accepted_values", "status", {"values": ["x"]}, gxe.ExpectColumnValuesToNotBeInSet, {"value_set": ["x"]}),
    (
        "between",
        "amount",
        {"min_value": 0, "max_value": 10, "strictly": True, "mostly": 0.5},
        gxe.ExpectColumnValuesToBeBetween,
        {"min_value": 0, "max_value": 10, "strict_min": True, "strict_max": True, "mostly": 0.5},
    ),
    ("regex", "email", {"regex": "^[^@]+@"}, gxe.ExpectColumnValuesToMatchRegex, {"regex": "^[^@]+@"}),
    (
        "length_between",
        "code",
        {"min_value": 2, "max_value": 3},
        gxe.ExpectColumnValueLengthsToBeBetween,
        {"min_value": 2, "max_value": 3},
    ),
    ("row_count_between", "", {"min_value": 1}, gxe.ExpectTableRowCountToBeBetween, {"min_value": 1}),
    ("column_exists", "email", {}, gxe.ExpectColumnToExist, {"column": "email"}),
    ("compound_unique", "", {"columns": ["a", "b"]}, gxe.ExpectCompoundColumnsToBeUnique, {"column_list": ["a", "b"]}),
    (
        "pair_greater_than",
        "",
        {"column_a": "end", "column_b": "start", "or_equal": True},
        gxe.ExpectColumnPairValuesAToBeGreaterThanB,
        {"column_A": "end", "column_B": "start", "or_equal": True},
    ),
    ("mean_between", "amount", {"min_value": 1}, gxe.ExpectColumnMeanToBeBetween, {"min_value": 1}),
    ("min_between", "amount", {"min_value": 1}, gxe.ExpectColumnMinToBeBetween, {"min_value": 1}),
    ("max_between", "amount", {"max_value": 9}, gxe.ExpectColumnMaxToBeBetween, {"max_value": 9}),
    ("sum_between", "amount", {"max_value": 9}, gxe.ExpectColumnSumToBeBetween, {"max_value": 9}),
    (
        "stdev_between",
        "amount",
        {"max_value": 9, "strictly": True},
        gxe.ExpectColumnStdevToBeBetween,
        {"max_value": 9, "strict_max": True},
    ),
    (
        "distinct_count_between",
        "status",
        {"min_value": 2},
        gxe.ExpectColumnUniqueValueCountToBeBetween,
        {"min_value": 2},
    ),
]


@pytest.mark.parametrize(("type_", "column", "parameters", "cls", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_floe_type_becomes_its_gx_expectation_with_translated_kwargs(type_, column, parameters, cls, expected):
    result = mapped(type_, column, **parameters)
    assert type(result.expectation) is cls
    for key, value in expected.items():
        assert getattr(result.expectation, key) == value


def test_gx_and_dbt_spellings_are_aliases_of_floe_types():
    assert find_check_kind("expect_column_values_to_not_be_null").type == "not_null"
    assert find_check_kind("ExpectColumnValuesToBeBetween").type == "between"
    assert find_check_kind("expect_column_pair_values_A_to_be_greater_than_B").type == "pair_greater_than"
    assert find_check_kind("expect_row_values_to_have_recent_data").type == "recency"
    assert find_check_kind("no_such_thing") is None


def test_floe_severity_becomes_gx_severity_and_name_and_dimension_go_to_meta():
    check = Check("email_present", "not_null", "email", Dimension.COMPLETENESS, Severity.WARNING)
    expectation = map_check(check, PG).expectation
    assert expectation.severity.value == "warning"
    assert expectation.meta == {
        "floe_check": "email_present",
        "floe_dimension": "completeness",
        "floe_type": "not_null",
    }


def test_unspecified_dimension_takes_the_vocabulary_default():
    result = map_check(Check("t", "recency", "ts", parameters={"max_age": "P1D"}), PG)
    assert result.check.dimension == Dimension.TIMELINESS
    assert result.expectation.meta["floe_dimension"] == "timeliness"


def test_portable_row_condition_becomes_a_filter_column_the_database_computes():
    result = mapped("not_null", "email", row_condition="status = 'active' AND NOT amount IN (1, 2)")
    assert result.row_filter.sql == "((\"status\" = 'active') AND (NOT (\"amount\" IN (1, 2))))"
    assert result.row_filter.column.startswith("__floe_filter_")
    condition = result.expectation.row_condition
    assert (condition.column.name, str(condition.operator), condition.parameter) == (result.row_filter.column, "==", True)
    assert result.columns == ("email", "status", "amount")


def test_raw_sql_filter_is_computed_by_the_database_as_written():
    result = mapped("not_null", "email", row_condition_sql="lower(status) = 'active'")
    assert result.row_filter.sql == "(lower(status) = 'active')"


def test_gx_condition_syntax_is_rejected_with_the_portable_syntax_hint():
    error = rejection(Check("c", "not_null", "email", parameters={"row_condition": 'col("status") == "active"'}))
    assert error.code == "FLOE-DQ101"
    assert "row_condition: expected a comparison, IN or IS [NOT] NULL, found ( (at character 4)" in error.message
    assert "status = 'active' AND amount > 0" in error.message


def test_raw_gx_expectation_type_takes_gx_kwargs_from_parameters():
    check = Check("c", "expect_column_values_to_be_of_type", "amount", parameters={"type_": "INTEGER"})
    result = map_check(check, PG)
    assert type(result.expectation) is gxe.ExpectColumnValuesToBeOfType
    assert result.expectation.type_ == "INTEGER"
    assert result.kind is None


def test_raw_gx_kwargs_are_validated_by_gx_models():
    error = rejection(Check("c", "expect_column_values_to_be_between", "a", parameters={"min_valu": 1}))
    assert error.code == "FLOE-DQ101"
    assert error.message == (
        "expect_column_values_to_be_between: min_valu: extra fields not permitted; "
        "min_value and max_value cannot both be None"
    )


def test_out_of_range_mostly_is_rejected_by_gx():
    error = rejection(Check("c", "not_null", "a", parameters={"mostly": 3}))
    assert error.code == "FLOE-DQ101"
    assert error.message.startswith(
        "expect_column_values_to_not_be_null: mostly: ensure this value is less than or equal to 1"
    )


def test_unknown_type_names_both_vocabularies():
    error = rejection(Check("c", "expect_the_unexpected", "a"))
    assert error.code == "FLOE-DQ101"
    assert "unknown check type 'expect_the_unexpected'" in error.message


def test_relationships_runs_as_quoted_sql_through_unexpected_rows_expectation():
    result = mapped("relationships", 'cust"id', to="sales.customers", field="id")
    assert type(result.expectation) is gxe.UnexpectedRowsExpectation
    assert result.expectation.unexpected_rows_query == (
        'SELECT * FROM {batch} WHERE "cust""id" IS NOT NULL AND "cust""id" NOT IN '
        '(SELECT "id" FROM "sales"."customers" WHERE "id" IS NOT NULL)'
    )


def test_braces_in_names_are_escaped_for_gx_query_template():
    result = mapped("relationships", "a{b}", to="s.p{q}", field="id")
    assert result.expectation.unexpected_rows_query == (
        'SELECT * FROM {batch} WHERE "a{{b}}" IS NOT NULL AND "a{{b}}" NOT IN '
        '(SELECT "id" FROM "s"."p{{q}}" WHERE "id" IS NOT NULL)'
    )


def test_recency_compares_the_latest_value_with_now_minus_max_age_in_calendar_months():
    postgres = mapped("recency", "ts", max_age="P1MT6H").expectation.unexpected_rows_query
    assert postgres == (
        'SELECT MAX("ts") AS latest FROM {batch} HAVING MAX("ts") IS NULL OR '
        "CAST(MAX(\"ts\") AS TIMESTAMP) < CAST(now() AS TIMESTAMP) - CAST('1 months 0 days 21600 seconds' AS INTERVAL)"
    )
    sqlite = mapped(
        "recency", "ts", backend=Backend("sql", "sqlite"), max_age="P1MT30M"
    ).expectation.unexpected_rows_query
    assert sqlite.endswith("MAX(\"ts\") < datetime('now', '-1 months', '-0 days', '-1800 seconds')")


def test_expression_is_true_selects_rows_where_the_expression_is_false_with_braces_escaped():
    query = mapped("expression_is_true", expression="tags <> '{}' AND a >= b").expectation.unexpected_rows_query
    assert query == "SELECT * FROM {batch} WHERE NOT (tags <> '{{}}' AND a >= b)"


def test_sql_run_checks_on_duckdb_are_counted_by_duckdb_with_quoted_names_and_bound_values():
    relationships = map_check(
        Check(
            "c",
            "relationships",
            'cust"id',
            parameters={"to": "sales.customers", "field": "id", "row_condition": "status = 'refunded'"},
        ),
        PANDAS,
    )
    assert relationships.expectation is None
    assert relationships.duckdb_count == DuckdbCount(
        failed='"cust""id" NOT IN (SELECT "id" FROM "sales"."customers" WHERE "id" IS NOT NULL)',
        evaluated='(("status" = \'refunded\')) AND "cust""id" IS NOT NULL',
    )
    expression = map_check(
        Check("e", "expression_is_true", parameters={"expression": "a >= b", "mostly": 0.9}), PANDAS
    )
    assert expression.duckdb_count == DuckdbCount(failed="NOT (a >= b)", evaluated="TRUE", mostly=0.9)


def test_sql_run_checks_name_missing_and_unknown_parameters():
    error = rejection(Check("c", "relationships", "a", parameters={"to": "p", "fild": "id"}))
    assert error.message == "relationships: missing parameter field; unknown parameter fild"


def test_parameters_the_vocabulary_requires_are_not_left_to_gx_defaults():
    error = rejection(Check("c", "regex", "code"))
    assert (error.code, error.message) == ("FLOE-DQ101", "regex: missing parameter regex")
    error = rejection(Check("c", "accepted_values", "status"))
    assert (error.code, error.message) == ("FLOE-DQ101", "accepted_values: missing parameter values")


def test_max_age_is_parsed_by_the_sdk_in_calendar_months():
    parts = max_age_parts("P1M2DT6H")
    assert (parts.months, parts.days, parts.seconds) == (1, 2, 21600)
    with pytest.raises(CheckError):
        max_age_parts("1 day")


def test_gx_kwargs_come_from_the_vocabulary_renames_and_fixed_kwargs():
    assert gx_kwargs(find_check_kind("accepted_values"), {"values": [1], "mostly": 0.5}) == {
        "value_set": [1],
        "mostly": 0.5,
    }
    assert gx_kwargs(find_check_kind("pair_greater_than"), {"column_a": "a", "column_b": "b"}) == {
        "column_A": "a",
        "column_B": "b",
        "ignore_row_if": "either_value_is_missing",
    }


def test_strict_min_and_strict_max_stay_one_sided():
    expectation = mapped("between", "x", min_value=1, max_value=10, strict_min=True).expectation
    assert (expectation.strict_min, expectation.strict_max) == (True, False)


def test_column_exists_reads_no_column_up_front():
    assert mapped("column_exists", "maybe").columns == ()
    assert mapped("pair_greater_than", column_a="a", column_b="b").columns == ("a", "b")


def test_sql_run_checks_filter_by_the_row_condition_in_their_own_query():
    query = mapped("expression_is_true", expression="a >= b", row_condition="\"Status\" = 'paid'")
    assert (
        query.expectation.unexpected_rows_query
        == "SELECT * FROM {batch} WHERE ((\"Status\" = 'paid')) AND NOT (a >= b)"
    )
    recency = mapped("recency", "ts", max_age="PT1H", row_condition="region IS NOT NULL")
    assert recency.expectation.unexpected_rows_query == (
        'SELECT MAX("ts") AS latest FROM {batch} WHERE (("region" IS NOT NULL)) '
        'HAVING MAX("ts") IS NULL OR CAST(MAX("ts") AS TIMESTAMP) < CAST(now() AS TIMESTAMP) - '
        "CAST('0 months 0 days 3600 seconds' AS INTERVAL)"
    )
