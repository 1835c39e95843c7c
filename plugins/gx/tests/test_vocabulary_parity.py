"""The provider's table is the floe vocabulary (sdk/src/checks.ts, exported as
floe_quality_sdk/vocabulary.json): same types, dimensions, levels and GX expectations,
and every type either run by the provider or declined there with a reason."""

from floe_quality_sdk import vocabulary

from floe_quality_gx.mapping import CHECK_KINDS
from floe_quality_gx.plugin import GxPlugin


def test_every_type_the_vocabulary_says_great_expectations_runs_is_mapped_as_the_vocabulary_says():
    expected = {
        t.type: (t.dimension, t.level, vocabulary.snake_case(t.gx_expectation) if t.gx_expectation else None)
        for t in vocabulary.check_types()
        if t.runs_on("great_expectations")
    }
    actual = {k.type: (k.dimension.label, k.level, k.gx) for k in CHECK_KINDS}
    assert actual == expected


def test_metadata_declares_exactly_the_types_the_vocabulary_says_it_runs():
    declared = set(GxPlugin().metadata()["capabilities"]["check_types"])
    runs = {t.type for t in vocabulary.check_types() if t.runs_on("great_expectations")}
    declines = {t.type for t in vocabulary.check_types() if not t.runs_on("great_expectations")}
    assert declared == runs
    assert all(isinstance(t.plugins["great_expectations"], dict) for t in vocabulary.check_types() if t.type in declines)
