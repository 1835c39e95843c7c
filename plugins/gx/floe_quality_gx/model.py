"""The plugin's own view of the floe contract: plain values that the gRPC shell
converts from and to the protobuf messages, so the core runs without a server."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self


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


class Dimension(_LabelledEnum):
    UNSPECIFIED = 0
    COMPLETENESS = 1
    ACCURACY = 2
    VALIDITY = 3
    CONSISTENCY = 4
    TIMELINESS = 5


class Severity(_LabelledEnum):
    UNSPECIFIED = 0
    CRITICAL = 1
    WARNING = 2
    INFO = 3


class CheckStatus(enum.IntEnum):
    UNSPECIFIED = 0
    PASSED = 1
    FAILED = 2
    ERROR = 3
    SKIPPED = 4
    TIMED_OUT = 5


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
