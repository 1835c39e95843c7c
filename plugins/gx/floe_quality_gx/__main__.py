"""``python -m floe_quality_gx``: serve the great_expectations provider (started by the
floe-quality host, or as a sidecar with FLOE_PLUGIN_LISTEN).

Nothing heavy is imported before the plugin listens: Great Expectations (and numpy,
pandas, sqlalchemy with it) loads in a background thread started by startup(), while
health already says SERVING and metadata answers; the calls that need GX wait for it.
"""

from floe_quality_sdk import serve_plugin

from .service import GxQualityPlugin


def main() -> None:
    serve_plugin(GxQualityPlugin())


if __name__ == "__main__":
    main()
