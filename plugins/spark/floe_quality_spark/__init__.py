"""floe_spark: floe checks on Spark, a suite fused into as few Spark jobs as possible."""

__version__ = "0.1.0"
