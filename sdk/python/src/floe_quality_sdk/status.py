"""FLOE-DQ errors on the wire: a gRPC status whose ``grpc-status-details-bin``
trailer holds a google.rpc.Status with one google.rpc.ErrorInfo (reason = the
FLOE-DQ code, domain = floe.dev), byte-compatible with sdk/src/status.ts."""

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from .errors import ERROR_DOMAIN, FloeError, is_floe_error_code

ERROR_INFO_TYPE_URL = "type.googleapis.com/google.rpc.ErrorInfo"

# Safe text for an unexpected failure; the exception itself goes to the log.
INTERNAL_MESSAGE = "the plugin failed while handling the call; see the plugin log"

_GRPC_CODE: dict[str, grpc.StatusCode] = {
    "FLOE-DQ001": grpc.StatusCode.FAILED_PRECONDITION,
    "FLOE-DQ100": grpc.StatusCode.INVALID_ARGUMENT,
    "FLOE-DQ101": grpc.StatusCode.INVALID_ARGUMENT,
    "FLOE-DQ102": grpc.StatusCode.FAILED_PRECONDITION,
    "FLOE-DQ103": grpc.StatusCode.FAILED_PRECONDITION,
    "FLOE-DQ104": grpc.StatusCode.FAILED_PRECONDITION,
    "FLOE-DQ105": grpc.StatusCode.INVALID_ARGUMENT,
    "FLOE-DQ106": grpc.StatusCode.DEADLINE_EXCEEDED,
    "FLOE-DQ107": grpc.StatusCode.INVALID_ARGUMENT,
    "FLOE-DQ108": grpc.StatusCode.UNAVAILABLE,
    "FLOE-DQ109": grpc.StatusCode.INVALID_ARGUMENT,
    "FLOE-DQ110": grpc.StatusCode.UNAVAILABLE,
    "FLOE-DQ111": grpc.StatusCode.FAILED_PRECONDITION,
    "FLOE-DQ112": grpc.StatusCode.UNAVAILABLE,
}


def grpc_code_for(code: str) -> grpc.StatusCode:
    """The gRPC status code a FLOE-DQ code travels under."""
    return _GRPC_CODE[code]


def status_proto_from_floe_error(
    error: FloeError, grpc_code: grpc.StatusCode | None = None
) -> status_pb2.Status:
    """The google.rpc.Status of the details trailer for a FloeError."""
    code = grpc_code if grpc_code is not None else grpc_code_for(error.code)
    metadata = {"fix": error.fix}
    if error.file is not None:
        metadata["file"] = error.file
    if error.path is not None:
        metadata["path"] = error.path
    info = error_details_pb2.ErrorInfo(reason=error.code, domain=ERROR_DOMAIN, metadata=metadata)
    detail = any_pb2.Any(type_url=ERROR_INFO_TYPE_URL, value=info.SerializeToString())
    return status_pb2.Status(code=code.value[0], message=error.message, details=[detail])


def grpc_status_from_floe_error(
    error: FloeError, grpc_code: grpc.StatusCode | None = None
) -> grpc.Status:
    """What ``context.abort_with_status`` takes to end a call with a FloeError."""
    return rpc_status.to_status(status_proto_from_floe_error(error, grpc_code))


def error_info_from_rpc_error(error: grpc.RpcError) -> error_details_pb2.ErrorInfo | None:
    """The ErrorInfo carried by a failed call's details trailer, when there is one."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    if status is None:
        return None
    for detail in status.details:
        if detail.type_url != ERROR_INFO_TYPE_URL:
            continue
        info = error_details_pb2.ErrorInfo()
        detail.Unpack(info)
        return info
    return None


def floe_error_from_rpc_error(error: grpc.RpcError) -> FloeError | None:
    """Rebuilds the FloeError a plugin raised, or None when the status carries none."""
    info = error_info_from_rpc_error(error)
    if info is None or info.domain != ERROR_DOMAIN or not is_floe_error_code(info.reason):
        return None
    return FloeError(
        info.reason,
        error.details(),  # type: ignore[attr-defined]
        file=info.metadata.get("file"),
        path=info.metadata.get("path"),
        fix=info.metadata.get("fix"),
    )
