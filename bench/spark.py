"""floe_spark against the floor: a 100-check suite (row-level and aggregate
checks) run by floe_spark's runner, versus ONE hand-written fused DataFrame
aggregation doing the same work, and versus Great Expectations on Spark for the
same checks, on a generated Parquet table (10 M rows by default) in a local
session. Prints a table: Spark jobs per suite, wall time (median of the runs
after a warm-up) and the ratios.

    .venv/bin/python bench/spark.py [--rows N] [--runs N] [--no-gx]

Not a test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from floe_quality_sdk import vocabulary  # noqa: E402

from floe_quality_spark.run import SuiteCheck, SuiteRequest, run_suite  # noqa: E402
from floe_quality_spark.session import Sessions, SparkConnection  # noqa: E402

GROUPS = itertools.count()


def generate(spark: Any, path: str, rows: int) -> None:
    """Deterministic data with defects in every column."""
    from pyspark.sql import functions as F

    i = F.col("id")
    statuses = F.array(*[F.lit(s) for s in ("shipped", "pending", "cancelled", "returned", "shipped", "pending")])
    (
        spark.range(rows)
        .select(
            i.alias("id"),
            F.when(i % 101 == 0, None).otherwise(i % 5000).alias("customer_id"),
            F.when(i % 7 == 6, None).otherwise(statuses[(i % 7).cast("int")]).alias("status"),
            F.when(i % 53 == 0, None).otherwise((i * 7919 % 100000) / 100.0).alias("amount"),
            ((i * 7919 % 100000) / 100.0 + (i % 13) - 2).alias("limit_amount"),
            F.when(i % 97 == 0, None).otherwise(F.concat(F.lit("C-"), (i % 1000).cast("string"))).alias("code"),
            (i % 90 + 10).alias("age"),
        )
        .write.mode("overwrite")
        .parquet(path)
    )


def suite() -> list[SuiteCheck]:
    """100 checks cycling through the row-level and aggregate types on every column."""
    templates: list[tuple[str, str, dict[str, Any]]] = []
    for k in range(10):
        templates += [
            ("not_null", ["customer_id", "status", "amount", "code", "age"][k % 5], {}),
            ("between", "amount", {"min_value": k, "max_value": 900 + k}),
            ("between", "age", {"min_value": 18 + k, "max_value": 95}),
            ("accepted_values", "status", {"values": ["shipped", "pending", "cancelled"][: 1 + k % 3]}),
            ("regex", "code", {"regex": f"^C-[0-9]{{{1 + k % 3}}}$"}),
            ("length_between", "code", {"min_value": 3, "max_value": 3 + k % 3}),
            ("pair_greater_than", "", {"column_a": "limit_amount", "column_b": "amount", "or_equal": k % 2 == 0}),
            ("mean_between", ["amount", "age", "limit_amount"][k % 3], {"min_value": 0, "max_value": 600 + k}),
            ("sum_between", ["amount", "age"][k % 2], {"min_value": 0, "max_value": 10**12 + k}),
            ("max_between", ["amount", "age", "limit_amount"][k % 3], {"min_value": 0, "max_value": 1000 + k}),
        ]
    return [SuiteCheck(name=f"c{n}", type=t, column=c, parameters=p) for n, (t, c, p) in enumerate(templates)]


def hand_written(df: Any, checks: list[SuiteCheck]) -> list[Any]:
    """The floor: one agg with the suite's counts written by hand, as an engineer would."""
    from pyspark.sql import functions as F

    out = []
    for check in checks:
        p, col = check.parameters, F.col(check.column) if check.column else None
        if check.type == "not_null":
            out += [F.count(F.lit(1)), F.count(F.when(col.isNull(), 1))]
        elif check.type == "between":
            out += [F.count(col), F.count(F.when(~((col >= p["min_value"]) & (col <= p["max_value"])), 1))]
        elif check.type == "accepted_values":
            out += [F.count(col), F.count(F.when(~col.isin(p["values"]), 1))]
        elif check.type == "regex":
            out += [F.count(col), F.count(F.when(~col.rlike(p["regex"]), 1))]
        elif check.type == "length_between":
            n = F.length(col)
            out += [F.count(col), F.count(F.when(~((n >= p["min_value"]) & (n <= p["max_value"])), 1))]
        elif check.type == "pair_greater_than":
            a, b = F.col(p["column_a"]), F.col(p["column_b"])
            both = a.isNotNull() & b.isNotNull()
            out += [F.count(F.when(both, 1)), F.count(F.when(both & ~(a >= b if p["or_equal"] else a > b), 1))]
        else:
            fn = {"mean_between": F.avg, "sum_between": F.sum, "max_between": F.max}[check.type]
            out += [fn(col)]
    return out


