"""floe_quality_gx: the great_expectations quality provider for floe-quality."""

__version__ = "0.1.0"
