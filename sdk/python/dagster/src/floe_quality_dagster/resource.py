"""The resource that knows where the floe-quality host is and how to authenticate."""

from __future__ import annotations

from dagster import ConfigurableResource
from pydantic import Field

from floe_quality_client import HostClient, RunOutcome


class FloeQualityResource(ConfigurableResource):
    """Address and credentials of a floe-quality host. Give the token through
    ``EnvVar("FLOE_HOST_TOKEN")`` (or ``token_file``) so it never lands in run config."""

    address: str = Field(default="127.0.0.1:7700", description="host:port or unix:///path of floe-quality serve")
    token: str | None = Field(default=None, description="bearer token of the host")
    token_file: str | None = Field(default=None, description="file holding the bearer token")
    artifacts_path: str | None = Field(
        default=None, description="compiled artifacts on the host; the host's --artifacts when unset"
    )
    timeout_seconds: int | None = Field(default=None, description="suite timeout; check_timeout_seconds when unset")

    def client(self) -> HostClient:
        return HostClient(self.address, token=self.token, token_file=self.token_file)

    def run_model(self, model: str, **options: object) -> RunOutcome:
        """Runs one model's checks on the host and returns its outcome."""
        with self.client() as client:
            return client.run_model(
                model,
                artifacts_path=self.artifacts_path,
                timeout_seconds=self.timeout_seconds,
                **options,
            )
