"""The plugin author's side: subclass QualityPlugin and pass an instance to serve_plugin()."""

import abc
from collections.abc import Iterator
from typing import Any

from .context import CallContext
from .contract import plugin_pb2, types_pb2


class QualityPlugin(abc.ABC):
    """A quality plugin. Only ``get_metadata`` and ``run_checks`` are required.

    Raise a FloeError to answer with its FLOE-DQ code; anything else raised
    becomes INTERNAL with a safe message (the traceback goes to the log).
    Handlers may return the response message or a dict in its JSON form.
    Handlers run on a thread pool: several calls can be in flight at once.
    """

    @abc.abstractmethod
    def get_metadata(self) -> plugin_pb2.GetMetadataResponse | dict[str, Any]:
        """Name, version, capabilities; floe_api_version defaults to the SDK's (1.0.0)."""

    def startup(self) -> None:
        """Slow start-up work (imports, connections); health is NOT_SERVING until it returns."""

    def validate_config(
        self, request: plugin_pb2.ValidateConfigRequest, ctx: CallContext
    ) -> plugin_pb2.ValidateConfigResponse | dict[str, Any]:
        return plugin_pb2.ValidateConfigResponse(result=types_pb2.ValidationResult(success=True))

    def validate_suite(
        self, request: plugin_pb2.ValidateSuiteRequest, ctx: CallContext
    ) -> plugin_pb2.ValidateSuiteResponse | dict[str, Any]:
        """Defaults to: every check type must be one of capabilities.check_types."""
        from .serve import metadata_of, validate_against_capabilities

        return validate_against_capabilities(request, metadata_of(self))

    def list_suites(
        self, request: plugin_pb2.ListSuitesRequest, ctx: CallContext
    ) -> plugin_pb2.ListSuitesResponse | dict[str, Any]:
        return plugin_pb2.ListSuitesResponse()

    @abc.abstractmethod
    def run_checks(
        self, request: plugin_pb2.RunChecksRequest, ctx: CallContext
    ) -> Iterator[types_pb2.QualityCheckResult | dict[str, Any]]:
        """Yields one result per check as it finishes; the SDK streams each, then
        the suite summary. When the deadline is about to pass, ctx is cancelled
        (reason FLOE-DQ106): the SDK reports every check not yet yielded as
        TIMED_OUT and ends the stream; the generator should stop its work."""

    def shutdown(self) -> None:
        """Releases resources before the process exits."""
