"""HostClient: the QualityHostService of ``floe-quality serve`` from Python."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc

from floe_quality_sdk.contract import host_pb2, host_pb2_grpc

from .errors import ConfigurationError, FloeHostError, host_error_from_rpc_error
from .outcome import CheckProgress, CheckResult, RunOutcome

TOKEN_ENV = "FLOE_HOST_TOKEN"
TOKEN_FILE_ENV = "FLOE_HOST_TOKEN_FILE"


def _read_token(token: str | None, token_file: str | os.PathLike[str] | None) -> str | None:
    """The bearer token: given, else read from a file, else FLOE_HOST_TOKEN / FLOE_HOST_TOKEN_FILE."""
    if token:
        return token
    path = token_file or os.environ.get(TOKEN_FILE_ENV)
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip() or None
        except OSError as error:
            raise ConfigurationError(
                f"cannot read the host token file {path}: {error.strerror}",
                code=None,
                grpc_code=grpc.StatusCode.UNAUTHENTICATED,
                retryable=False,
                fix="Point token_file (or FLOE_HOST_TOKEN_FILE) at the token file serve wrote.",
            ) from None
    return os.environ.get(TOKEN_ENV) or None


class HostClient:
    """A connection to one host. ``address`` is ``host:port`` or ``unix:///path``;
    the token is sent as ``authorization: Bearer <token>``. TLS when
    ``root_certificates`` (PEM bytes) is given."""

    def __init__(
        self,
        address: str,
        *,
        token: str | None = None,
        token_file: str | os.PathLike[str] | None = None,
        root_certificates: bytes | None = None,
    ) -> None:
        self.address = address
        self._token = _read_token(token, token_file)
        if root_certificates is not None:
            credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
            self._channel = grpc.secure_channel(address, credentials)
        else:
            self._channel = grpc.insecure_channel(address)
        self._stub = host_pb2_grpc.QualityHostServiceStub(self._channel)

    def __enter__(self) -> HostClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._channel.close()

    def _metadata(self) -> list[tuple[str, str]]:
        return [("authorization", f"Bearer {self._token}")] if self._token else []

    def stream_run(
        self,
        model: str,
        *,
        artifacts_path: str | None = None,
        timeout_seconds: int | None = None,
        parent_run_id: str | None = None,
        parent_job_namespace: str | None = None,
        parent_job_name: str | None = None,
        deadline_seconds: float | None = None,
    ) -> Iterator[CheckProgress | RunOutcome]:
        """Each check as it finishes (CheckProgress), then the RunOutcome."""
        request = host_pb2.RunQualityChecksRequest(
            model_name=model,
            artifacts_path=artifacts_path or "",
            timeout_seconds=timeout_seconds or 0,
            parent_run_id=parent_run_id or "",
            parent_job_namespace=parent_job_namespace or "",
            parent_job_name=parent_job_name or "",
        )
        try:
            for event in self._stub.RunQualityChecks(
                request, metadata=self._metadata(), timeout=deadline_seconds
            ):
                if event.HasField("progress"):
                    p = event.progress
                    yield CheckProgress(CheckResult.from_proto(p.result), p.completed, p.total)
                elif event.HasField("outcome"):
                    yield RunOutcome.from_proto(model, event.outcome)
        except grpc.RpcError as error:
            raise host_error_from_rpc_error(error) from None

    def run_model(
        self,
        model: str,
        *,
        on_progress: Callable[[CheckProgress], None] | None = None,
        **options: object,
    ) -> RunOutcome:
        """Runs the model's checks (see ``stream_run`` for the options) and returns the outcome."""
        outcome: RunOutcome | None = None
        for event in self.stream_run(model, **options):  # type: ignore[arg-type]
            if isinstance(event, RunOutcome):
                outcome = event
            elif on_progress is not None:
                on_progress(event)
        if outcome is None:
            raise FloeHostError(
                f"the host ended the run of {model} without an outcome",
                code=None,
                grpc_code=grpc.StatusCode.UNKNOWN,
                retryable=True,
            )
        return outcome

    def list_plugins(self) -> list[dict[str, object]]:
        """The plugins the host knows: name, provider, version, runtime, dialects, state."""
        try:
            response = self._stub.ListPlugins(host_pb2.ListPluginsRequest(), metadata=self._metadata())
        except grpc.RpcError as error:
            raise host_error_from_rpc_error(error) from None
        return [
            {
                "name": p.name,
                "provider": p.provider,
                "version": p.version,
                "runtime": p.runtime,
                "dialects": list(p.dialects),
                "state": p.state,
            }
            for p in response.plugins
        ]
