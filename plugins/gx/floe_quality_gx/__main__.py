"""``python -m floe_quality_gx``: serve the great_expectations provider (started by the
floe-quality host, or as a sidecar with FLOE_PLUGIN_LISTEN)."""

from floe_quality_sdk import serve_plugin

from .service import GxQualityPlugin


def main() -> None:
    serve_plugin(GxQualityPlugin())


if __name__ == "__main__":
    main()
