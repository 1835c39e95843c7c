"""floe_quality_dagster with real Dagster in-process, a real `floe-quality
serve` and the real floe_sql plugin: three DuckDB assets materialize with
planted defects, their floe_quality asset checks call the host, and the
results, severities, metadata and the blocking of downstream assets are
asserted exactly."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import duckdb
import pytest
from dagster import (
    AssetCheckSeverity,
    AssetKey,
    EnvVar,
    asset,
    materialize,
)
from floe_serve import ROOT, floe_cli, serve

from floe_quality_dagster import FloeQualityResource, floe_quality_asset_checks

TOKEN = "dagster-test-token-" + uuid.uuid4().hex

PRODUCT = """\
name: shop
compute: {dialect: duckdb, path: warehouse.duckdb}
models:
  - name: customers
    tier: gold
    columns: [customer_id, email, country_code, referred_by]
    quality_checks:
      - {name: customer_id_present, type: not_null, column: customer_id, severity: critical}
      - {name: customer_id_unique, type: unique, column: customer_id, severity: critical}
      - {name: email_unique, type: unique, column: email}
      - name: country_known
        type: accepted_values
        column: country_code
        parameters: {values: [GB, US, FR, DE]}
      - name: referrer_exists
        type: relationships
        column: referred_by
        parameters: {to: customers, field: customer_id}
  - name: orders
    tier: silver
    columns: [order_id, customer_id, amount]
    quality_checks:
      - {name: order_id_present, type: not_null, column: order_id, severity: critical}
      - {name: order_id_unique, type: unique, column: order_id, severity: critical}
      - {name: amount_positive, type: between, column: amount, parameters: {min_value: 0}}
      - {name: amount_mean, type: mean_between, column: amount, severity: info, parameters: {min_value: 0, max_value: 1000}}
      - {name: customer_present, type: not_null, column: customer_id}
  - name: events
    tier: bronze
    columns: [event_id, kind]
    quality_checks:
      - {name: event_id_present, type: not_null, column: event_id}
      - {name: kind_known, type: accepted_values, column: kind, parameters: {values: [created, paid]}}
  - name: ghosts
    columns: [id]
    quality_checks:
      - {name: id_present, type: not_null, column: id}
