"""Failed host calls as exceptions: the FLOE-DQ code from the status's
google.rpc.ErrorInfo, the fix, and whether trying again can help."""

from __future__ import annotations

import grpc

from floe_quality_sdk import floe_error_from_rpc_error
from floe_quality_sdk.status import error_info_from_rpc_error

# Statuses that say nothing about the request itself: the same call may succeed later.
_RETRYABLE = {
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.ABORTED,
}


class FloeHostError(Exception):
    """A host call that failed. ``code`` is the FLOE-DQ code when the host sent one."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None,
        grpc_code: grpc.StatusCode,
        retryable: bool,
        fix: str | None = None,
        file: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}" if code else message)
        self.message = message
        self.code = code
        self.grpc_code = grpc_code
        self.retryable = retryable
        self.fix = fix
        self.file = file
        self.path = path


class ConfigurationError(FloeHostError):
    """The request or the configuration it names is wrong (FLOE-DQ100/101/105/107)."""


class ProviderError(FloeHostError):
    """The quality provider is unknown or its plugin is not installed (FLOE-DQ001)."""


class CheckTimeoutError(FloeHostError):
    """The suite ran past its timeout (FLOE-DQ106)."""


class AuthenticationError(FloeHostError):
    """The host refused the caller: a missing or wrong bearer token."""


class HostUnavailableError(FloeHostError):
    """The host or a plugin could not be reached; worth retrying."""


_BY_CODE: dict[str, type[FloeHostError]] = {
    "FLOE-DQ001": ProviderError,
    "FLOE-DQ100": ConfigurationError,
    "FLOE-DQ101": ConfigurationError,
    "FLOE-DQ105": ConfigurationError,
    "FLOE-DQ107": ConfigurationError,
    "FLOE-DQ106": CheckTimeoutError,
}

_BY_STATUS: dict[grpc.StatusCode, type[FloeHostError]] = {
    grpc.StatusCode.UNAUTHENTICATED: AuthenticationError,
    grpc.StatusCode.PERMISSION_DENIED: AuthenticationError,
    grpc.StatusCode.UNAVAILABLE: HostUnavailableError,
    grpc.StatusCode.DEADLINE_EXCEEDED: CheckTimeoutError,
}


def host_error_from_rpc_error(error: grpc.RpcError) -> FloeHostError:
    """The exception for a failed call: by FLOE-DQ code first, then by gRPC status."""
    status = error.code()  # type: ignore[attr-defined]
    floe = floe_error_from_rpc_error(error)
    flag = _metadata_flag(error, "retryable")
    retryable = flag if flag is not None else status in _RETRYABLE
    if _BY_STATUS.get(status) is AuthenticationError:
        kind: type[FloeHostError] = AuthenticationError
    elif floe is not None and floe.code in _BY_CODE:
        kind = _BY_CODE[floe.code]
    else:
        kind = _BY_STATUS.get(status, FloeHostError)
    if floe is not None:
        return kind(
            floe.message,
            code=floe.code,
            grpc_code=status,
            retryable=retryable,
            fix=floe.fix,
            file=floe.file,
            path=floe.path,
        )
    return kind(error.details() or status.name, code=None, grpc_code=status, retryable=retryable)  # type: ignore[attr-defined]


def _metadata_flag(error: grpc.RpcError, key: str) -> bool | None:
    """A true/false entry of the ErrorInfo metadata, when the host sets one."""
    info = error_info_from_rpc_error(error)
    if info is None or key not in info.metadata:
        return None
    return info.metadata[key].lower() == "true"
