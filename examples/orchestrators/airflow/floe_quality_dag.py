"""An Airflow DAG (Airflow 3, TaskFlow API) that checks a model on the
floe-quality host after it is built and stops the downstream task on a failing
verdict. Needs floe-quality-client in the Airflow environment and the host's
token in FLOE_HOST_TOKEN (an Airflow secret backend or the worker environment).
A failing verdict fails the task without retries; a host that cannot be reached
raises a retryable error, so the task's retries apply."""

import os
from datetime import datetime

from airflow.exceptions import AirflowFailException
from airflow.sdk import dag, task

from floe_quality_client import FloeHostError, HostClient

HOST = os.environ.get("FLOE_HOST_ADDRESS", "127.0.0.1:7700")


def check_model(model: str) -> dict[str, object]:
    """Runs the model's checks on the host; fails the task on a `fail` verdict."""
    try:
        with HostClient(HOST) as host:
            outcome = host.run_model(model)
    except FloeHostError as error:
        if error.retryable:
            raise  # Airflow retries the task
        raise AirflowFailException(f"{model}: {error} (fix: {error.fix})") from None
    summary = {
        "model": model,
        "verdict": outcome.verdict,
        "score": outcome.score,
        "failed_checks": [c.check_name for c in outcome.failed_checks],
        "lineage_run_id": outcome.run_id,
    }
    if outcome.error is not None:
        # The checks could not run: an outage is retried, a configuration mistake is not.
        message = f"{model}: the checks could not run ({outcome.error.cause}): {outcome.error.message}"
        if outcome.error.retryable:
            raise RuntimeError(message)
        raise AirflowFailException(f"{message} (fix: {outcome.error.fix})")
    if outcome.verdict == "fail":
        raise AirflowFailException(f"{model} failed its quality checks: {summary}")
    return summary


@dag(schedule="@daily", start_date=datetime(2026, 1, 1), catchup=False, tags=["floe-quality"])
def shop_orders():
    @task.bash
    def build_orders() -> str:
        return "dbt build --select orders"

    @task(retries=3)
    def orders_quality() -> dict[str, object]:
        return check_model("orders")

    @task.bash
    def publish_orders() -> str:
        return "echo publishing orders"

    build_orders() >> orders_quality() >> publish_orders()


shop_orders()
