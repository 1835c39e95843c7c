"""Dagster asset checks backed by a floe-quality host: after an asset
materializes, its model's checks run on the host (``floe-quality serve``) and
come back as an asset check result with the score, the dimensions, the failed
checks and the lineage run id."""

from .checks import VERDICT_SEVERITY, floe_quality_asset_checks, result_from_outcome
from .resource import FloeQualityResource

__all__ = [
    "VERDICT_SEVERITY",
    "FloeQualityResource",
    "floe_quality_asset_checks",
    "result_from_outcome",
]
