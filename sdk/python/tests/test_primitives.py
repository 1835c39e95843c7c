"""The Python SDK primitives against the shared vectors (sdk/vectors/*.json), which
the TypeScript SDK's tests read too: one meaning per rule in both languages."""

import datetime
import json
from pathlib import Path

import pytest

from floe_quality_sdk.duration import interval_text, parse_iso_duration, subtract_duration
from floe_quality_sdk.enums import (
    check_status_from_wire,
    check_status_to_wire,
    dimension_from_wire,
    dimension_to_wire,
    severity_from_wire,
    severity_to_wire,
)
from floe_quality_sdk.names import (
    RelationNameError,
    display_relation,
    parse_relation,
    quote_identifier,
    quote_relation,
    quote_spark_identifier,
    stored_identifier,
)
from floe_quality_sdk.row_condition import (
    RowConditionError,
    condition_columns,
    condition_to_sql,
    parse_row_condition,
    sql_literal,
)
from floe_quality_sdk.vocabulary import normalize_parameters

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
PRIMITIVES = json.loads((VECTORS / "primitives.json").read_text(encoding="utf-8"))
CONDITIONS = json.loads((VECTORS / "row-conditions.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", PRIMITIVES["relations"], ids=lambda c: c["text"])
def test_relation_names_parse_quote_and_display_as_in_typescript(case):
    relation = parse_relation(case["text"])
    assert [relation.database, relation.schema, relation.identifier] == case["parts"]
    assert quote_relation(relation) == case.get("quoted_exact", case["quoted"])
    assert display_relation(relation) == case["display"]
    assert parse_relation(display_relation(relation)) == relation


@pytest.mark.parametrize("text", PRIMITIVES["bad_relations"])
def test_malformed_relation_names_are_refused(text):
    with pytest.raises(RelationNameError):
        parse_relation(text)


@pytest.mark.parametrize("case", PRIMITIVES["identifiers"], ids=lambda c: c["name"])
def test_identifiers_are_quoted_alike_in_both_dialects(case):
    assert quote_identifier(case["name"], "duckdb") == case["quoted"]
    assert quote_identifier(case["name"], "postgres") == case["quoted"]


@pytest.mark.parametrize("case", PRIMITIVES["spark_identifiers"], ids=lambda c: c["name"])
def test_spark_identifiers_are_back_quoted(case):
    assert quote_spark_identifier(case["name"]) == case["quoted"]


@pytest.mark.parametrize("case", PRIMITIVES["stored_identifiers"], ids=lambda c: c["dialect"] + c["name"][:8])
def test_stored_identifiers_follow_the_dialect_length_rule(case):
    assert stored_identifier(case["name"], case["dialect"]) == case["stored"]


@pytest.mark.parametrize("case", PRIMITIVES["durations"], ids=lambda c: c["text"])
def test_durations_parse_into_calendar_months_days_and_seconds(case):
    parts = parse_iso_duration(case["text"])
    assert (parts.months, parts.days, parts.seconds) == (case["months"], case["days"], case["seconds"])
    assert interval_text(parts) == case["interval"]


@pytest.mark.parametrize("text", PRIMITIVES["bad_durations"])
def test_malformed_durations_are_refused(text):
    with pytest.raises(ValueError):
        parse_iso_duration(text)


def _instant(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("case", PRIMITIVES["cutoffs"], ids=lambda c: c["at"] + c["max_age"])
def test_cutoffs_use_calendar_months(case):
    assert subtract_duration(_instant(case["at"]), parse_iso_duration(case["max_age"])) == _instant(case["cutoff"])


def test_wire_enums_map_names_to_numbers_and_back():
    enums = PRIMITIVES["enums"]
    for name, wire in enums["dimension"].items():
        assert (dimension_to_wire(name), dimension_from_wire(wire)) == (wire, name)
    for name, wire in enums["severity"].items():
        assert (severity_to_wire(name), severity_from_wire(wire)) == (wire, name)
    for name, wire in enums["check_status"].items():
        assert (check_status_to_wire(name), check_status_from_wire(wire)) == (wire, name)
    for wire in enums["unknown_wire"]:
        assert (dimension_from_wire(wire), severity_from_wire(wire), check_status_from_wire(wire)) == (None,) * 3


@pytest.mark.parametrize("case", PRIMITIVES["parameters"], ids=lambda c: json.dumps(c["written"]))
def test_parameter_spellings_normalize_as_in_typescript(case):
    assert normalize_parameters(case["written"]) == case["normalized"]


@pytest.mark.parametrize("case", CONDITIONS["valid"], ids=lambda c: c["text"])
def test_row_conditions_translate_to_the_same_sql_as_in_typescript(case):
    parsed = parse_row_condition(case["text"])
    assert condition_columns(parsed) == case["columns"]
    assert condition_to_sql(parsed, quote_identifier, sql_literal) == case["sql"]


@pytest.mark.parametrize("case", CONDITIONS["invalid"], ids=lambda c: c["text"] or "empty")
def test_malformed_row_conditions_are_refused_at_the_same_place(case):
    with pytest.raises(RowConditionError) as caught:
        parse_row_condition(case["text"])
    assert caught.value.offset == case["offset"]


def test_row_conditions_nested_too_deep_are_refused():
    with pytest.raises(RowConditionError, match="nested more than 32"):
        parse_row_condition("(" * 40 + "x = 1" + ")" * 40)