def timed(spark: Any, action: Callable[[], Any], runs: int) -> tuple[float, int]:
    """Median wall time of `runs` runs after a warm-up, and the Spark jobs of one run."""
    action()
    times = []
    jobs = 0
    for _ in range(runs):
        group = f"bench-{next(GROUPS)}"
        spark.sparkContext.setJobGroup(group, "bench")
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
        spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)
        jobs = len(spark.sparkContext.statusTracker().getJobIdsForGroup(group))
    return statistics.median(times), jobs


def gx_on_spark(spark: Any, df: Any, checks: list[SuiteCheck]) -> Callable[[], Any]:
    """The same checks as GX 1.x expectations on a Spark DataFrame data source."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    context = gx.get_context(mode="ephemeral")
    asset = context.data_sources.add_spark("bench").add_dataframe_asset("t")
    batch_definition = asset.add_batch_definition_whole_dataframe("all")
    gx_suite = context.suites.add(gx.ExpectationSuite(name="bench"))
    for check in checks:
        spec = vocabulary.lookup_check_type(check.type)
        assert spec is not None and spec.gx_expectation is not None
        kwargs = {spec.gx_renames.get(k, k): v for k, v in vocabulary.normalize_parameters(check.parameters).items()}
        if check.column:
            kwargs["column"] = check.column
        kwargs.update(spec.gx_kwargs)
        name = vocabulary.snake_case(spec.gx_expectation)
        gx_suite.add_expectation(ExpectationConfiguration(type=name, kwargs=kwargs).to_domain_obj())
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name="bench", data=batch_definition, suite=gx_suite)
    )
    return lambda: definition.run(batch_parameters={"dataframe": df}, result_format="SUMMARY")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-gx", action="store_true")
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="floe-bench-spark-")
    connection = SparkConnection(path=root)
    spark = Sessions().get(connection)
    started = time.perf_counter()
    generate(spark, os.path.join(root, "orders"), args.rows)
    print(f"generated {args.rows:,} rows as Parquet in {time.perf_counter() - started:.1f} s")
    checks = suite()
    df = spark.read.parquet(os.path.join(root, "orders"))

    def floe() -> Any:
        request = SuiteRequest(checks=checks, connection=connection, relation="orders", max_failing_samples=0)
        return list(run_suite(spark, request))

    rows = [("floe_spark (100 checks)", *timed(spark, floe, args.runs))]
    rows.append(("hand-written fused agg", *timed(spark, lambda: df.agg(*hand_written(df, checks)).collect(), args.runs)))
    if not args.no_gx:
        try:
            rows.append(("Great Expectations on Spark", *timed(spark, gx_on_spark(spark, df, checks), args.runs)))
        except Exception as error:  # noqa: BLE001 - reported in the table
            print(f"Great Expectations on Spark did not run: {str(error).splitlines()[0]}")
    print("PyDeequ: not run (its jar is not part of the pinned environment)")
    floor = rows[1][1]
    print(f"\n{'engine':<30} {'jobs':>5} {'wall s':>8} {'× fused':>8}")
    for name, seconds, jobs in rows:
        print(f"{name:<30} {jobs:>5} {seconds:>8.2f} {seconds / floor:>8.2f}")


if __name__ == "__main__":
    main()
