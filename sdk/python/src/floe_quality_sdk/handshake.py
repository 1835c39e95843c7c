"""The plugin side of the handshake: cookie, version negotiation and the one
stdout line ``CORE|APP|NETWORK|ADDRESS|grpc``."""

from collections.abc import Iterable, Mapping
from typing import Literal

from .protocol import (
    APP_PROTOCOL_VERSIONS,
    CORE_PROTOCOL_VERSION,
    ENV_PROTOCOL_VERSIONS,
    MAGIC_COOKIE_KEY,
    MAGIC_COOKIE_VALUE,
)

Network = Literal["unix", "tcp"]


def has_magic_cookie(env: Mapping[str, str]) -> bool:
    return env.get(MAGIC_COOKIE_KEY) == MAGIC_COOKIE_VALUE


def host_protocol_versions(env: Mapping[str, str]) -> list[int]:
    """Versions listed by the host in FLOE_PLUGIN_PROTOCOL_VERSIONS; absent means 1."""
    raw = env.get(ENV_PROTOCOL_VERSIONS)
    if raw is None or raw.strip() == "":
        return [CORE_PROTOCOL_VERSION]
    return [int(v.strip()) for v in raw.split(",") if v.strip().isdigit()]


def negotiate_protocol_version(
    host_versions: Iterable[int], plugin_versions: Iterable[int] = APP_PROTOCOL_VERSIONS
) -> int | None:
    """The highest version both sides speak, or None when they share none."""
    common = set(host_versions) & set(plugin_versions)
    return max(common) if common else None


def handshake_line(app: int, network: Network, address: str) -> str:
    return f"{CORE_PROTOCOL_VERSION}|{app}|{network}|{address}|grpc"
