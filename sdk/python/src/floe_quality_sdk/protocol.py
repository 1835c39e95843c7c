"""The fixed constants of the floe plugin protocol (docs/plugin-protocol.md).

Host and plugins in every language use exactly these values.
"""

import re
from collections.abc import Iterable

MAGIC_COOKIE_KEY = "FLOE_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "floe-quality-plugin-6d1a9f3c"

ENV_PROTOCOL_VERSIONS = "FLOE_PLUGIN_PROTOCOL_VERSIONS"
ENV_SOCKET_DIR = "FLOE_PLUGIN_SOCKET_DIR"
ENV_LOG_LEVEL = "FLOE_PLUGIN_LOG_LEVEL"
ENV_TRACEPARENT = "TRACEPARENT"
ENV_LISTEN = "FLOE_PLUGIN_LISTEN"
ENV_TLS_CERT = "FLOE_PLUGIN_TLS_CERT"
ENV_TLS_KEY = "FLOE_PLUGIN_TLS_KEY"
ENV_TLS_CLIENT_CA = "FLOE_PLUGIN_TLS_CLIENT_CA"
ENV_INSECURE = "FLOE_PLUGIN_INSECURE"

# Version of the stdout handshake line format (its first field).
CORE_PROTOCOL_VERSION = 1

# Application protocol versions this side speaks.
APP_PROTOCOL_VERSIONS: tuple[int, ...] = (1,)

# GetMetadata.floe_api_version of plugins built on this SDK.
FLOE_API_VERSION = "1.0.0"

# The floe plugin API major this side speaks: any 1.x.y plugin is compatible.
FLOE_API_MAJOR = 1

# semver.org 2.0.0: MAJOR.MINOR.PATCH, optional -prerelease and +build.
_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)


def is_semantic_version(version: str) -> bool:
    """True when `version` is a semantic version (semver.org 2.0.0)."""
    return _SEMVER.fullmatch(version) is not None


def is_compatible_floe_api_version(version: str) -> bool:
    """True when a plugin answering this floe_api_version keeps this side's contract:
    a semantic version whose major is FLOE_API_MAJOR (docs/plugin-protocol.md §6)."""
    m = _SEMVER.fullmatch(version)
    return m is not None and int(m.group(1)) == FLOE_API_MAJOR

def duplicate_check_name(names: Iterable[str]) -> str | None:
    """The first check name a suite uses twice, or None. Results are told apart by
    check name, so a RunChecks request naming two checks alike fails with FLOE-DQ101
    before any check runs (docs/plugin-protocol.md §6, [P-42])."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


# The grpc.health.v1 service name a plugin reports on (and "").
HEALTH_SERVICE_NAME = "floe.quality.v1.QualityPluginService"

# File name of the plugin's Unix socket inside FLOE_PLUGIN_SOCKET_DIR.
SOCKET_FILE_NAME = "plugin.sock"

STARTED_BY_HAND_MESSAGE = (
    "This binary is a floe-quality plugin. It is started by the floe-quality host, "
    "not by hand. Try: floe-quality plugins check <provider>"
)
