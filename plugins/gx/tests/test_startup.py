"""Start-up: the plugin answers metadata, config validation and suite listing before Great
Expectations is imported; the calls that need GX wait for the background import (gated
here by an event, so "before" is certain, not a race)."""

import sys
import threading
from importlib import metadata

import pytest

from floe_quality_gx.model import Check, CheckStatus, Connection, RequestError, RunOptions
from floe_quality_gx.plugin import GxPlugin, SuiteRun
from floe_quality_gx.runtime import GxRuntime


def gated(gate: threading.Event):
    def load() -> GxRuntime:
        gate.wait()
        return GxRuntime()

    return load


def test_metadata_validation_and_suites_answer_while_gx_is_still_loading(tmp_path):
    gate = threading.Event()
    plugin = GxPlugin(str(tmp_path), load_runtime=gated(gate))
    plugin.startup()
    try:
        assert plugin.runtime is None
        meta = plugin.metadata()
        version = metadata.version("great_expectations")
        assert meta["dependencies"] == [f"great_expectations=={version}"]
        assert meta["description"] == f"Runs floe checks and native suites with Great Expectations {version}"
        assert plugin.validate_config("great_expectations").success
        assert plugin.list_suites() == []
        # Mapping-only validation needs no GX either.
        checks = [Check(name="n", type="not_null", column="id"), Check(name="x", type="no_such_type", column="id")]
        validation = plugin.validate_suite("orders", checks, "", None, "orders")
        assert [d.code for d in validation.diagnostics] == ["FLOE-DQ101"]
        assert not plugin.wait_loaded(0)
    finally:
        gate.set()
    assert plugin.wait_loaded(120)
    assert plugin.runtime is not None and plugin.runtime.version == metadata.version("great_expectations")


def test_a_run_started_while_gx_loads_waits_for_it_and_gives_exact_counts(tmp_path, data_files):
    gate = threading.Event()
    plugin = GxPlugin(str(tmp_path), load_runtime=gated(gate))
    plugin.startup()
    connection = Connection("duckdb", path=data_files["duckdb"])
    run = SuiteRun(
        "orders",
        [Check(name="email_present", type="not_null", column="email")],
        connection,
        "orders",
        RunOptions(),
        60.0,
    )
    outcome: dict = {}

    def call() -> None:
        outcome["results"] = list(plugin.run_checks(run))

    caller = threading.Thread(target=call)
    caller.start()
    caller.join(0.2)
    # Blocked on the gate: GX has not been built, so the run cannot have produced anything.
    assert caller.is_alive() and "results" not in outcome
    gate.set()
    caller.join(120)
    assert not caller.is_alive()
    [result] = outcome["results"]
    assert (result.status, result.records_checked, result.records_failed) == (CheckStatus.FAILED, 8, 2)


def test_gx_that_cannot_be_loaded_is_floe_dq001_on_the_calls_that_need_it(tmp_path, data_files):
    def broken() -> GxRuntime:
        raise ImportError("No module named 'great_expectations'")

    plugin = GxPlugin(str(tmp_path), load_runtime=broken)
    plugin.startup()
    assert plugin.wait_loaded(60)
    assert plugin.metadata()["name"] == "great_expectations"
    run = SuiteRun(
        "orders",
        [Check(name="email_present", type="not_null", column="email")],
        Connection("duckdb", path=data_files["duckdb"]),
        "orders",
        RunOptions(),
        60.0,
    )
    with pytest.raises(RequestError) as caught:
        list(plugin.run_checks(run))
    assert caught.value.code == "FLOE-DQ001"
    assert caught.value.message == (
        "Great Expectations could not be loaded: No module named 'great_expectations'; "
        "reinstall the great_expectations provider's pinned requirements (npm run setup)"
    )


def test_the_plugin_module_imports_without_great_expectations():
    # In this process GX may already be loaded by other tests; a fresh interpreter tells.
    import subprocess

    code = (
        "import sys; import floe_quality_gx.__main__, floe_quality_gx.service; "
        "print(sorted(m for m in ('great_expectations', 'pandas', 'numpy', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"
