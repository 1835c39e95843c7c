"""Wire enums ↔ the names files and people use. The Python twin of
sdk/src/enums.ts; both pass sdk/vectors/primitives.json."""

from __future__ import annotations

from .contract import types_pb2

DIMENSION_NAMES = ("completeness", "accuracy", "validity", "consistency", "timeliness")
SEVERITY_NAMES = ("critical", "warning", "info")
CHECK_STATUS_NAMES = ("passed", "failed", "error", "skipped", "timed_out")


def _table(prefix: str, names: tuple[str, ...]) -> dict[str, int]:
    return {name: types_pb2.DESCRIPTOR.enum_types_by_name[prefix].values_by_name[
        _wire_name(prefix, name)].number for name in names}


def _wire_name(prefix: str, name: str) -> str:
    upper = {"Dimension": "DIMENSION", "Severity": "SEVERITY", "CheckStatus": "CHECK_STATUS"}[prefix]
    return f"{upper}_{name.upper()}"


_DIMENSION = _table("Dimension", DIMENSION_NAMES)
_SEVERITY = _table("Severity", SEVERITY_NAMES)
_STATUS = _table("CheckStatus", CHECK_STATUS_NAMES)


def dimension_to_wire(name: str) -> int:
    return _DIMENSION[name]


def severity_to_wire(name: str) -> int:
    return _SEVERITY[name]


def check_status_to_wire(name: str) -> int:
    return _STATUS[name]


def dimension_from_wire(value: int) -> str | None:
    """The dimension's name; None for UNSPECIFIED or an unknown number."""
    return next((k for k, v in _DIMENSION.items() if v == value), None)


def severity_from_wire(value: int) -> str | None:
    return next((k for k, v in _SEVERITY.items() if v == value), None)


def check_status_from_wire(value: int) -> str | None:
    return next((k for k, v in _STATUS.items() if v == value), None)
