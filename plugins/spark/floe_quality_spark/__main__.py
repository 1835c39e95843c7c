"""``python -m floe_quality_spark``: serve the floe_spark provider (started by the
floe-quality host, or as a sidecar with FLOE_PLUGIN_LISTEN)."""

from floe_quality_sdk import serve_plugin

from .service import SparkQualityPlugin


def main() -> None:
    serve_plugin(SparkQualityPlugin())


if __name__ == "__main__":
    main()
