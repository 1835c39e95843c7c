"""``python -m floe_quality_gx``: serve the great_expectations provider (started by the
floe-quality host, or as a sidecar with FLOE_PLUGIN_LISTEN)."""

import importlib
import os

from floe_quality_sdk import serve_plugin
from floe_quality_sdk.serve import StartupError, startup_settings

from .service import GxQualityPlugin

# Libraries GX imports on its way in: about half of its import time. They load
# before the plugin listens, GX itself in startup() while health says NOT_SERVING,
# so the start fits the host's two budgets (spawn to handshake, handshake to SERVING)
# instead of only the second.
PRELOADED = ("numpy", "pandas", "scipy.stats", "sqlalchemy", "altair", "pydantic")


def main() -> None:
    try:
        startup_settings(os.environ)
    except StartupError:
        pass  # serve_plugin prints the reason and exits at once, with nothing preloaded
    else:
        for module in PRELOADED:
            importlib.import_module(module)
    serve_plugin(GxQualityPlugin())


if __name__ == "__main__":
    main()
