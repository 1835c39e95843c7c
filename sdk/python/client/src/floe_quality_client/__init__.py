"""Call a floe-quality host (``floe-quality serve``) from Python: run a model's
checks after it materializes, stream progress, get score and verdict. Errors
arrive as exceptions carrying the FLOE-DQ code and whether a retry can help."""

from .client import TOKEN_ENV, TOKEN_FILE_ENV, HostClient
from .errors import (
    AuthenticationError,
    CheckTimeoutError,
    ConfigurationError,
    FloeHostError,
    HostUnavailableError,
    ProviderError,
    host_error_from_rpc_error,
)
from .outcome import CheckProgress, CheckResult, Diagnostic, RunError, RunOutcome

__all__ = [
    "AuthenticationError",
    "CheckProgress",
    "CheckResult",
    "CheckTimeoutError",
    "ConfigurationError",
    "Diagnostic",
    "FloeHostError",
    "HostClient",
    "HostUnavailableError",
    "ProviderError",
    "RunError",
    "RunOutcome",
    "TOKEN_ENV",
    "TOKEN_FILE_ENV",
    "host_error_from_rpc_error",
]
