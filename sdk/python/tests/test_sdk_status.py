import re
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from floe_quality_sdk.errors import ERROR_CATALOGUE, FloeError
from floe_quality_sdk.status import (
    ERROR_INFO_TYPE_URL,
    grpc_code_for,
    grpc_status_from_floe_error,
    status_proto_from_floe_error,
)

TS_ERRORS = Path(__file__).resolve().parents[3] / "sdk" / "src" / "errors.ts"


def test_floe_error_carries_code_place_and_catalogue_fix():
    error = FloeError("FLOE-DQ105", "column 'nope' does not exist", path="orders/nope_not_null")
    assert (error.code, error.message, error.file, error.path) == (
        "FLOE-DQ105",
        "column 'nope' does not exist",
        None,
        "orders/nope_not_null",
    )
    assert error.fix == "Verify the column exists in the model (floe.yaml columns, dbt manifest or warehouse)."


def test_unknown_code_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown FLOE-DQ code 'FLOE-DQ999'"):
        FloeError("FLOE-DQ999", "x")


def test_catalogue_matches_the_typescript_sdk():
    source = TS_ERRORS.read_text(encoding="utf-8")
    ts_codes = re.findall(r'"(FLOE-DQ\d{3})": \{', source)
    assert ts_codes == list(ERROR_CATALOGUE)
    for code, entry in ERROR_CATALOGUE.items():
        block = source[source.index(f'"{code}": {{') :]
        assert f'fix: "{entry["fix"]}"' in block[: block.index("},")]


def test_grpc_codes_per_floe_code():
    assert grpc_code_for("FLOE-DQ105") == grpc.StatusCode.INVALID_ARGUMENT
    assert grpc_code_for("FLOE-DQ106") == grpc.StatusCode.DEADLINE_EXCEEDED
    assert grpc_code_for("FLOE-DQ001") == grpc.StatusCode.FAILED_PRECONDITION


def test_status_details_hold_one_error_info_with_reason_and_domain():
    error = FloeError("FLOE-DQ105", "column 'nope' does not exist", file="floe.yaml", path="orders/c")
    status = status_proto_from_floe_error(error)
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert status.message == "column 'nope' does not exist"
    assert [d.type_url for d in status.details] == [ERROR_INFO_TYPE_URL]
    info = error_details_pb2.ErrorInfo()
    status.details[0].Unpack(info)
    assert info.reason == "FLOE-DQ105"
    assert info.domain == "floe.dev"
    assert dict(info.metadata) == {"fix": error.fix, "file": "floe.yaml", "path": "orders/c"}


def test_grpc_status_puts_the_details_in_the_trailer():
    error = FloeError("FLOE-DQ001", "plugin py_echo died")
    status = grpc_status_from_floe_error(error, grpc.StatusCode.UNAVAILABLE)
    assert status.code == grpc.StatusCode.UNAVAILABLE
    assert status.details == "plugin py_echo died"
    [(key, value)] = status.trailing_metadata
    assert key == "grpc-status-details-bin"
    decoded = status_pb2.Status.FromString(value)
    assert decoded.code == grpc.StatusCode.UNAVAILABLE.value[0]
    info = error_details_pb2.ErrorInfo()
    decoded.details[0].Unpack(info)
    assert (info.reason, info.domain) == ("FLOE-DQ001", "floe.dev")


def test_trailer_bytes_match_the_protocol_example_byte_for_byte():
    error = FloeError("FLOE-DQ105", "column 'email' does not exist", fix="f")
    expected = (
        bytes([0x08, 0x03, 0x12, 0x1D])
        + b"column 'email' does not exist"
        + bytes([0x1A, 0x4C, 0x0A, 0x28])
        + b"type.googleapis.com/google.rpc.ErrorInfo"
        + bytes([0x12, 0x20, 0x0A, 0x0A])
        + b"FLOE-DQ105"
        + bytes([0x12, 0x08])
        + b"floe.dev"
        + bytes([0x1A, 0x08, 0x0A, 0x03])
        + b"fix"
        + bytes([0x12, 0x01])
        + b"f"
    )
    [(_, value)] = grpc_status_from_floe_error(error).trailing_metadata
    assert value == expected
