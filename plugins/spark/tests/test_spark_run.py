"""floe_spark's runner on a real local Spark session and real Parquet files: exact
counts with floe_sql's null semantics, the number of Spark jobs a suite takes,
failing samples and their masking, errors on the check at fault, fail_fast and
cancellation through the suite's Spark tag."""

import itertools
import threading

import pytest
from spark_tables import HOSTILE_COLUMN, HOSTILE_TABLE
from floe_quality_sdk import enums

from floe_quality_spark.run import SuiteCheck, SuiteRequest, run_suite

PASSED, FAILED, ERROR, SKIPPED = (enums.check_status_to_wire(s) for s in ("passed", "failed", "error", "skipped"))


def c(name, type_, column="", **parameters):
    return SuiteCheck(name=name, type=type_, column=column, parameters=parameters)


def run(spark, connection, checks, relation="customers", **options):
    request = SuiteRequest(checks=checks, connection=connection, relation=relation, **options)
    return {r["check_name"]: r for r in run_suite(spark, request)}


def counts(result):
    return (result["status"], result["records_checked"], result["records_failed"])


GROUPS = itertools.count()


def jobs_of(spark, action):
    """Spark jobs that `action` submitted (the status tracker of the local session)."""
    tracker = spark.sparkContext.statusTracker()
    group = f"floe-test-jobs-{next(GROUPS)}"
    spark.sparkContext.setJobGroup(group, "counting jobs")
    try:
        out = action()
    finally:
        spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)
    return out, len(tracker.getJobIdsForGroup(group))


ROW_SUITE = [
    c("nn_email", "not_null", "email"),
    c("nn_email_mostly_80", "not_null", "email", mostly=0.8),
    c("av_status", "accepted_values", "status", values=["active", "inactive", "pending"]),
    c("av_empty", "accepted_values", "status", values=[]),
    c("av_null", "accepted_values", "status", values=[None, "active", "inactive", "pending"]),
    c("nav_status", "not_accepted_values", "status", values=["banned"]),
    c("nav_empty", "not_accepted_values", "status", values=[]),
    c("bt_age", "between", "age", min_value=18, max_value=120),
    c("bt_age_strict", "between", "age", min_value=17, max_value=130, strictly=True),
    c("bt_strict_min", "between", "age", min_value=17, max_value=130, strict_min=True),
    c("rx_code", "regex", "code", regex="^AB-[0-9][0-9]$"),
    c("rx_empty", "regex", "code", regex=""),
    c("len_code", "length_between", "code", min_value=5, max_value=5),
    c("pg_limit", "pair_greater_than", column_a="limit_amount", column_b="amount"),
    c("pg_limit_eq", "pair_greater_than", column_a="limit_amount", column_b="amount", or_equal=True),
    c("pg_nulls", "pair_greater_than", column_a="manager_id", column_b="id"),
    c("ex_limit", "expression_is_true", expression="limit_amount >= amount"),
    c("rc_in", "not_null", "email", row_condition="region IN ('us', 'apac')"),
    c("rc_not", "not_null", "email", row_condition="NOT status = 'active'"),
    c("rc_or_null", "not_null", "email", row_condition="status IS NULL OR age > 50"),
    c("rc_sql", "not_null", "email", row_condition_sql="region = 'us'"),
]

ROW_EXPECTED = {
    "nn_email": (FAILED, 10, 2),
    "nn_email_mostly_80": (PASSED, 10, 2),
    "av_status": (FAILED, 9, 1),
    "av_empty": (FAILED, 9, 9),
    "av_null": (FAILED, 9, 1),
    "nav_status": (FAILED, 9, 1),
    "nav_empty": (PASSED, 9, 0),
    "bt_age": (FAILED, 9, 2),
    "bt_age_strict": (FAILED, 9, 2),
    "bt_strict_min": (FAILED, 9, 1),
    "rx_code": (FAILED, 9, 2),
    "rx_empty": (PASSED, 9, 0),
    "len_code": (FAILED, 9, 1),
    "pg_limit": (FAILED, 10, 2),
    "pg_limit_eq": (FAILED, 10, 1),
    "pg_nulls": (FAILED, 8, 7),
    "ex_limit": (FAILED, 10, 1),
    "rc_in": (FAILED, 5, 2),
    "rc_not": (FAILED, 4, 1),
    "rc_or_null": (FAILED, 3, 1),
    "rc_sql": (FAILED, 3, 1),
}


def test_row_checks_give_floe_sqls_exact_counts_in_one_fused_scan(spark, connection):
    results, jobs = jobs_of(spark, lambda: run(spark, connection, ROW_SUITE, max_failing_samples=0))
    assert {name: counts(r) for name, r in results.items()} == ROW_EXPECTED
    # 21 checks take the Spark jobs of one: reading the Parquet footers, then the
    # one aggregation (its query stages, as adaptive execution submits them).
    _, one = jobs_of(spark, lambda: run(spark, connection, ROW_SUITE[:1], max_failing_samples=0))
    assert (jobs, one) == (3, 3)