"""


# Python's duckdb 2.x writes a storage format that the host's DuckDB 1.x engine
# cannot read; pipelines that share a file with it pin the format (docs/orchestrators.md).
DUCKDB_CONFIG = {"storage_compatibility_version": "v1.4.0"}


def _write(warehouse: Path, table: str, ddl: str, rows: list[tuple]) -> None:
    with duckdb.connect(str(warehouse), config=DUCKDB_CONFIG) as con:
        con.execute(f'CREATE OR REPLACE TABLE "{table}" ({ddl})')
        placeholders = ", ".join("?" for _ in rows[0])
        con.executemany(f'INSERT INTO "{table}" VALUES ({placeholders})', rows)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("floe-dagster")
    (work / "floe.yaml").write_text(PRODUCT)
    floe_cli(
        "compile",
        "--enterprise",
        str(ROOT / "test" / "fixtures" / "one-file" / "manifest.yaml"),
        "--product",
        "floe.yaml",
        "--out",
        "compiled_artifacts.json",
        cwd=work,
    )
    return work


def _definitions(warehouse: Path):
    @asset
    def customers() -> None:
        # Planted: b@x.com twice, country XX.
        _write(
            warehouse,
            "customers",
            "customer_id INTEGER, email VARCHAR, country_code VARCHAR, referred_by INTEGER",
            [(1, "a@x.com", "GB", None), (2, "b@x.com", "US", 1), (3, "b@x.com", "FR", 1), (4, "d@x.com", "XX", 2), (5, "e@x.com", "US", None)],
        )

    @asset
    def orders() -> None:
        # Planted: one negative amount.
        _write(
            warehouse,
            "orders",
            "order_id INTEGER, customer_id INTEGER, amount DOUBLE",
            [(10, 1, 25.0), (11, 2, -5.0), (12, 3, 40.0), (13, 5, 12.5)],
        )

    @asset
    def events() -> None:
        # Planted: a missing event id and an unknown kind.
        _write(warehouse, "events", "event_id INTEGER, kind VARCHAR", [(1, "created"), (None, "paid"), (3, "refunded")])

    @asset
    def ghosts() -> None:
        """Materializes nothing: its table is missing when its check runs."""

    @asset(deps=[customers])
    def customer_report() -> None: ...

    @asset(deps=[orders])
    def orders_report() -> None: ...

    @asset(deps=[events])
    def events_report() -> None: ...

    return [customers, orders, events, ghosts, customer_report, orders_report, events_report]


@pytest.fixture(scope="module")
def run(work: Path, monkeypatch_module):
    lineage = work / "lineage.jsonl"
    with serve(
        work / "compiled_artifacts.json",
        cwd=work,
        env={
            "FLOE_HOST_TOKEN": TOKEN,
            "FLOE_STATE_DIR": str(work / "state"),
            "FLOE_LINEAGE_TRANSPORT": "file",
            "FLOE_LINEAGE_FILE": str(lineage),
        },
    ) as host:
        monkeypatch_module.setenv("FLOE_TEST_HOST_TOKEN", TOKEN)
        assets = _definitions(work / "warehouse.duckdb")
        checks = floe_quality_asset_checks(assets[:4], artifacts_path=work / "compiled_artifacts.json")
        result = materialize(
            [*assets, *checks],
            resources={"floe_quality": FloeQualityResource(address=host.address, token=EnvVar("FLOE_TEST_HOST_TOKEN"))},
            raise_on_error=False,
        )
    return result, lineage


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _evaluation(result, model: str):
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.asset_key == AssetKey(model)]
    return evaluation


def test_one_blocking_check_per_gold_or_silver_model(work: Path) -> None:
    assets = _definitions(work / "warehouse.duckdb")
    checks = floe_quality_asset_checks(assets[:4], artifacts_path=work / "compiled_artifacts.json")
    specs = [spec for c in checks for spec in c.check_specs]
    assert [(s.asset_key.path[-1], s.name, s.blocking) for s in specs] == [
        ("customers", "floe_quality", True),
        ("orders", "floe_quality", True),
        ("events", "floe_quality", False),
        ("ghosts", "floe_quality", False),
    ]


def test_check_results_carry_the_verdict_as_severity(run) -> None:
    result, _ = run
    got = {
        model: (_evaluation(result, model).passed, _evaluation(result, model).severity)
        for model in ("customers", "orders", "events")
    }
    assert got == {
        "customers": (False, AssetCheckSeverity.ERROR),
        "orders": (False, AssetCheckSeverity.WARN),
        "events": (False, AssetCheckSeverity.ERROR),
    }


def test_metadata_has_score_dimensions_failed_checks_and_lineage_run(run) -> None:
    result, lineage = run
    meta = {k: v.value for k, v in _evaluation(result, "customers").metadata.items()}
    assert meta["score"] == pytest.approx(77.0, abs=1e-9)
    assert meta["verdict"] == "fail"
    assert meta["quality_tier"] == "gold"
    assert meta["dimensions"] == pytest.approx(
        {"completeness": 100, "accuracy": 100, "validity": 0, "consistency": 80, "timeliness": 100}, abs=1e-9
    )
    assert meta["failed_checks"] == [
        {"check": "email_unique", "status": "failed", "severity": "warning", "records_failed": 2, "records_checked": 5},
        {"check": "country_known", "status": "failed", "severity": "warning", "records_failed": 1, "records_checked": 5},
    ]
    assert (meta["checks_passed"], meta["checks_failed"]) == (3, 2)
    assert meta["violations"] == ["score 77 is below the gold gate's min_score 90"]
    orders = {k: v.value for k, v in _evaluation(result, "orders").metadata.items()}
    assert orders["score"] == pytest.approx(250 / 3, abs=1e-9)
    assert orders["violations"] == ["score 83.33 is below warn_score 85"]
    events = {k: v.value for k, v in _evaluation(result, "events").metadata.items()}
    assert events["score"] == pytest.approx(55.0, abs=1e-9)
    # The lineage run id is the host's OpenLineage run, child of the Dagster run.
    emitted = [json.loads(line) for line in lineage.read_text().splitlines()]
    run_id = meta["lineage_run_id"]
    mine = [e for e in emitted if e["run"]["runId"] == run_id]
    assert [e["eventType"] for e in mine] == ["START", "FAIL"]
    assert mine[0]["run"]["facets"]["parent"]["run"]["runId"] == result.run_id
    assert mine[0]["run"]["facets"]["parent"]["job"]["namespace"] == "dagster"


def test_a_failing_blocking_check_stops_the_downstream_asset(run) -> None:
    result, _ = run
    materialized = sorted(e.asset_key.path[-1] for e in result.get_asset_materialization_events())
    assert materialized == ["customers", "events", "events_report", "ghosts", "orders", "orders_report"]
    assert result.success is False


def test_checks_that_could_not_run_fail_the_step_instead_of_judging_the_data(run) -> None:
    result, _ = run
    assert [e for e in result.get_asset_check_evaluations() if e.asset_key == AssetKey("ghosts")] == []
    [failure] = [
        e for e in result.all_events if e.is_step_failure and e.step_key == "ghosts_floe_quality"
    ]
    data = failure.step_failure_data.user_failure_data
    assert data.description.startswith("floe-quality could not run the checks of ghosts: ")
    meta = {k: v.value for k, v in data.metadata.items()}
    assert (meta["code"], meta["cause"], meta["retryable"]) == ("FLOE-DQ108", "config", False)
