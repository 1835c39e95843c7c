"""One asset check per model: the model's floe checks on the host after the
asset materializes. Verdict fail → ERROR, and the check blocks downstream assets
when the model's tier is gold or silver; warn → WARN; pass → passed. Verdict
error (the checks could not run) is not a statement about the data: the check's
execution fails (dagster.Failure) with the cause and the retryable flag."""

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetChecksDefinition,
    AssetKey,
    Failure,
    MetadataValue,
    asset_check,
)

from floe_quality_client import FloeHostError, RunOutcome

VERDICT_SEVERITY = {
    "fail": AssetCheckSeverity.ERROR,
    "warn": AssetCheckSeverity.WARN,
    "pass": AssetCheckSeverity.ERROR,
}

BLOCKING_TIERS = ("gold", "silver")
CHECK_NAME = "floe_quality"


def tiers_from_artifacts(path: str | Path) -> dict[str, str]:
    """Model → quality tier, from compiled_artifacts.json."""
    artifacts = json.loads(Path(path).read_text(encoding="utf-8"))
    return {m["name"]: m["quality_tier"] for m in artifacts["models"]}


def result_from_outcome(outcome: RunOutcome) -> AssetCheckResult:
    """The asset check result of a run: severity from the verdict, the score and its parts as metadata."""
    failed = [
        {
            "check": c.check_name,
            "status": c.status,
            "severity": c.severity,
            "records_failed": c.records_failed,
            "records_checked": c.records_checked,
            **({"error": c.error_message} if c.error_message else {}),
        }
        for c in outcome.failed_checks
    ]
    return AssetCheckResult(
        passed=outcome.verdict == "pass",
        severity=VERDICT_SEVERITY[outcome.verdict],
        description=(
            f"floe-quality {outcome.verdict} ({outcome.quality_tier}): score {outcome.score:.2f}"
            + (f"; {'; '.join(outcome.violations)}" if outcome.violations else "")
        ),
        metadata={
            "score": MetadataValue.float(outcome.score),
            "verdict": MetadataValue.text(outcome.verdict),
            "quality_tier": MetadataValue.text(outcome.quality_tier),
            "dimensions": MetadataValue.json(outcome.dimension_scores),
            "failed_checks": MetadataValue.json(failed),
            "checks_passed": MetadataValue.int(outcome.checks_passed),
            "checks_failed": MetadataValue.int(outcome.checks_failed),
            "violations": MetadataValue.json(outcome.violations),
            "lineage_run_id": MetadataValue.text(outcome.run_id),
        },
    )


def _asset_key(asset: object) -> AssetKey:
    if isinstance(asset, AssetKey):
        return asset
    if isinstance(asset, str):
        return AssetKey.from_user_string(asset)
    key = getattr(asset, "key", None)
    if isinstance(key, AssetKey):
        return key
    raise TypeError(f"expected an asset, an AssetKey or a key string, got {asset!r}")


def floe_quality_asset_checks(
    models: Mapping[str, str] | Sequence[object],
    *,
    artifacts_path: str | Path | None = None,
    tiers: Mapping[str, str] | None = None,
    resource_key: str = "floe_quality",
) -> list[AssetChecksDefinition]:
    """An asset check named ``floe_quality`` for each asset.

    ``models`` maps asset keys ("a/b" strings) to model names, or lists assets
    whose last key part is the model name. A model's tier — from ``tiers`` or
    the compiled artifacts at ``artifacts_path`` (read when the definitions
    load) — decides whether its check blocks downstream assets.
    """
    if isinstance(models, Mapping):
        pairs = [(_asset_key(k), v) for k, v in models.items()]
    else:
        pairs = [(_asset_key(a), _asset_key(a).path[-1]) for a in models]
    known_tiers = dict(tiers or {})
    if artifacts_path is not None:
        known_tiers = {**tiers_from_artifacts(artifacts_path), **known_tiers}
    return [_check_for(key, model, known_tiers.get(model), resource_key) for key, model in pairs]


def _check_for(key: AssetKey, model: str, tier: str | None, resource_key: str) -> AssetChecksDefinition:
    @asset_check(
        asset=key,
        name=CHECK_NAME,
        blocking=tier in BLOCKING_TIERS,
        required_resource_keys={resource_key},
        description=f"floe-quality checks of model {model} ({tier or 'tier unknown'}), run on the host",
    )
    def _check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        resource = getattr(context.resources, resource_key)
        try:
            outcome = resource.run_model(
                model,
                parent_run_id=context.run.run_id,
                parent_job_namespace="dagster",
                parent_job_name=context.run.job_name or "",
            )
        except FloeHostError as error:
            raise Failure(
                description=f"floe-quality could not run the checks of {model}: {error}",
                metadata={
                    "code": MetadataValue.text(error.code or error.grpc_code.name),
                    "retryable": MetadataValue.bool(error.retryable),
                    **({"fix": MetadataValue.text(error.fix)} if error.fix else {}),
                },
            ) from None
        if outcome.error is not None:
            raise Failure(
                description=f"floe-quality could not run the checks of {model}: {outcome.error.message}",
                metadata={
                    "code": MetadataValue.text(outcome.error.code),
                    "cause": MetadataValue.text(outcome.error.cause),
                    "retryable": MetadataValue.bool(outcome.error.retryable),
                    "fix": MetadataValue.text(outcome.error.fix),
                    "lineage_run_id": MetadataValue.text(outcome.run_id),
                },
            )
        return result_from_outcome(outcome)

    return _check