def test_aggregate_checks_report_the_observed_value_from_the_same_scan(spark, connection):
    suite = [
        c("rows", "row_count_between", min_value=10, max_value=10),
        c("rows_eu", "row_count_between", min_value=5, max_value=5, row_condition="region = 'eu'"),
        c("mean", "mean_between", "amount", min_value=50, max_value=60),
        c("mean_us", "mean_between", "amount", min_value=46, max_value=47, row_condition="region = 'us'"),
        c("min", "min_between", "amount", min_value=11, max_value=20),
        c("max", "max_between", "amount", min_value=0, max_value=100),
        c("sum", "sum_between", "amount", min_value=550, max_value=550),
        c("sd", "stdev_between", "amount", min_value=30, max_value=31),
        c("dc", "distinct_count_between", "status", min_value=4, max_value=4),
        c("recent", "recency", "updated_at", max_age="PT3H"),
        c("stale", "recency", "updated_at", max_age="PT30M"),
        c("sd_none", "stdev_between", "age", min_value=0, max_value=1, row_condition="id = 1"),
    ]
    results, jobs = jobs_of(spark, lambda: run(spark, connection, suite))
    observed = {n: (r["status"], r["details"].get("observed_value")) for n, r in results.items() if n != "recent"}
    assert observed == {
        "rows": (PASSED, 10),
        "rows_eu": (PASSED, 5),
        "mean": (PASSED, 55.0),
        "mean_us": (PASSED, pytest.approx(46.666666666666664)),
        "min": (FAILED, 10.0),
        "max": (PASSED, 100.0),
        "sum": (PASSED, 550.0),
        "sd": (PASSED, pytest.approx(30.276503540974915)),
        "dc": (PASSED, 4),
        "stale": (FAILED, results["recent"]["details"]["observed_value"]),
        "sd_none": (ERROR, None),
    }
    assert results["recent"]["status"] == PASSED
    assert results["sd_none"]["error_message"] == "the sample standard deviation needs at least two non-null values"
    # The same scan as one mean and one distinct count (which adds a stage of its own).
    _, two = jobs_of(spark, lambda: run(spark, connection, [suite[2], suite[8]]))
    assert jobs == two


def test_unique_and_relationships_run_in_one_grouped_pass_and_anti_join(spark, connection):
    suite = [
        c("uq_id", "unique", "id"),
        c("uq_email", "unique", "email"),
        c("uq_eu", "unique", "id", row_condition="region = 'eu'"),
        c("cu_id_amount", "compound_unique", columns=["id", "amount"]),
        c("cu_id_region", "compound_unique", columns=["id", "region"]),
        c("cu_nulls", "compound_unique", columns=["email", "status"]),
        c("rel_manager", "relationships", "manager_id", to="customers", field="id"),
        c("rel_us", "relationships", "manager_id", to="customers", field="id", row_condition="region = 'us'"),
    ]
    results, jobs = jobs_of(spark, lambda: run(spark, connection, suite, max_failing_samples=0))
    assert {n: counts(r) for n, r in results.items()} == {
        "uq_id": (FAILED, 10, 2),
        "uq_email": (PASSED, 8, 0),
        "uq_eu": (FAILED, 5, 2),
        "cu_id_amount": (PASSED, 10, 0),
        "cu_id_region": (FAILED, 10, 2),
        # Rows 3 and 6 have a null email; row 6's status is null too: all null, not checked.
        "cu_nulls": (PASSED, 9, 0),
        "rel_manager": (FAILED, 8, 1),
        "rel_us": (PASSED, 3, 0),
    }
    # Six unique / compound_unique checks take the jobs of one: one grouped pass.
    grouped = suite[:6]
    _, six = jobs_of(spark, lambda: run(spark, connection, grouped, max_failing_samples=0))
    _, one = jobs_of(spark, lambda: run(spark, connection, grouped[:1], max_failing_samples=0))
    assert six == one


def test_failing_samples_come_from_one_bounded_query_and_skip_sensitive_columns(spark, connection):
    suite = [
        c("av_status", "accepted_values", "status", values=["active", "inactive", "pending"]),
        c("rx_code", "regex", "code", regex="^AB-[0-9][0-9]$"),
        c("uq_id", "unique", "id"),
        c("cu_id_region", "compound_unique", columns=["id", "region"]),
        c("rel_manager", "relationships", "manager_id", to="customers", field="id"),
        c("pg_limit", "pair_greater_than", column_a="limit_amount", column_b="amount"),
        c("bt_age", "between", "age", min_value=18, max_value=120),
    ]
    results = run(spark, connection, suite, max_failing_samples=5, sensitive_columns=frozenset({"age"}))
    samples = {n: r["details"].get("failing_samples") for n, r in results.items()}
    assert samples == {
        "av_status": ["banned"],
        "rx_code": ["AB-4", "ab-08"],
        "uq_id": ["8"],
        "cu_id_region": [{"id": "8", "region": "eu"}],
        "rel_manager": ["99"],
        "pg_limit": [{"limit_amount": "25.0", "amount": "30.0"}, {"limit_amount": "50.0", "amount": "50.0"}],
        "bt_age": None,
    }
    limited = run(spark, connection, [suite[1]], max_failing_samples=1)
    assert limited["rx_code"]["details"]["failing_samples"] == ["AB-4"]


