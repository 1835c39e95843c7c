"""Plain Great Expectations in bench/peers.ts, as a GX user would run it: a fresh
process of the project's .venv, one ephemeral context, one suite, one
ValidationDefinition. DuckDB has no GX data source: the table is read into
pandas (GX's pandas engine); PostgreSQL uses GX's SQL data source.

    python bench/peers_gx.py duckdb <file.duckdb> <expectations.json>
    python bench/peers_gx.py postgres <dsn> <expectations.json>

expectations.json: [{"name": ..., "type": ..., "kwargs": {...}}]. Prints one
JSON object {check: passed}.
"""

import json
import os
import sys

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
import great_expectations as gx  # noqa: E402
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration  # noqa: E402


def main() -> None:
    dialect, target, expectations_file = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(expectations_file) as f:
        configs = json.load(f)
    context = gx.get_context(mode="ephemeral")
    if dialect == "duckdb":
        import duckdb

        connection = duckdb.connect(target, read_only=True)
        frame = connection.execute("SELECT * FROM orders").df()
        connection.close()
        source = context.data_sources.add_pandas("bench")
        batch_definition = source.add_dataframe_asset("orders").add_batch_definition_whole_dataframe("all")
        batch_parameters = {"dataframe": frame}
    else:
        source = context.data_sources.add_postgres("bench", connection_string=target)
        batch_definition = source.add_table_asset("orders", table_name="orders").add_batch_definition_whole_table("all")
        batch_parameters = None
    suite = context.suites.add(gx.ExpectationSuite(name="bench"))
    for config in configs:
        expectation = ExpectationConfiguration(type=config["type"], kwargs=config["kwargs"], meta={"name": config["name"]})
        suite.add_expectation(expectation.to_domain_obj())
    definition = context.validation_definitions.add(gx.ValidationDefinition(name="bench", data=batch_definition, suite=suite))
    validation = definition.run(batch_parameters=batch_parameters, result_format={"result_format": "BOOLEAN_ONLY"})
    print(json.dumps({r.expectation_config.meta["name"]: bool(r.success) for r in validation.results}))


if __name__ == "__main__":
    main()
