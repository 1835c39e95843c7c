"""Plain Great Expectations, as a GX user would run it: one ephemeral context, a
PostgreSQL data source, one suite, one ValidationDefinition. The baseline of
bench/gx.ts.

    python bench/gx_plain.py <postgres-url> <table> <expectations.json> <runs>

Prints one JSON line: {"import_ms": ..., "runs_ms": [...], "results": [...]}.
"""

import json
import os
import sys
import time

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
started = time.perf_counter()
import great_expectations as gx  # noqa: E402
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration  # noqa: E402

import_ms = (time.perf_counter() - started) * 1000.0


def main() -> None:
    url, table, expectations_file, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(expectations_file) as f:
        configs = json.load(f)
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_postgres("bench", connection_string=url)
    batch_definition = source.add_table_asset("t", table_name=table).add_batch_definition_whole_table("all")
    suite = context.suites.add(gx.ExpectationSuite(name="bench"))
    for index, config in enumerate(configs):
        expectation = ExpectationConfiguration(type=config["type"], kwargs=config["kwargs"], meta={"index": index})
        suite.add_expectation(expectation.to_domain_obj())
    definition = context.validation_definitions.add(gx.ValidationDefinition(name="bench", data=batch_definition, suite=suite))
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": 5}
    definition.run(result_format=result_format)  # warm-up, as the plugin run gets one
    runs_ms = []
    for _ in range(runs):
        t = time.perf_counter()
        validation = definition.run(result_format=result_format)
        runs_ms.append((time.perf_counter() - t) * 1000.0)
    results = sorted(
        (
            {
                "index": r.expectation_config.meta["index"],
                "success": r.success,
                "element_count": r.result.get("element_count"),
                "unexpected_count": r.result.get("unexpected_count"),
            }
            for r in validation.results
        ),
        key=lambda r: r["index"],
    )
    print(json.dumps({"import_ms": import_ms, "runs_ms": runs_ms, "results": results}))


if __name__ == "__main__":
    main()