def test_names_are_quoted_never_spliced(spark, connection):
    suite = [
        c("hostile", "not_null", HOSTILE_COLUMN),
        c("dotted", "unique", "a.b"),
        c("hostile_filter", "not_null", HOSTILE_COLUMN, row_condition='"a.b" = 2'),
    ]
    results = run(spark, connection, suite, relation=HOSTILE_TABLE, max_failing_samples=0)
    assert {n: counts(r) for n, r in results.items()} == {
        "hostile": (FAILED, 3, 1),
        "dotted": (FAILED, 3, 2),
        "hostile_filter": (FAILED, 2, 1),
    }


def test_a_bad_check_errors_alone_with_its_code(spark, connection):
    suite = [
        c("nn_email", "not_null", "email"),
        c("no_column", "not_null", "no_such_column"),
        c("bad_sql", "expression_is_true", expression="no_such_fn(amount) > 1"),
        c("bad_type", "no_such_type", "email"),
        c("bad_param", "between", "age", min_value=[1]),
        c("bad_filter", "not_null", "email", row_condition="region = "),
        c("ce_missing", "column_exists", "no_such_column"),
    ]
    results = run(spark, connection, suite, max_failing_samples=0)
    assert {n: (r["status"], r["error_code"]) for n, r in results.items()} == {
        "nn_email": (FAILED, ""),
        "no_column": (ERROR, "FLOE-DQ105"),
        "bad_sql": (ERROR, "FLOE-DQ102"),
        "bad_type": (ERROR, "FLOE-DQ101"),
        "bad_param": (ERROR, "FLOE-DQ101"),
        "bad_filter": (ERROR, "FLOE-DQ101"),
        "ce_missing": (FAILED, ""),
    }
    assert counts(results["nn_email"]) == (FAILED, 10, 2)
    assert results["no_column"]["error_message"] == "column 'no_such_column' does not exist in relation customers"
    assert "\n" not in results["bad_sql"]["error_message"]


def test_a_missing_relation_is_an_error_on_every_check(spark, connection):
    results = run(spark, connection, [c("nn", "not_null", "id"), c("uq", "unique", "id")], relation="no_table")
    assert {n: (r["status"], r["error_code"]) for n, r in results.items()} == {
        "nn": (ERROR, "FLOE-DQ102"),
        "uq": (ERROR, "FLOE-DQ102"),
    }
    assert results["nn"]["error_message"].startswith("relation no_table cannot be read: ")


def test_fail_fast_skips_the_checks_after_the_first_failure(spark, connection):
    suite = [
        c("ce_email", "column_exists", "email"),
        c("ce_missing", "column_exists", "no_such_column"),
        c("nn_email", "not_null", "email"),
        c("uq_id", "unique", "id"),
    ]
    results = run(spark, connection, suite, fail_fast=True)
    assert [(n, r["status"]) for n, r in results.items()] == [
        ("ce_email", PASSED),
        ("ce_missing", FAILED),
        ("nn_email", SKIPPED),
        ("uq_id", SKIPPED),
    ]
    assert results["uq_id"]["error_message"] == (
        "not run: fail_fast stopped the suite after check ce_missing did not pass"
    )


def test_cancelling_the_call_interrupts_the_suites_spark_job_and_leaves_the_session_healthy(spark, connection):
    spark.range(10**13).toDF("id").createOrReplaceTempView("slow_rows")
    callbacks = []
    cancelled = threading.Event()
    request = SuiteRequest(
        checks=[c("slow_unique", "not_null", "id")],
        connection=connection,
        relation="slow_rows",
        on_cancel=callbacks.append,
        cancelled=cancelled.is_set,
    )
    # The catalog relation: the connection's path does not apply to a temp view.
    request.connection = type(connection)(options=connection.options)
    results = []
    worker = threading.Thread(target=lambda: results.extend(run_suite(spark, request)))
    worker.start()
    tracker = spark.sparkContext.statusTracker()
    for _ in range(1200):
        if tracker.getActiveJobsIds():
            break
        worker.join(0.05)
    assert tracker.getActiveJobsIds(), "the suite's job never started"
    cancelled.set()
    for callback in callbacks:
        callback()
    worker.join(60)
    assert not worker.is_alive()
    assert results == []  # the SDK reports the unfinished checks as timed_out
    for _ in range(400):
        if not tracker.getActiveJobsIds():
            break
        worker.join(0.05)
    assert tracker.getActiveJobsIds() == []
    assert spark.range(5).count() == 5
