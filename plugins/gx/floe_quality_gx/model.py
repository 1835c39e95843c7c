"""The plugin's own view of the floe contract: plain values that the gRPC shell
converts from and to the protobuf messages, so the core runs without a server."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from floe_quality_sdk import enums


class _LabelledEnum(enum.IntEnum):
    """An enum the config names by its lower-case label; an unknown label is UNSPECIFIED."""

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str | None) -> Self:
        if not label:
            return cls["UNSPECIFIED"]
        try:
            return cls[str(label).upper()]
        except KeyError:
            return cls["UNSPECIFIED"]


# The wire numbers come from the SDK's one mapping (floe_quality_sdk.enums).
Dimension = _LabelledEnum(
    "Dimension", {"UNSPECIFIED": 0, **{n.upper(): enums.dimension_to_wire(n) for n in enums.DIMENSION_NAMES}}
)
Severity = _LabelledEnum(
    "Severity", {"UNSPECIFIED": 0, **{n.upper(): enums.severity_to_wire(n) for n in enums.SEVERITY_NAMES}}
)
CheckStatus = enum.IntEnum(
    "CheckStatus",
    {"UNSPECIFIED": 0, **{n.upper(): enums.check_status_to_wire(n) for n in enums.CHECK_STATUS_NAMES}},
)


class CheckError(Exception):
    """A check that cannot run, with its FLOE-DQ code; reported on the check, never raised to the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class RequestError(Exception):
    """A request that cannot be served at all (bad suite file, unknown native suite...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Check:
    name: str
    type: str
    column: str = ""
    dimension: Dimension = Dimension.UNSPECIFIED
    severity: Severity = Severity.UNSPECIFIED
    parameters: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = True
    custom_weight: float | None = None

    def with_dimension(self, dimension: Dimension) -> Check:
        return dataclasses.replace(self, dimension=dimension)


@dataclass(frozen=True)
class Connection:
    dialect: str
    host: str = ""
    port: int = 0
    database: str = ""
    user: str = ""
    password: str = ""
    path: str = ""
    schema: str = ""
    options: Mapping[str, str] = field(default_factory=dict)

    def cache_key(self) -> tuple:
        return (
            self.dialect,
            self.host,
            self.port,
            self.database,
            self.user,
            self.password,
            self.path,
            tuple(sorted(self.options.items())),
        )


@dataclass
class CheckResult:
    check_name: str
    check_type: str
    column: str
    dimension: Dimension
    severity: Severity
    status: CheckStatus
    records_checked: int = 0
    records_failed: int = 0
    execution_time_ms: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)
    error_message: str | None = None
    error_code: str = ""
    custom_weight: float | None = None

    @property
    def passed(self) -> bool:
        return self.status == CheckStatus.PASSED


@dataclass(frozen=True)
class RunOptions:
    max_failing_samples: int = 5
    sensitive_columns: frozenset[str] = frozenset()
