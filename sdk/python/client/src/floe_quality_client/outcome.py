"""What a run of a model's checks returns, as plain typed values (the seed's
snake_case names, enums as lower-case words)."""

from __future__ import annotations

from dataclasses import dataclass

from floe_quality_sdk import types_pb2
from floe_quality_sdk.contract import host_pb2

VERDICTS = {
    host_pb2.VERDICT_PASS: "pass",
    host_pb2.VERDICT_WARN: "warn",
    host_pb2.VERDICT_FAIL: "fail",
    host_pb2.VERDICT_ERROR: "error",
}


def _word(enum: object, value: int, prefix: str) -> str:
    """DIMENSION_COMPLETENESS -> completeness: the enum value as the seed's word."""
    return enum.Name(value).removeprefix(prefix).lower()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CheckResult:
    check_name: str
    check_type: str
    column: str | None
    dimension: str
    severity: str
    status: str
    passed: bool
    records_checked: int
    records_failed: int
    error_message: str | None

    @classmethod
    def from_proto(cls, message: types_pb2.QualityCheckResult) -> CheckResult:
        return cls(
            check_name=message.check_name,
            check_type=message.check_type,
            column=message.column or None,
            dimension=_word(types_pb2.Dimension, message.dimension, "DIMENSION_"),
            severity=_word(types_pb2.Severity, message.severity, "SEVERITY_"),
            status=_word(types_pb2.CheckStatus, message.status, "CHECK_STATUS_"),
            passed=message.passed,
            records_checked=message.records_checked,
            records_failed=message.records_failed,
            error_message=message.error_message if message.HasField("error_message") else None,
        )


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    level: str
    fix: str
    file: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class RunError:
    """Why the checks could not run (verdict ``error``): never a statement about the data."""

    cause: str
    retryable: bool
    code: str
    message: str
    fix: str


@dataclass(frozen=True)
class CheckProgress:
    """One check finished: ``completed`` of ``total``."""

    result: CheckResult
    completed: int
    total: int


@dataclass(frozen=True)
class RunOutcome:
    """The model's results, score and verdict: ``pass``, ``warn``, ``fail``, or
    ``error`` when the checks could not run (then ``error`` says why and there is no score)."""

    model: str
    quality_tier: str
    verdict: str
    score: float
    dimension_scores: dict[str, float]
    checks_passed: int
    checks_failed: int
    checks: list[CheckResult]
    violations: list[str]
    diagnostics: list[Diagnostic]
    run_id: str
    gate_passed: bool
    error: RunError | None = None

    @property
    def failed_checks(self) -> list[CheckResult]:
        """Checks that failed, errored or timed out (skipped ones prove nothing either way)."""
        return [c for c in self.checks if c.status in ("failed", "error", "timed_out")]

    @classmethod
    def from_proto(cls, model: str, message: host_pb2.RunOutcome) -> RunOutcome:
        score = message.score
        return cls(
            model=message.suite_result.model_name or model,
            quality_tier=message.quality_tier,
            verdict=VERDICTS.get(message.verdict, "unspecified"),
            score=score.overall,
            dimension_scores=dict(score.dimension_scores),
            checks_passed=score.checks_passed,
            checks_failed=score.checks_failed,
            checks=[CheckResult.from_proto(c) for c in message.suite_result.checks],
            violations=list(message.violations),
            diagnostics=[
                Diagnostic(
                    code=d.code,
                    message=d.message,
                    level=d.level,
                    fix=d.fix,
                    file=d.file or None,
                    path=d.path or None,
                )
                for d in message.diagnostics
            ],
            run_id=message.run_id,
            gate_passed=message.gate.passed,
            error=RunError(
                cause=_word(host_pb2.ErrorCause, message.error.cause, "ERROR_CAUSE_"),
                retryable=message.error.retryable,
                code=message.error.code,
                message=message.error.message,
                fix=message.error.fix,
            )
            if message.HasField("error")
            else None,
        )
