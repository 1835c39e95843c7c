"""Serve a floe-quality plugin from Python: handshake, health, JSON logs,
FLOE-DQ errors and deadlines, as docs/plugin-protocol.md describes."""

from .context import CallContext
from .contract import plugin_pb2, types_pb2
from .errors import ERROR_CATALOGUE, ERROR_DOMAIN, FloeError, is_floe_error_code
from .log import LOGGER_NAME, configure_logging
from .plugin import QualityPlugin
from .protocol import FLOE_API_VERSION, HEALTH_SERVICE_NAME, is_compatible_floe_api_version
from .serve import serve_plugin
from .status import floe_error_from_rpc_error, grpc_status_from_floe_error

__all__ = [
    "CallContext",
    "ERROR_CATALOGUE",
    "ERROR_DOMAIN",
    "FLOE_API_VERSION",
    "FloeError",
    "HEALTH_SERVICE_NAME",
    "LOGGER_NAME",
    "QualityPlugin",
    "configure_logging",
    "floe_error_from_rpc_error",
    "grpc_status_from_floe_error",
    "is_compatible_floe_api_version",
    "is_floe_error_code",
    "plugin_pb2",
    "serve_plugin",
    "types_pb2",
]
