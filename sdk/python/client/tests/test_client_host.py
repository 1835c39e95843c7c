"""floe_quality_client against a real `floe-quality serve` (the built CLI) with
the real floe_sql plugin on the demo's DuckDB warehouse with planted defects:
outcomes, progress, and errors as exceptions with the FLOE-DQ code and the
retryable flag."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import grpc
import pytest
from floe_serve import floe_cli, serve

from floe_quality_client import (
    AuthenticationError,
    CheckProgress,
    ConfigurationError,
    HostClient,
    HostUnavailableError,
    RunOutcome,
)

TOKEN = "client-test-token-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("floe-client")
    floe_cli("demo", cwd=work)
    with serve(
        work / ".floe" / "demo" / "compiled_artifacts.json",
        cwd=work,
        env={"FLOE_HOST_TOKEN": TOKEN, "FLOE_STATE_DIR": str(work / "state"), "FLOE_LINEAGE_TRANSPORT": "none"},
    ) as running:
        yield running


def test_run_model_returns_the_outcome_and_reports_each_check(host) -> None:
    progress: list[CheckProgress] = []
    with HostClient(host.address, token=TOKEN) as client:
        outcome = client.run_model("customers", on_progress=progress.append)
    assert outcome.verdict == "fail"
    assert outcome.quality_tier == "gold"
    assert outcome.score == pytest.approx(202 / 3, abs=1e-9)
    assert outcome.dimension_scores == pytest.approx(
        {"completeness": 100, "accuracy": 100 / 3, "validity": 50, "consistency": 60, "timeliness": 100}, abs=1e-9
    )
    assert (outcome.checks_passed, outcome.checks_failed) == (8, 5)
    assert [(c.check_name, c.records_failed) for c in outcome.failed_checks] == [
        ("email_unique", 2),
        ("email_format", 1),
        ("country_known", 1),
        ("referrer_exists", 1),
        ("lifetime_value_non_negative", 1),
    ]
    assert outcome.violations == ["score 67.33 is below the gold gate's min_score 90"]
    assert [d.code for d in outcome.diagnostics] == ["FLOE-DQ102"]
    assert outcome.gate_passed is False
    assert uuid.UUID(outcome.run_id).version == 7
    assert [(p.completed, p.total) for p in progress] == [(i, 13) for i in range(1, 14)]
    assert sorted(p.result.check_name for p in progress) == sorted(c.check_name for c in outcome.checks)


def test_stream_run_yields_progress_then_the_outcome(host) -> None:
    with HostClient(host.address, token=TOKEN) as client:
        events = list(client.stream_run("orders"))
    assert [type(e).__name__ for e in events] == ["CheckProgress"] * 10 + ["RunOutcome"]
    outcome = events[-1]
    assert isinstance(outcome, RunOutcome)
    assert outcome.verdict == "warn"
    assert outcome.score == pytest.approx(585 / 7, abs=1e-9)
    currency = next(c for c in outcome.checks if c.check_name == "currency_known")
    assert (currency.status, currency.dimension, currency.severity, currency.column) == (
        "failed",
        "validity",
        "warning",
        "currency",
    )


def test_token_read_from_a_file(host, tmp_path: Path) -> None:
    token_file = tmp_path / "host-token"
    token_file.write_text(TOKEN + "\n")
    with HostClient(host.address, token_file=token_file) as client:
        assert client.run_model("order_events").verdict == "pass"


def test_an_unknown_model_is_a_configuration_error_with_its_code(host) -> None:
    with HostClient(host.address, token=TOKEN) as client, pytest.raises(ConfigurationError) as raised:
        client.run_model("invoices")
    error = raised.value
    assert error.code == "FLOE-DQ100"
    assert error.retryable is False
    assert error.grpc_code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.message == (
        "model 'invoices' is not in the compiled artifacts the host loaded "
        "(models: customers, orders, order_events)"
    )
    assert error.fix == "Name one of the compiled models, or compile the model and restart the host with it."


def test_a_wrong_token_is_an_authentication_error(host) -> None:
    with HostClient(host.address, token="not-the-token") as client, pytest.raises(AuthenticationError) as raised:
        client.run_model("orders")
    assert raised.value.grpc_code == grpc.StatusCode.UNAUTHENTICATED
    assert raised.value.retryable is False


def test_a_host_that_is_not_there_is_retryable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port is closed again: nothing listens on it.
    with HostClient(f"127.0.0.1:{port}", token=TOKEN) as client, pytest.raises(HostUnavailableError) as raised:
        client.stream_run("orders", deadline_seconds=30).__next__()
    assert raised.value.retryable is True
    assert raised.value.code is None


def test_list_plugins_names_floe_sql(host) -> None:
    with HostClient(host.address, token=TOKEN) as client:
        plugins = client.list_plugins()
    floe_sql = next(p for p in plugins if p["provider"] == "floe_sql")
    assert floe_sql["runtime"] == "node"
    assert floe_sql["version"] == "0.1.0"
